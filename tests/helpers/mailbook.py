"""The inputs a mail test starts from: the sample sheet, whose due touches the follow-up rules find, and
settings typed into the settings sheet the way a user types them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd

from conftest import TODAY
from helpers.workbooks import sheet_rows
from xlcrm.actions.progress import Progress, quiet
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.book.file import FileBook
from xlcrm.mail.batch import Clock, Mailer, SystemClock
from xlcrm.mail.smtp import SmtpMailer

SETTINGS_SHEETS = ("CRM设置", "CRM Settings")


def _settings_sheet(book):
    return next(book[n] for n in SETTINGS_SHEETS if n in book.sheetnames)


def set_settings(path: Path, values: dict[str, object]) -> None:
    """Type values into the settings sheet's value column, by key (as a user edits the sheet)."""
    book = openpyxl.load_workbook(path)
    sheet = _settings_sheet(book)
    left = dict(values)
    for row in sheet.iter_rows(min_row=1):
        if row[0].value in left:
            sheet.cell(row[0].row, 3).value = left.pop(row[0].value)
    assert not left, f"settings not found: {left}"
    book.save(path)


def set_owner(path: Path, owner: str, email: str, phone: str | None = None) -> None:
    """Fill in an owner's address (and phone) in the owners block, listed there by the first preview."""
    book = openpyxl.load_workbook(path)
    sheet = _settings_sheet(book)
    in_block = False
    for row in sheet.iter_rows(min_row=1):
        first = str(row[0].value or "")
        if first.startswith("■"):
            in_block = "负责人联系方式" in first or "Owners" in first
        elif in_block and first == owner:
            sheet.cell(row[0].row, 2).value = email
            sheet.cell(row[0].row, 3).value = phone
            book.save(path)
            return
    raise AssertionError(f"owner {owner} not listed in the settings sheet")


def owners(session) -> list[str]:
    return sorted(session.customers.records["owner"].dropna().unique())


def quick_mailer(timeout: float = 10, retries: int = 2) -> SmtpMailer:
    """A real SMTP mailer that pauses hundredths of a second between its retries, so retries cost no time."""
    return SmtpMailer(timeout=timeout, backoff=(0.01, 0.02, 0.05)[:retries])


def remind_on(path: Path, mailer: Mailer | None = None, clock: Clock = SystemClock(), progress: Progress = quiet,
              today: dt.date = TODAY, **request):
    """`remind` on a workbook on the tests' day (request fields: send, test_to, template ...)."""
    return remind(FileBook(path), RemindRequest(today=today, **request), mailer, clock, progress)


def point_at(path: Path, server) -> tuple[Counter, pd.DataFrame]:
    """Preview, then give the workbook the server's settings: (recipient, subject) of the messages a send
    should deliver, counted, and their planned rows."""
    preview = remind_on(path)
    set_settings(path, server.settings())
    rows = preview.plan[preview.plan["decision"].eq("send")]
    return Counter(zip(rows["to"], rows["subject"])), rows


def log_states(path: Path) -> Counter:
    """How many rows of the send log (发送记录) have each status."""
    return Counter(row[1] for row in sheet_rows(path, "发送记录")[1:])
