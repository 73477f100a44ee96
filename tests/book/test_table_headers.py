"""A Table's column names follow the header cells xlcrm writes into its header row (Excel repairs a table whose
names differ from its header cells), unique within the table as Excel requires."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.table import Table, TableColumn

from helpers.cli import run
from helpers.libreoffice import convert
from helpers.mailbook import set_settings
from helpers.tracking import EN, tracking_book
from xlcrm.book.file import FileBook
from xlcrm.core.edits import DATE, SetCells

SHEET = "Customers"


def mismatches(path) -> dict[str, list]:
    """Per table: (column name, header cell) of each column whose name is not its header cell's text."""
    found = {}
    for sheet in openpyxl.load_workbook(path).worksheets:
        for table in sheet.tables.values():
            left, top, _, _ = range_boundaries(table.ref)
            found[table.displayName] = [(c.name, sheet.cell(top, left + i).value) for i, c in
                                        enumerate(table.tableColumns) if c.name != sheet.cell(top, left + i).value]
    return found


def table_book(path, headers=("Customer", "Owner", "Class", "Next due")):
    """A table over the team's columns and two of xlcrm's (as a team widens it to filter on them)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(headers))
    sheet.append(["Globex", "Alice", "A", dt.date(2026, 12, 10)])
    sheet.append(["Initech", "Bob", "B", dt.date(2026, 12, 11)])
    table = Table(displayName="CustTable", ref="A1:D3")
    table.tableColumns = [TableColumn(id=i + 1, name=h) for i, h in enumerate(headers)]
    sheet.add_table(table)
    sheet["F1"], sheet["G1"], sheet["F2"] = "Region", "Code", "North"
    other = Table(displayName="Regions", ref="F1:G2")
    other.tableColumns = [TableColumn(id=1, name="Region"), TableColumn(id=2, name="Code")]
    sheet.add_table(other)
    book.save(path)
    return path


def names(path, table="CustTable") -> list[str]:
    return [c.name for c in openpyxl.load_workbook(path)[SHEET].tables[table].tableColumns]


def test_renamed_headers_inside_a_table_rename_its_columns(tmp_path):
    path = table_book(tmp_path / "team.xlsx")
    grid = [["客户等级", "下次跟进日"], ["A", dt.date(2026, 12, 10)], ["B", dt.date(2026, 12, 11)]]
    FileBook(path).apply([SetCells(SHEET, 1, 3, grid, {1: DATE}, header=True)])
    assert names(path) == ["Customer", "Owner", "客户等级", "下次跟进日"]
    assert names(path, "Regions") == ["Region", "Code"]
    assert mismatches(path) == {"CustTable": [], "Regions": []}
    again = convert(path, "xlsx", tmp_path / "lo")  # LibreOffice opens it and writes the table back
    assert mismatches(again)["CustTable"] == [] and names(again) == ["Customer", "Owner", "客户等级", "下次跟进日"]


def test_a_name_another_column_has_gets_a_number_in_the_cell_too_and_an_empty_header_keeps_its_name(tmp_path):
    path = table_book(tmp_path / "team.xlsx")
    FileBook(path).apply([SetCells(SHEET, 1, 3, [["OWNER", None]], header=True)])
    assert names(path) == ["Customer", "Owner", "OWNER2", "Next due"]
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert [c.value for c in sheet[1][:4]] == ["Customer", "Owner", "OWNER2", "Next due"]
    assert mismatches(path)["CustTable"] == []


def test_cells_below_the_header_row_leave_the_names_alone(tmp_path):
    path = table_book(tmp_path / "team.xlsx")
    FileBook(path).apply([SetCells(SHEET, 2, 3, [["C", dt.date(2026, 12, 12)]], {1: DATE})])
    assert names(path) == ["Customer", "Owner", "Class", "Next due"] and mismatches(path)["CustTable"] == []


@pytest.mark.slow
def test_a_table_widened_over_xlcrms_columns_still_matches_after_a_language_switch(tmp_path):
    path = tracking_book(tmp_path / "team.xlsx", [["Globex", "Hank", "13800000001", "Alice", dt.date(2026, 11, 20),
                                                   None, 12000, "Proposal", None],
                                                  ["Initech", "Peter", "13800000002", "Bob", dt.date(2026, 11, 2),
                                                   None, 1200, "Lead", None]], EN, title=None, sheet=SHEET,
                          extra_sheets={"Orders": [["Customer", "Order date", "Amount"],
                                                   ["Globex", dt.date(2026, 9, 1), 4000],
                                                   ["Initech", dt.date(2026, 10, 5), 1200]]})
    book = openpyxl.load_workbook(path)
    book[SHEET].add_table(Table(displayName="CustTable", ref="A1:I3"))
    book.save(path)
    for command in ("refresh", "followups"):
        assert run(command, path, "--today", "2026-12-01").exit_code == 0
    book = openpyxl.load_workbook(path)  # the team widens the table over xlcrm's columns
    sheet = book[SHEET]
    table = sheet.tables["CustTable"]
    table.ref = f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}3"
    table.tableColumns = [TableColumn(id=i, name=str(sheet.cell(1, i).value)) for i in range(1, sheet.max_column + 1)]
    book.save(path)
    set_settings(path, {"language": "zh"})
    for command in ("refresh", "followups"):
        assert run(command, path, "--today", "2026-12-02").exit_code == 0
    assert mismatches(path) == {"CustTable": []}
    assert "客户等级" in names(path)  # xlcrm's headers, now in Chinese, name the table's columns
    assert mismatches(convert(path, "xlsx", tmp_path / "lo")) == {"CustTable": []}
