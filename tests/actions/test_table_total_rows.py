"""The Total Row of an Excel Table (Table Design > Total Row), whatever its first cell says.

Excel labels it 汇总 or Total by default (test_total_row_labels.py), but the label can be cleared, or the first
column's total set to a function, Count giving a number where a customer's name stands. Either way the row is the
table's totals (its part says totalsRowCount="1"; Excel's ListObject.ShowTotals): no customer, no order, no
"row without a customer name" problem, and its SUBTOTAL sums are not counted as revenue.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table, TableStyleInfo

from helpers.cli import run
from helpers.libreoffice import saved_by_libreoffice
from helpers.remote import remote_book
from helpers.workbooks import column_values
from xlcrm.book.file import FileBook
from xlcrm.book.live import LiveBook

TODAY = "2026-12-03"
CUSTOMERS = [("甲公司", "张三", dt.date(2026, 11, 1), dt.date(2026, 10, 1), 3, 30000),
             ("乙公司", "李四", dt.date(2026, 11, 2), dt.date(2026, 9, 1), 1, 5000),
             ("丙公司", "李四", dt.date(2026, 10, 20), dt.date(2026, 6, 1), 2, 8000)]
HEADERS = ["客户名称", "负责人", "最近联系日期", "最近下单日期", "下单次数", "累计成交金额"]
FIRST_CELL = {  # how the Total Row's first cell is set: (its totalsRowFunction, what the cell holds)
    "no label": (None, None),
    "count": ("count", "=SUBTOTAL(103,客户表[客户名称])"),
}


def table_with_total_row(folder: Path, first_cell: str) -> Path:
    """The team's customers as an Excel Table with its Total Row on, calculated as Excel saves it (LibreOffice)."""
    function, formula = FIRST_CELL[first_cell]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(HEADERS)
    for row in CUSTOMERS:
        sheet.append(list(row))
    last = len(CUSTOMERS) + 1
    sheet.append([formula, None, None, None, "=SUBTOTAL(109,客户表[下单次数])", "=SUBTOTAL(109,客户表[累计成交金额])"])
    table = Table(displayName="客户表", ref=f"A1:F{last + 1}")
    table.totalsRowCount = 1
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    table._initialise_columns()
    table.tableColumns[0].totalsRowFunction = function
    table.tableColumns[4].totalsRowFunction = table.tableColumns[5].totalsRowFunction = "sum"
    sheet.add_table(table)
    return saved_by_libreoffice(book, folder, f"{first_cell}.xlsx")


@pytest.mark.parametrize("first_cell", FIRST_CELL)
def test_the_total_row_is_neither_a_customer_nor_a_problem(tmp_path, first_cell):
    path = table_with_total_row(tmp_path, first_cell)
    saved = openpyxl.load_workbook(path, data_only=True)["客户"]
    assert saved["F5"].value == 43000, "the total row has its sums, as in a workbook saved by Excel"
    assert openpyxl.load_workbook(path)["客户"].tables["客户表"].totalsRowCount == 1

    result = run("refresh", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "客户:3 个" in result.output and "累计消费金额 43,000.00" in result.output, result.output
    assert "数据问题:0" in result.output, result.output
    grades = column_values(path, "客户", "客户等级")
    assert all(grade in {"A", "B", "C", "D"} for grade in grades[:3]) and grades[3] is None, grades

    result = run("followups", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "数据问题:0" in result.output or "数据问题" not in result.output, result.output
    assert openpyxl.load_workbook(path)["客户"].tables["客户表"].totalsRowCount == 1, "the table keeps its Total Row"


def test_both_back_ends_say_which_rows_are_total_rows(tmp_path):
    path = table_with_total_row(tmp_path, "no label")
    assert FileBook(path).read_sheet("客户").total_rows == {5}
    assert LiveBook(remote_book(path)).read_sheet("客户").total_rows == {5}

    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.save(plain)
    assert FileBook(plain).read_sheet("Sheet").total_rows == frozenset()
    assert LiveBook(remote_book(plain)).read_sheet("Sheet").total_rows == frozenset()
