"""The file back-end grows an Excel Table over xlcrm's columns written right beside it (SetCells.print_with_team on
the table's header row), keeping the rest of the table part as the team saved it: its rows, style, filter and sort
(widened with it), its columns' ids and names. Anywhere else the table stays as it is."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import openpyxl
from lxml import etree
from openpyxl.worksheet.filters import AutoFilter, SortCondition, SortState
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from helpers.libreoffice import convert
from xlcrm.book.file import FileBook
from xlcrm.core.edits import DATE, SetCells

SHEET = "Customers"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROWS = [["Globex", "Alice", 300], ["Initech", "Bob", 200], ["Hooli", "Alice", 100]]


def team_book(path, regions_at: str | None = None):
    """Customers as a Table A1:C4, sorted by amount from its header (a sort state in its filter), styled; maybe
    another table further right."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["Customer", "Owner", "Amount"])
    for row in ROWS:
        sheet.append(row)
    table = Table(displayName="Clients", ref="A1:C4")
    table.tableColumns = [TableColumn(id=i + 1, name=h) for i, h in enumerate(["Customer", "Owner", "Amount"])]
    table.autoFilter = AutoFilter(ref="A1:C4", sortState=SortState(ref="A2:C4", sortCondition=[
        SortCondition(ref="C2:C4", descending=True)]))
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    sheet.add_table(table)
    if regions_at:
        sheet[f"{regions_at}1"], sheet[f"{regions_at}2"] = "Region", "North"
        other = Table(displayName="Regions", ref=f"{regions_at}1:{regions_at}2")
        other.tableColumns = [TableColumn(id=1, name="Region")]
        sheet.add_table(other)
    book.save(path)
    return path


def xlcrm_columns(col=4, header=("Class", "Next due"), row=1, beside=True) -> SetCells:
    grid = [list(header)] + [["A", dt.date(2026, 12, 10 + i)][:len(header)] for i in range(3)]
    return SetCells(SHEET, row, col, grid, {1: DATE}, header=True, print_with_team=beside)


def table_part(path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/tables/table1.xml")


def table_root(path):
    return etree.fromstring(table_part(path))


def test_xlcrms_columns_beside_the_table_join_it_its_filter_sort_and_style_kept(tmp_path):
    path = team_book(tmp_path / "team.xlsx")
    FileBook(path).apply([xlcrm_columns()])
    root = table_root(path)
    assert root.get("ref") == "A1:E4" and root.get("displayName") == "Clients"
    assert [local(child) for child in root] == ["autoFilter", "tableColumns", "tableStyleInfo"], "the schema's order"
    columns = root.find(f"{MAIN}tableColumns")
    assert columns.get("count") == "5"
    assert [(c.get("id"), c.get("name")) for c in columns] == [
        ("1", "Customer"), ("2", "Owner"), ("3", "Amount"), ("4", "Class"), ("5", "Next due")]
    autofilter = root.find(f"{MAIN}autoFilter")
    sort = autofilter.find(f"{MAIN}sortState")
    assert autofilter.get("ref") == "A1:E4" and sort.get("ref") == "A2:E4", "sorting the table moves xlcrm's cells"
    assert sort.find(f"{MAIN}sortCondition").get("ref") == "C2:C4" and sort.find(f"{MAIN}sortCondition").get(
        "descending") == "1", "the team's sort is the team's"
    assert root.find(f"{MAIN}tableStyleInfo").get("name") == "TableStyleMedium9"
    table = openpyxl.load_workbook(path)[SHEET].tables["Clients"]
    assert table.ref == "A1:E4" and [c.name for c in table.tableColumns][3:] == ["Class", "Next due"]

    joined = table_part(path)
    FileBook(path).apply([xlcrm_columns()])  # the next run: inside the table already
    assert table_part(path) == joined
    FileBook(path).apply([xlcrm_columns(header=("等级", "下次跟进日"))])  # in the other language: renamed only
    assert [c.get("name") for c in table_root(path).find(f"{MAIN}tableColumns")][3:] == ["等级", "下次跟进日"]
    assert table_root(path).get("ref") == "A1:E4"
    again = convert(path, "xlsx", tmp_path / "lo")  # LibreOffice opens it and writes the table back
    assert openpyxl.load_workbook(again)[SHEET].tables["Clients"].ref == "A1:E4"


def local(element) -> str:
    return etree.QName(element).localname


def test_only_columns_starting_right_after_the_table_on_its_header_row_join_it(tmp_path):
    team = team_book(tmp_path / "team.xlsx", regions_at="G")
    kept = table_part(team)
    for case, edit in {"a gap between": xlcrm_columns(col=5),
                       "below the header row": xlcrm_columns(row=2),
                       "not xlcrm's columns beside the team's": xlcrm_columns(beside=False),
                       "another table in the way": xlcrm_columns(header=("Class", "Next due", "a", "b"))}.items():
        path = shutil.copy(team, tmp_path / f"{case}.xlsx")
        FileBook(path).apply([edit])
        assert table_part(path) == kept, case
    path = shutil.copy(team, tmp_path / "beside.xlsx")
    FileBook(path).apply([xlcrm_columns(header=("Class", "Next due", "a"))])
    assert table_root(path).get("ref") == "A1:F4"
    regions = openpyxl.load_workbook(path)[SHEET].tables["Regions"]
    assert regions.ref == "G1:G2" and [c.name for c in regions.tableColumns] == ["Region"]


def test_a_joining_column_takes_a_name_no_other_column_has_and_an_empty_header_gets_one(tmp_path):
    path = team_book(tmp_path / "team.xlsx")
    FileBook(path).apply([xlcrm_columns(header=("OWNER", None))])
    names = [c.get("name") for c in table_root(path).find(f"{MAIN}tableColumns")]
    assert names == ["Customer", "Owner", "Amount", "OWNER2", "Column5"]
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert [c.value for c in sheet[1]] == names, "the header cells say the names, as Excel requires"


def test_xlcrms_columns_starting_inside_the_table_take_the_rest_in(tmp_path):
    path = team_book(tmp_path / "team.xlsx")
    FileBook(path).apply([xlcrm_columns(col=3, header=("Class", "Next due"))])  # over Amount, then one more
    root = table_root(path)
    assert root.get("ref") == "A1:D4"
    assert [c.get("name") for c in root.find(f"{MAIN}tableColumns")] == ["Customer", "Owner", "Class", "Next due"]
