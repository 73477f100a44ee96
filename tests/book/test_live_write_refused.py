"""Excel refusing a write reaches the user in their words, and after a send they learn the mails went out.

Teams protect their customer sheet so that only the data cells can be edited; xlcrm's columns are locked cells
there, and Excel refuses the write with a COM error ('The cell or chart you're trying to change is on a protected
sheet'). Excel also refuses while a dialog box is open or a cell is being edited. xlwings' remote Book stands in
for Excel: its sheets answer Worksheet.ProtectContents as pywin32 does, and writing a block of values to the
protected sheet raises what pywin32 raises."""

from __future__ import annotations

from types import SimpleNamespace

import openpyxl
import pytest
import xlwings

from conftest import TODAY
from helpers.mailbook import quick_mailer
from helpers.remote import actions, click, remote_book, replay
from helpers.smtp_server import delivered
from helpers.workbooks import values
from xlcrm import ribbon
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.book.live import LiveBook
from xlcrm.core.edits import PutSheet, SetCells
from xlcrm.core.errors import XlcrmError

SHEET = "客户跟踪表"
PROTECTED = ("您试图更改的单元格或图表位于受保护的工作表中。若要进行更改,请取消工作表保护。您可能需要输入密码。")
BUSY = "Call was rejected by callee."


class com_error(Exception):  # noqa: N801 - pywintypes.com_error as pywin32 raises it
    def __init__(self, description: str):
        excepinfo = (0, "Microsoft Excel", description, "xlmain11.chm", 0, -2146827284)
        super().__init__(-2147352567, "发生意外。", excepinfo, None)
        self.hresult, self.strerror, self.excepinfo, self.argerror = -2147352567, "发生意外。", excepinfo, None


com_error.__module__ = "pywintypes"


@pytest.fixture
def excel(monkeypatch):
    """Excel's answers: which sheets are protected (as Worksheet.ProtectContents says: None, the engine cannot tell,
    as on xlwings Server) and which sheets refuse a block of values, with what."""
    said = SimpleNamespace(protected=None, refusing={})
    value = xlwings.main.Range.value

    def set_value(cells, new):
        if cells.sheet.name in said.refusing:
            raise com_error(said.refusing[cells.sheet.name])
        value.fset(cells, new)

    def worksheet(sheet):
        if said.protected is None:
            return {}  # what xlwings Server's sheet gives: no COM properties
        return SimpleNamespace(ProtectContents=sheet.name in said.protected)

    monkeypatch.setattr(xlwings.main.Range, "value", property(value.fget, set_value))
    monkeypatch.setattr(xlwings.main.Sheet, "api", property(worksheet))
    return said


def test_a_protected_sheet_is_refused_before_anything_is_written(zh_book, excel):
    excel.protected = {SHEET}
    before = values(zh_book)
    remote = remote_book(zh_book)
    with pytest.raises(XlcrmError) as error:
        LiveBook(remote).apply([PutSheet("CRM概览", [["标题"]]), SetCells(SHEET, 2, 30, [["下次跟进日"], ["x"]])])
    assert not actions(remote)  # not one call that changes anything, not even the screen updating
    replay(remote, zh_book)
    assert values(zh_book) == before
    chinese, english = error.value.text("zh"), error.value.text("en")
    assert zh_book.name in chinese and f"“{SHEET}”" in chinese and "撤消工作表保护" in chinese and "未写入" in chinese
    assert zh_book.name in english and f"'{SHEET}'" in english and "Unprotect Sheet" in english
    assert "Nothing was written" in english and "com_error" not in english


def test_unprotected_sheets_are_written_as_before(zh_book, excel):
    excel.protected = {"订单记录"}  # protected, but not written
    remote = remote_book(zh_book)
    LiveBook(remote).apply([SetCells(SHEET, 2, 30, [["下次跟进日"], ["x"]])])
    replay(remote, zh_book)
    assert openpyxl.load_workbook(zh_book)[SHEET].cell(2, 30).value == "下次跟进日"


def test_a_protected_workbook_structure_is_refused_when_a_sheet_is_to_be_added(zh_book, monkeypatch, excel):
    monkeypatch.setattr(xlwings.Book, "api", property(lambda book: SimpleNamespace(ProtectStructure=True)))
    remote = remote_book(zh_book)
    with pytest.raises(XlcrmError) as error:
        LiveBook(remote).apply([PutSheet("CRM概览", [["标题"]])])
    assert "CRM概览" in error.value.text("zh") and "保护工作簿" in error.value.text("zh")
    assert "Protect Workbook" in error.value.text("en") and not actions(remote)


@pytest.mark.parametrize("protected, said", [(None, PROTECTED), (set(), BUSY)])
def test_what_excel_refuses_while_writing_names_the_sheet_and_what_to_do(zh_book, excel, protected, said):
    """Excel refuses although no sheet said it was protected (an engine that cannot tell, a dialog box open)."""
    excel.protected, excel.refusing = protected, {SHEET: said}
    remote = remote_book(zh_book)
    with pytest.raises(XlcrmError) as error:
        LiveBook(remote).apply([SetCells("产品价目表", 1, 5, [["x"]]), SetCells(SHEET, 2, 30, [["下次跟进日"]])])
    chinese, english = error.value.text("zh"), error.value.text("en")
    assert f"{zh_book.name} 的工作表“{SHEET}”" in chinese and said.rstrip("。.") in chinese and "撤消工作表保护" in chinese
    assert "按 Enter 或 Esc" in chinese and "没有丢失" in chinese
    assert f"sheet '{SHEET}' of {zh_book.name}" in english and "nothing of yours was lost" in english
    excel_shown = replay(remote, zh_book)
    assert excel_shown.settings[-2:] == [("calculation", "Automatic"), ("screen_updating", True)]  # put back
    assert openpyxl.load_workbook(zh_book)["产品价目表"]["E1"].value == "x"  # what was written before stays


@pytest.mark.parametrize("protected", [{SHEET}, None])
def test_after_a_send_excel_refusing_the_workbook_update_still_says_the_mails_went_out(ready, mail_server, excel,
                                                                                       protected):
    path, expected = ready
    excel.protected, excel.refusing = protected, {SHEET: PROTECTED}
    book = LiveBook(remote_book(path), folder=path.parent)
    with pytest.raises(XlcrmError) as error:
        remind(book, RemindRequest(today=TODAY, send=True), quick_mailer())
    assert sum(expected.values()) > 0 and delivered(mail_server) == expected
    chinese, english = error.value.text("zh"), error.value.text("en")
    assert chinese.startswith("以上邮件已发送并记入日志,但无法更新工作簿") and f"“{SHEET}”" in chinese
    assert english.startswith("The messages above were sent and journaled") and "com_error" not in english
    assert "撤消工作表保护" in chinese and "Unprotect Sheet" in english


def test_a_protected_sheet_on_a_button_is_a_message_not_a_com_error(zh_book, excel, monkeypatch, tmp_path):
    monkeypatch.setattr(ribbon, "LOG_FILE", tmp_path / "logs" / "xlcrm.log")
    excel.protected = {SHEET}
    (prompt, title, _, mode, _), = click(zh_book, "refresh_scores", "en").alerts
    assert mode == "critical" and "protected" in prompt and SHEET in prompt and "com_error" not in prompt
