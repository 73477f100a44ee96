"""A time of day in a team's column (预约时间 14:30, formatted hh:mm) reads as a time through either back-end.

Excel keeps a time of day as a fraction of a day (14:30 is 0.604...), and Windows Excel's Range.Value hands it to
xlwings as a date on Excel's day 0, datetime(1899, 12, 30, 14, 30); the file back-end (calamine) reads the same
cell as datetime.time(14, 30). xlwings' remote Book stands in for Excel here, given each time cell as Windows
hands it over (in a workbook counting from 1904, also that system's day 0), and a mail template that says
{{ 预约时间 }} must then say the same through the ribbon as on the command line, never 1899年12月30日."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import shutil
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
import xlwings
from openpyxl.utils.datetime import CALENDAR_MAC_1904

import helpers.remote
from conftest import TODAY
from helpers.remote import remote_book
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.book.file import FileBook
from xlcrm.book.live import LiveBook

SHEET = "客户跟踪表"
APPOINTMENT = 14, 30


@pytest.fixture
def excel_day_zero(monkeypatch):
    """Each time cell sent to the remote Book as desktop Excel hands it to xlwings: a datetime on a day 0."""
    sent = helpers.remote._json_value
    day = {"zero": "1899-12-30"}

    def as_excel(value):
        if isinstance(value, dt.time):
            return f"{day['zero']}T{value:%H:%M:%S}.000Z"
        return sent(value)

    monkeypatch.setattr(helpers.remote, "_json_value", as_excel)
    return day


def with_appointment_times(path: Path, date1904: bool = False) -> Path:
    """The team's 预约时间 column beside 预约日期: 14:30 for every customer with an appointment."""
    book = openpyxl.load_workbook(path)
    if date1904:
        book.epoch = CALENDAR_MAC_1904
    sheet = book[SHEET]
    header = next(r for r in range(1, 6) if any(c.value == "预约日期" for c in sheet[r]))
    dates = next(c.column for c in sheet[header] if c.value == "预约日期")
    times = sheet.max_column + 1
    sheet.cell(header, times, "预约时间")
    for row in range(header + 1, sheet.max_row + 1):
        if sheet.cell(row, dates).value:
            sheet.cell(row, times, dt.time(*APPOINTMENT)).number_format = "hh:mm"
    book.save(path)
    return path


def column(grid, header: str) -> list:
    top = next(i for i, row in enumerate(grid) if header in row)
    at = grid[top].index(header)
    return [row[at] for row in grid[top + 1:] if len(row) > at and row[at] is not None]


@pytest.mark.parametrize("date1904, day_zero", [(False, "1899-12-30"), (True, "1899-12-30"), (True, "1904-01-01")])
def test_a_time_of_day_reads_as_the_same_time_through_both_back_ends(zh_book, excel_day_zero, monkeypatch,
                                                                     date1904, day_zero):
    with_appointment_times(zh_book, date1904)
    excel_day_zero["zero"] = day_zero
    if date1904:  # Workbook.Date1904, as Excel answers it
        monkeypatch.setattr(xlwings.Book, "api", property(lambda book: SimpleNamespace(Date1904=True)))
    live, file = LiveBook(remote_book(zh_book)).read_sheet(SHEET), FileBook(zh_book).read_sheet(SHEET)
    times = column(live, "预约时间")
    assert times and set(times) == {dt.time(*APPOINTMENT)}
    assert live == file
    assert live.date1904 is file.date1904 is date1904


def test_a_date_with_a_time_and_a_date_alone_stay_as_they_are(zh_book, excel_day_zero):
    book = openpyxl.load_workbook(zh_book)
    book[SHEET]["AZ3"] = dt.datetime(2026, 12, 5, 9, 15)
    book[SHEET]["AZ4"] = dt.datetime(2026, 12, 5)
    book.save(zh_book)
    grid = LiveBook(remote_book(zh_book)).read_sheet(SHEET)
    assert (grid[2][51], grid[3][51]) == (dt.datetime(2026, 12, 5, 9, 15), dt.date(2026, 12, 5))
    assert grid == FileBook(zh_book).read_sheet(SHEET)


def appointment_lines(outbox: Path) -> set[str]:
    found = set()
    for message in outbox.rglob("*.eml"):
        parsed = email.message_from_bytes(message.read_bytes(), policy=email.policy.default)
        body = next(p for p in parsed.walk() if p.get_content_type() == "text/plain").get_content()
        found |= {line for line in body.splitlines() if "预约的拜访时间" in line}
    return found


def test_a_reminder_says_the_appointment_time_from_the_ribbon_as_from_the_command_line(zh_book, tmp_path,
                                                                                       excel_day_zero):
    remind(FileBook(zh_book), RemindRequest(today=TODAY))  # the first preview writes the templates sheet
    with_appointment_times(zh_book)
    book = openpyxl.load_workbook(zh_book)
    templates = next(s for s in book.worksheets if "模板" in s.title)
    bodies = [c for row in templates.iter_rows() for c in row
              if isinstance(c.value, str) and "我们约在" in c.value]  # the 预约提醒 template's body
    assert bodies
    for cell in bodies:
        cell.value = "您预约的拜访时间:{{ 预约时间 }}。\n" + cell.value
    book.save(zh_book)
    lines = {}
    for kind in ("file", "live"):
        copy = tmp_path / kind / zh_book.name
        copy.parent.mkdir()
        shutil.copy(zh_book, copy)
        opened = FileBook(copy) if kind == "file" else LiveBook(remote_book(copy), folder=copy.parent)
        lines[kind] = appointment_lines(remind(opened, RemindRequest(today=TODAY)).outbox)
    assert lines["live"] == lines["file"]
    assert lines["live"] and all("14:30" in line and "1899" not in line for line in lines["live"])
