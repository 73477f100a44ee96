"""What the team types in the settings sheet survives the sheet's rewrite and is read or said: a value typed in
the note or label column stays where it was typed, an emptied value, an unclear yes/no, an impossible class
rule; each named by its cell."""

import datetime as dt

import pytest

from helpers.tracking import tracking_book
from helpers.workbooks import edit, find_row, sheet_rows
from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError

MONDAY = dt.date(2026, 11, 23)
ROWS = [["逾期机械", "王伟", "13800000001", "张磊", "2026/11/2", None, "¥12,000", "验收", "2026-11-01"],
        ["本周贸易", "陈静", "13800000003", "李娜", dt.date(2026, 11, 12), None, None, "方案报价", "2026-10-01"]]


@pytest.fixture
def book(tmp_path):
    path = tracking_book(tmp_path / "team.xlsx", ROWS)
    followups(FileBook(path), MONDAY)  # the settings sheet as xlcrm writes it
    return path


def cell(path, ref):
    column, row = ref[0], int(ref[1:])
    return sheet_rows(path, "CRM设置")[row - 1][ord(column) - ord("A")]


def test_a_value_typed_in_the_note_column_is_kept_and_said(book):
    row = find_row(book, "CRM设置", "prospect", below="联系周期")
    edit(book, "CRM设置", {f"D{row}": 30})
    lines = followups(FileBook(book), MONDAY).lines("zh")
    assert cell(book, f"D{row}") == 30  # not erased by the rewrite
    assert cell(book, f"C{row}") == 15  # the value the run used
    assert any(f"CRM设置!D{row}" in line and f"CRM设置!C{row}" in line for line in lines)


def test_a_value_typed_over_the_label_with_the_value_cleared_is_kept_and_both_said(book):
    row = find_row(book, "CRM设置", "prospect", below="联系周期")
    edit(book, "CRM设置", {f"B{row}": 30, f"C{row}": None})
    lines = followups(FileBook(book), MONDAY).lines("zh")
    assert cell(book, f"B{row}") == 30 and cell(book, f"C{row}") == 15
    assert any(f"CRM设置!B{row}" in line for line in lines)
    assert any(f"CRM设置!C{row}" in line and "15" in line for line in lines)
    edit(book, "CRM设置", {f"B{row}": None})  # cleared: xlcrm's label goes back, nothing more is said
    lines = followups(FileBook(book), MONDAY).lines("zh")
    assert cell(book, f"B{row}") == "潜在客户" and not any(f"CRM设置!B{row}" in line for line in lines)


def test_an_unclear_birthday_switch_keeps_greetings_on_and_is_said(book):
    row = find_row(book, "CRM设置", "birthday", below="待办事项与客户关怀")
    edit(book, "CRM设置", {f"C{row}": "也许"})
    lines = followups(FileBook(book), MONDAY).lines("zh")
    assert any(f"CRM设置!C{row}" in line and "也许" in line for line in lines)
    assert cell(book, f"C{row}") == "也许"  # left for the team to settle


def test_inverted_class_shares_are_refused_naming_both_cells(tmp_path):
    orders = [["客户名称", "下单日期", "金额"], ["逾期机械", "2026-10-01", 1000], ["逾期机械", "2026-11-01", 800],
              ["本周贸易", "2026-11-12", 300]]
    book = tracking_book(tmp_path / "team.xlsx", ROWS, extra_sheets={"订单记录": orders})
    refresh(FileBook(book), MONDAY)
    high = find_row(book, "CRM设置", "high_share")
    some = find_row(book, "CRM设置", "some_share")
    edit(book, "CRM设置", {f"C{high}": "95%", f"C{some}": "80%"})
    with pytest.raises(XlcrmError) as refused:
        refresh(FileBook(book), MONDAY)
    assert f"CRM设置!C{high}" in refused.value.text("zh") and f"CRM设置!C{some}" in refused.value.text("zh")
