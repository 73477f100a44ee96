"""xlcrm's columns written right beside the team's Excel Table join the table, as Excel grows a table when one types
in the column to its right: sorting the table from its header drop-down then moves every xlcrm cell with its
customer (xlcrm's columns used to stay put outside the table, each beside another customer)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from helpers.cli import run
from helpers.libreoffice import resave_all, saved_by_libreoffice
from helpers.remote import actions, remote_book, replay
from xlcrm.actions.refresh import refresh
from xlcrm.book.live import LiveBook

TODAY = "2026-12-03"
CUSTOMERS = [("甲公司", "张三", dt.date(2026, 11, 1), dt.date(2026, 10, 1), 3, 30000),
             ("乙公司", "李四", dt.date(2026, 11, 2), dt.date(2026, 9, 1), 1, 5000),
             ("丙公司", "李四", dt.date(2026, 10, 20), dt.date(2026, 6, 1), 2, 8000),
             ("丁公司", "张三", dt.date(2026, 9, 15), dt.date(2025, 12, 1), 1, 300)]
HEADERS = {"zh": ["客户名称", "负责人", "最近联系日期", "最近下单日期", "下单次数",
                  "累计成交金额"],
           "en": ["Customer", "Owner", "Last contact", "Last order", "Orders", "Total amount"]}
SHEET = {"zh": "客户", "en": "Customers"}
NOTES = {"zh": "备注", "en": "Notes"}
CLASS = {"zh": "客户等级", "en": "Class"}
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def customer_table(folder: Path, lang: str, total_row: bool, notes_outside: bool = False) -> Path:
    """The team's customers as an Excel Table at A1 (with its Total Row, or not; with the team's own notes column
    right of it but outside it, or not), saved as an office suite saves it (LibreOffice)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET[lang]
    sheet.append(HEADERS[lang] + ([NOTES[lang]] if notes_outside else []))
    for number, row in enumerate(CUSTOMERS):
        sheet.append(list(row) + ([f"note {number}"] if notes_outside else []))
    bottom = len(CUSTOMERS) + 1
    if total_row:
        bottom += 1
        sheet.append([None, None, None, None, f"=SUBTOTAL(109,Clients[{HEADERS[lang][4]}])",
                      f"=SUBTOTAL(109,Clients[{HEADERS[lang][5]}])"])
    table = Table(displayName="Clients", ref=f"A1:F{bottom}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    table._initialise_columns()
    if total_row:
        table.totalsRowCount = 1
        table.tableColumns[4].totalsRowFunction = table.tableColumns[5].totalsRowFunction = "sum"
    sheet.add_table(table)
    return saved_by_libreoffice(book, folder, f"{lang}-{total_row}-{notes_outside}.xlsx")


def table_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        (part,) = [name for name in archive.namelist() if name.startswith("xl/tables/")]
        return archive.read(part)


def headers(path: Path, lang: str) -> list:
    sheet = openpyxl.load_workbook(path)[SHEET[lang]]
    return [cell.value for cell in sheet[1]]


def assert_joined(path: Path, lang: str, total_row: bool, saved: bytes, team_columns: int = 6) -> str:
    """The table spans every header of the row, named as its header cells, ids unique, its filter as wide, its rows
    and the rest as the team saved them (saved: its table part then); returns its ref."""
    shown = headers(path, lang)
    while shown and shown[-1] is None:
        shown.pop()
    table = openpyxl.load_workbook(path)[SHEET[lang]].tables["Clients"]
    bottom = len(CUSTOMERS) + 1 + (1 if total_row else 0)
    assert table.ref == f"A1:{get_column_letter(len(shown))}{bottom}", (table.ref, shown)
    assert [c.name for c in table.tableColumns] == shown
    assert (table.totalsRowCount or 0) == (1 if total_row else 0), "a Total Row stays the table's last row"
    root = etree.fromstring(table_xml(path))
    team = etree.fromstring(saved)
    assert {k: v for k, v in root.attrib.items() if k != "ref"} == {k: v for k, v in team.attrib.items() if k != "ref"}
    assert [dict(c.attrib) for c in root.findall(f"{MAIN}tableColumns/{MAIN}tableColumn")][:team_columns] == \
        [dict(c.attrib) for c in team.findall(f"{MAIN}tableColumns/{MAIN}tableColumn")][:team_columns]
    columns = root.findall(f"{MAIN}tableColumns/{MAIN}tableColumn")
    ids = [c.get("id") for c in columns]
    assert len(set(ids)) == len(ids) == len(shown) and root.find(f"{MAIN}tableColumns").get("count") == str(len(ids))
    left, top, right, last = range_boundaries(root.find(f"{MAIN}autoFilter").get("ref"))
    assert (left, top, right) == (1, 1, len(shown)) and last in (bottom - 1, bottom), "the filter is as wide"
    return table.ref


@pytest.mark.parametrize("lang, total_row", [("zh", True), ("en", False), ("zh", False), ("en", True)])
def test_xlcrms_columns_join_the_table_beside_them_and_stay_joined(tmp_path, lang, total_row):
    path = customer_table(tmp_path, lang, total_row)
    saved = table_xml(path)
    assert run("refresh", path, "--today", TODAY).exit_code == 0
    first = assert_joined(path, lang, total_row, saved)
    assert CLASS[lang] in headers(path, lang) and first != "A1:F5" and first != "A1:F6"
    joined = table_xml(path)

    assert run("refresh", path, "--today", TODAY).exit_code == 0
    assert table_xml(path) == joined, "a second run: the table part is as the first left it"
    assert run("followups", path, "--today", TODAY).exit_code == 0
    widest = assert_joined(path, lang, total_row, saved)  # its columns right of refresh's join as well
    again = table_xml(path)
    assert run("followups", path, "--today", TODAY).exit_code == 0
    assert run("refresh", path, "--today", TODAY).exit_code == 0
    assert table_xml(path) == again and assert_joined(path, lang, total_row, saved) == widest

    opened = resave_all([path], tmp_path / "lo")[path]  # LibreOffice opens it and writes the table back
    assert openpyxl.load_workbook(opened)[SHEET[lang]].tables["Clients"].ref == widest


def test_sorting_the_table_then_moves_each_customers_class_with_it(tmp_path):
    path = customer_table(tmp_path, "en", total_row=True)
    assert run("refresh", path, "--today", TODAY).exit_code == 0
    book = openpyxl.load_workbook(path)
    sheet = book["Customers"]
    left, top, right, bottom = range_boundaries(sheet.tables["Clients"].ref)
    column = headers(path, "en").index("Class") + 1
    before = {sheet.cell(r, 1).value: sheet.cell(r, column).value for r in range(2, len(CUSTOMERS) + 2)}
    rows = [[sheet.cell(r, c).value for c in range(left, right + 1)] for r in range(2, len(CUSTOMERS) + 2)]
    assert len(set(before.values())) > 1 and rows != sorted(rows, key=lambda row: row[5])
    for r, row in enumerate(sorted(rows, key=lambda row: row[5]), start=2):  # the table sorted by amount
        for c, value in enumerate(row, start=left):
            sheet.cell(r, c, value)
    book.save(path)
    sheet = openpyxl.load_workbook(path)["Customers"]
    assert {sheet.cell(r, 1).value: sheet.cell(r, column).value for r in range(2, len(CUSTOMERS) + 2)} == before
    result = run("refresh", path, "--today", TODAY, lang="en")
    assert result.exit_code == 0 and "stayed where they were" not in result.output, result.output
    sheet = openpyxl.load_workbook(path)["Customers"]
    assert {sheet.cell(r, 1).value: sheet.cell(r, column).value for r in range(2, len(CUSTOMERS) + 2)} == before


def test_a_team_column_outside_the_table_keeps_the_table_until_the_team_takes_it_in(tmp_path):
    path = customer_table(tmp_path, "zh", total_row=False, notes_outside=True)
    before = table_xml(path)
    assert run("refresh", path, "--today", TODAY).exit_code == 0
    assert headers(path, "zh")[6] == "备注" and "客户等级" in headers(path, "zh")
    assert table_xml(path) == before, "xlcrm's columns are not beside the table: the team's column is between"

    book = openpyxl.load_workbook(path)  # the team widens its table over its notes column
    table = book["客户"].tables["Clients"]
    table.ref = "A1:G5"
    table.autoFilter.ref = "A1:G5"
    table.tableColumns.append(TableColumn(id=7, name="备注"))
    book.save(path)
    saved = table_xml(path)
    assert run("refresh", path, "--today", TODAY).exit_code == 0
    assert assert_joined(path, "zh", False, saved, team_columns=7) != "A1:G5", "now beside it: xlcrm's columns join"


def test_live_the_table_is_resized_over_xlcrms_columns_once(tmp_path):
    path = customer_table(tmp_path, "zh", total_row=True)
    saved = table_xml(path)
    remote = remote_book(path)
    refresh(LiveBook(remote, folder=path.parent), dt.date.fromisoformat(TODAY))
    resized = [a["args"] for a in actions(remote) if a["func"] == "resizeTable"]
    replay(remote, path)
    shown = [h for h in headers(path, "zh") if h]
    assert resized == [[0, f"$A$1:${get_column_letter(len(shown))}$6"]], (resized, shown)
    assert assert_joined(path, "zh", True, saved) == f"A1:{get_column_letter(len(shown))}6"

    again = remote_book(path)  # the next run: the table already holds xlcrm's columns
    refresh(LiveBook(again, folder=path.parent), dt.date.fromisoformat(TODAY))
    assert [a for a in actions(again) if a["func"] == "resizeTable"] == []
