"""Workbooks a report test starts from, and reading figures back out of what the report wrote.

`team_book` is the sample workbook after a team's week: scores refreshed, follow-ups worked out,
contacts logged by hand in the contact log (some rows without an owner), all as of TODAY.
`Sheet` reads the customer sheet back with pandas, so tests compute their expected figures from
the cells, not from xlcrm's code.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd

from conftest import TODAY, make_book
from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook

LOG_SHEET = {"zh": "跟进记录", "en": "Contact log"}
LOG_HEADER = {"zh": ["日期", "客户名称", "负责人", "联系方式", "备注"], "en": ["Date", "Customer", "Owner", "Channel", "Note"]}
HEADERS = {  # the sample's columns and xlcrm's own, as the sheet names them
    "zh": {"customer": "客户名称", "owner": "负责人", "stage": "阶段", "segment": "客户分群", "class": "客户等级",
           "monetary": "消费金额", "next_due": "下次跟进日"},
    "en": {"customer": "Customer", "owner": "Owner", "stage": "Stage", "segment": "Segment", "class": "Class",
           "monetary": "Monetary", "next_due": "Next due"},
}
REPORT_SHEET = {"zh": "CRM报告", "en": "CRM Report"}


def same_customer(name) -> str:
    """Two spellings of one name (spaces, width, case) are one customer."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name or ""))).casefold()


def customer_sheet(path: Path, lang: str) -> pd.DataFrame:
    """The customer sheet as a user sees it: header in row 2, one row per customer (a repeated name once)."""
    book = openpyxl.load_workbook(path, data_only=True)
    rows = list(book["客户跟踪表" if lang == "zh" else "Customers"].iter_rows(values_only=True))
    frame = pd.DataFrame(rows[2:], columns=rows[1])
    names = HEADERS[lang]
    frame = frame[frame[names["customer"]].notna()]
    frame = frame.assign(_key=frame[names["customer"]].map(same_customer))
    return frame.drop_duplicates("_key").rename(columns={v: k for k, v in names.items()})


def log_rows(path: Path, lang: str) -> list[list]:
    """Contacts a team logged by hand: this week, the week before and earlier; a few rows without an owner."""
    sheet = customer_sheet(path, lang)
    names = list(sheet["customer"])
    owners = list(sheet["owner"])
    days = [TODAY, TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=6), TODAY - dt.timedelta(days=7),
            TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=30)]
    rows = []
    for number in range(36):
        who = number % len(names)
        owner = None if number % 5 == 0 else owners[(who + (number % 3 == 0)) % len(owners)]  # some log another's
        rows.append([days[number % len(days)], names[who], owner, "电话" if lang == "zh" else "phone", f"note {number}"])
    return rows


def team_book(folder: Path, lang: str = "zh", customers: int = 40) -> Path:
    path = make_book(folder, lang, customers=customers)
    book = openpyxl.load_workbook(path)
    log = book.create_sheet(LOG_SHEET[lang])
    log.append(LOG_HEADER[lang])
    for row in log_rows(path, lang):
        log.append(row)
    book.save(path)
    refresh(FileBook(path), TODAY)
    followups(FileBook(path), TODAY)
    return path


def logged(path: Path, lang: str) -> pd.DataFrame:
    """The contact log as typed, with each contact's owner: the row's own, else the customer's."""
    book = openpyxl.load_workbook(path, data_only=True)
    rows = list(book[LOG_SHEET[lang]].iter_rows(values_only=True))
    frame = pd.DataFrame(rows[1:], columns=["date", "customer", "owner", "channel", "note"])
    owners = customer_sheet(path, lang).set_index("_key")["owner"]
    frame["owner"] = frame["owner"].fillna(frame["customer"].map(same_customer).map(owners))
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def report_grid(path: Path, lang: str) -> list[list]:
    """The report sheet's cells, read with openpyxl, each row without its empty cells at the right."""
    rows = [list(r) for r in openpyxl.load_workbook(path)[REPORT_SHEET[lang]].iter_rows(values_only=True)]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


def table_after(grid: list[list], title: str, nth: int = 0) -> list[list]:
    """The nth table below the section titled `title`: its header row, then its rows up to the first row
    with nothing beside the first cell (a note, a blank, the next section)."""
    start = section_row(grid, title)
    found = -1
    i = start + 1
    while i < len(grid):
        row = grid[i]
        if _is_header(grid, i):
            found += 1
            if found == nth:
                body = [row]
                for following in grid[i + 1:]:
                    if not following or all(v in (None, "") for v in following[1:]):
                        break
                    body.append(following)
                return body
        i += 1
    raise AssertionError(f"no table {nth} under {title!r}")


def section_row(grid: list[list], title: str) -> int:
    """The row holding a section's title alone: the last such row (the overview may name a measure the same
    way, and an overview row whose value is empty also holds its words alone)."""
    return max(i for i, row in enumerate(grid) if row == [title])


def _is_header(grid: list[list], i: int) -> bool:
    row = grid[i]
    return bool(row) and sum(v not in (None, "") for v in row) >= 2 and all(isinstance(v, str) for v in row if v)
