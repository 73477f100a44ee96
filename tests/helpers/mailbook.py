"""The inputs a mail test starts from: due touches taken honestly from the sample sheet, and settings typed
into the settings sheet the way a user types them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd

from conftest import TODAY
from helpers.workbooks import sheet_rows
from xlcrm.actions.remind import remind
from xlcrm.book.file import FileBook
from xlcrm.core.followups.touches import TOUCH_COLUMNS
from xlcrm.mail.smtp import SmtpMailer

SETTINGS_SHEETS = ("CRM设置", "CRM Settings")


def _status(due: dt.date, today: dt.date) -> str:
    if due < today:
        return "overdue"
    if due == today:
        return "due_today"
    return "due_week" if (due - today).days < 7 else "ok"


def sample_touches(session, today: dt.date, birthdays: int = 1, appointments: bool = True) -> pd.DataFrame:
    """Overdue or due follow-ups (下次跟进 on or before today), a birthday today, and appointment reminders."""
    records = session.customers.records
    rows = []

    def add(row, occasion, due, detail=None):
        rec = records.loc[row]
        rows.append({"row": int(row), "key": rec["key"], "customer": rec["customer"], "owner": rec.get("owner"),
                     "occasion": occasion, "due": pd.Timestamp(due), "status": _status(due, today),
                     "detail": detail})

    for row, due in records["next_followup"].dropna().items():
        if due.date() <= today:
            add(row, "followup", due.date())
    followed = {r["row"] for r in rows}
    others = [r for r in records.index if r not in followed and pd.notna(records.at[r, "email"])]
    for row in others[:birthdays]:
        add(row, "birthday", today)
    if appointments and "appointment" in records:
        for row, when in records["appointment"].dropna().items():
            add(row, "appointment", today, detail=f"{when:%Y-%m-%d}")
    return pd.DataFrame(rows, columns=list(TOUCH_COLUMNS))


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


def remind_on(path: Path, **options):
    """`remind` on a workbook on the tests' day, with the sample's due touches."""
    return remind(FileBook(path), today=TODAY, touches=sample_touches, **options)


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
