"""A workbook opened straight from an e-mail or from inside a .zip lives in a folder that empties itself: the outbox
and the send journal (what stops a second send) must not go there. Excel names the workbook by its full path
(Workbook.FullName, which xlcrm asks of Excel itself); xlwings' remote Book stands in for it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import xlwings

from conftest import TODAY
from helpers.mailbook import quick_mailer
from helpers.remote import remote_book
from helpers.smtp_server import delivered
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.book.live import LiveBook
from xlcrm.core.errors import XlcrmError

BOOK = "客户跟踪表.xlsx"
OUTLOOK = r"C:\Users\wang\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\Q7ZK2M1D"
EXPLORER_ZIP = r"C:\Users\wang\AppData\Local\Temp\Temp1_客户资料.zip"
SEVEN_ZIP = r"C:\Users\wang\AppData\Local\Temp\7zO4C2A1B3"
OLD_OUTLOOK = r"C:\Users\wang\AppData\Local\Microsoft\Windows\Temporary Internet Files\Content.Outlook\AB12CD34"
MAC_OUTLOOK = "/Users/wang/Library/Containers/com.microsoft.Outlook/Data/tmp/Outlook Temp"


class ComWorkbook:
    def __init__(self, full_name: str):
        self.FullName = full_name


def opened_at(path: Path, monkeypatch, full_name: str) -> LiveBook:
    monkeypatch.setattr(xlwings.Book, "api", property(lambda b: ComWorkbook(full_name)))
    return LiveBook(remote_book(path))


@pytest.mark.parametrize("folder, said", [(OUTLOOK, "cache"), (OLD_OUTLOOK, "cache"), (MAC_OUTLOOK, "cache"),
                                          (EXPLORER_ZIP, ".zip"), (SEVEN_ZIP, "temporary folder")])
def test_a_workbook_in_a_folder_that_empties_itself_is_asked_to_be_saved_elsewhere(zh_book, monkeypatch, folder,
                                                                                    said):
    sep = "/" if folder.startswith("/") else "\\"
    live = opened_at(zh_book, monkeypatch, folder + sep + BOOK)
    with pytest.raises(XlcrmError) as error:
        live.folder
    english, chinese = error.value.text("en"), error.value.text("zh")
    assert BOOK in english and folder in english and said in english and "Save As" in english
    assert "send journal" in english and "out twice" in english
    assert BOOK in chinese and folder in chinese and "另存为" in chinese and "重复发出" in chinese


@pytest.mark.parametrize("full_name", [r"C:\Users\wang\Documents\销售\客户跟踪表.xlsx", r"D:\Temp\客户跟踪表.xlsx",
                                       r"\\fileserver\sales\客户跟踪表.xlsx", "/Users/wang/Documents/客户跟踪表.xlsx"])
def test_an_ordinary_folder_is_where_the_files_go(zh_book, monkeypatch, full_name):
    assert str(opened_at(zh_book, monkeypatch, full_name).folder) == str(Path(full_name).parent)


def test_windows_temporary_folder_wherever_temp_points(zh_book, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("TEMP", r"E:\scratch")
    with pytest.raises(XlcrmError) as error:
        opened_at(zh_book, monkeypatch, r"E:\scratch\Rar$DIa1234.5678\客户跟踪表.xlsx").folder
    assert "temporary folder" in error.value.text("en") and "临时文件夹" in error.value.text("zh")


def test_send_reminders_from_an_outlook_attachment_sends_nothing_and_leaves_no_journal_there(ready, mail_server,
                                                                                             tmp_path, monkeypatch):
    path, expected = ready
    cache = tmp_path / "AppData" / "Local" / "Microsoft" / "Windows" / "INetCache" / "Content.Outlook" / "Q7ZK2M1D"
    cache.mkdir(parents=True)
    attachment = cache / path.name
    shutil.copy(path, attachment)
    live = opened_at(attachment, monkeypatch, str(attachment))
    with pytest.raises(XlcrmError) as error:
        remind(live, RemindRequest(today=TODAY, send=True), quick_mailer())
    assert "另存为" in error.value.text("zh") and expected  # there were messages due
    assert not delivered(mail_server)
    assert sorted(p.name for p in cache.iterdir()) == [path.name]  # no outbox, no journal
