"""What a ribbon button works on, as Excel runs it (xlwings' remote Book as the mock caller, replayed onto the
file): Settings opens the settings sheet the session used, renamed or not; Log contact logs the customer of the
selected row, also when another customer has the same name."""

from __future__ import annotations

import datetime as dt
import logging

import openpyxl
import pytest

from helpers.remote import click as clicked
from helpers.tracking import tracking_book
from helpers.workbooks import sheet_rows
from xlcrm import ribbon
from xlcrm.actions.check import check
from xlcrm.actions.selection import customer_at
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError

NAME = "上海恒信电子有限公司"


@pytest.fixture
def click(monkeypatch, tmp_path):
    """click(path, entry, *args, selection, active): the button clicked in that workbook; what Excel showed."""
    monkeypatch.setattr(ribbon, "LOG_FILE", tmp_path / "logs" / "xlcrm.log")

    yield clicked
    logger = logging.getLogger("xlcrm.ribbon")  # a failed click's log file is this test's, not the next one's
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def test_settings_opens_the_settings_sheet_the_team_renamed(click, zh_book):
    check(FileBook(zh_book))
    book = openpyxl.load_workbook(zh_book)
    book["CRM设置"].title = "我们的设置"  # the team renamed xlcrm's settings sheet
    book.active = 0
    book.save(zh_book)
    excel = click(zh_book, "settings", "en")
    (prompt, _, _, mode, _), = excel.alerts
    assert mode == "info" and "我们的设置" in prompt  # the note: a renamed settings sheet, read and written as such
    book = openpyxl.load_workbook(zh_book)
    assert book.active.title == "我们的设置" and "CRM设置" not in book.sheetnames


@pytest.fixture
def namesakes(tmp_path):
    """Rows 4 and 5: two customers of one name, told apart by their phones."""
    rows = [["杭州恒信机械有限公司", "王伟", "13800000001", "张磊", dt.datetime(2026, 10, 1), None, "¥12,000"],
            [NAME, "李芳", "13800000002", "李娜", dt.datetime(2026, 11, 1), None, "5000元"],
            [NAME, "李四", "13900000000", "王芳", dt.datetime(2026, 9, 1), None, None]]
    return tracking_book(tmp_path / "team.xlsx", rows, ["客户名称", "联系人", "手机", "负责人", "最近联系日期",
                                                        "下次跟进", "累计成交金额"])


def units(text: str) -> list[int]:
    """The UTF-16 code units VBA's CodeUnits passes."""
    raw = text.encode("utf-16-le")
    return [raw[i] | raw[i + 1] << 8 for i in range(0, len(raw), 2)]


def test_log_contact_on_a_namesakes_row_logs_that_customer(click, namesakes, monkeypatch):
    from xlcrm import bootstrap
    from xlcrm.book.live import LiveBook

    monkeypatch.setattr(bootstrap, "live_book", lambda xw_book: LiveBook(xw_book, folder=namesakes.parent))  # saved
    excel = click(namesakes, "log_contact", units("电话"), units("回访"), "zh", selection="C5", active=0)
    (prompt, _, _, mode, _), = excel.alerts
    assert mode == "info" and f"{NAME} (13900000000)(第 5 行)" in prompt
    log = sheet_rows(namesakes, "跟进记录")
    assert log[1][1] == f"{NAME} (13900000000)" and log[1][6] == "回访"  # the log row names that customer alone
    customers = sheet_rows(namesakes, "客户跟踪表")
    assert customers[4][4] == dt.datetime.combine(dt.date.today(), dt.time())  # row 5's last contact moved
    assert customers[3][4] == dt.datetime(2026, 11, 1)  # its namesake's, on row 4, did not


def test_the_selected_row_names_the_customer_as_log_takes_it(namesakes):
    assert customer_at(FileBook(namesakes), ("客户跟踪表", 4)) == "客户跟踪表!4"
    assert customer_at(FileBook(namesakes), ("客户跟踪表", 5)) == "客户跟踪表!5"
    with pytest.raises(XlcrmError) as error:
        customer_at(FileBook(namesakes), ("客户跟踪表", 9))
    assert "第 3 至 5 行" in error.value.text("zh") and "第 9 行" in error.value.text("zh")


def test_a_sheet_named_with_an_exclamation_mark_names_the_customer_as_the_log_writes_it(tmp_path):
    rows = [[NAME, "李芳", "13800000002", "李娜"], [NAME, "李四", "13900000000", "王芳"]]
    path = tracking_book(tmp_path / "team.xlsx", rows, ["客户名称", "联系人", "手机", "负责人"], sheet="客户!华东")
    assert customer_at(FileBook(path), ("客户!华东", 4)) == f"{NAME} (13900000000)"


def test_a_row_of_one_owners_sheet_is_logged_as_that_sheets_customer(tmp_path):
    from helpers.corpus import owner_sheets_book
    from xlcrm.actions.contact_log import log_contact

    path = owner_sheets_book(tmp_path / "分人客户.xlsx")
    selected = customer_at(FileBook(path), ("王五", 3))  # 戊公司, under 王五's title row
    assert selected == "王五!3"
    result = log_contact(FileBook(path), selected, today=dt.date(2026, 11, 23))
    assert result.customer == "戊公司" and result.session.customers.table.locate(result.rows[0]) == ("王五", 3)
