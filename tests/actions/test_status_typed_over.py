"""A value typed into xlcrm's own follow-up status column (recorded as xlcrm's in the state sheet) is xlcrm's to
write: `followups` overwrites it, as refresh does its own columns, and says which cells held what; it never asks
to rename xlcrm's own column."""

import openpyxl

from conftest import TODAY
from xlcrm.actions.followups import followups
from xlcrm.book.file import FileBook


def status_column(path):
    ws = openpyxl.load_workbook(path)["客户跟踪表"]
    header = next(r for r in ws.iter_rows(max_row=5) if any(c.value == "跟进状态" for c in r))
    return next(c.column_letter for c in header if c.value == "跟进状态")


def test_a_status_typed_by_hand_is_overwritten_and_said(zh_book):
    followups(FileBook(zh_book), TODAY)
    letter = status_column(zh_book)
    wb = openpyxl.load_workbook(zh_book)
    wb["客户跟踪表"][f"{letter}6"] = "已联系"
    wb.save(zh_book)
    result = followups(FileBook(zh_book), TODAY)
    zh, en = "\n".join(result.lines("zh")), "\n".join(result.lines("en"))
    assert f"{letter}6 '已联系'" in zh and "是 xlcrm 的列" in zh and "改名" not in zh
    assert f"{letter}6 '已联系'" in en and "is xlcrm's" in en and "Rename" not in en
    cell = openpyxl.load_workbook(zh_book)["客户跟踪表"][f"{letter}6"].value
    assert isinstance(cell, str) and cell.startswith("=IF(ISNUMBER(")
    again = followups(FileBook(zh_book), TODAY)  # once overwritten, nothing more to say
    assert "已联系" not in "\n".join(again.lines("zh"))
