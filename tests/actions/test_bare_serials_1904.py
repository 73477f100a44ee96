"""A date typed as a bare number (45000, no date format) in a workbook that counts its days from 1904.

Excel for Mac's old default (workbookPr date1904="1") counts a day's number from 1 January 1904, so the same
number is a day 1462 days (four years and a day) later than in a workbook counting from 1900; Excel shows the
cell as that day once it is formatted as a date. The file back-end reads the workbook's date system from
workbook.xml, the live one asks Excel (Workbook.Date1904); every grid a back-end reads carries it, and the
typed records count bare numbers from the workbook's own day 0. Checked as a user would: the recency refresh
writes, the due list followups writes, the birthday greeting it lists, for a 1904 workbook and its 1900 twin
(the same days, each counted in its own system).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from helpers.cli import run
from helpers.remote import remote_book
from helpers.workbooks import values
from xlcrm.book.file import FileBook
from xlcrm.book.live import LiveBook
from xlcrm.core.fields import CUSTOMERS
from xlcrm.core.mapping import resolve
from xlcrm.core.parse import from_1904, parse_date
from xlcrm.core.records import read_records
from xlcrm.core.table import extract_table, find_header_row

TODAY = dt.date(2026, 3, 10)
HEADERS = ["Customer", "Contact", "Owner", "Last contact", "Next follow-up", "Last order", "Order count",
           "Total amount", "Birthday"]
# customer -> (last order, next follow-up, birthday): days as Excel shows them
DAYS = {"Acme Ltd": (dt.date(2026, 2, 20), dt.date(2026, 3, 5), dt.date(1980, 3, 12)),
        "Beta GmbH": (dt.date(2025, 11, 1), dt.date(2026, 3, 9), dt.date(1975, 8, 30)),
        "Chen Trading": (dt.date(2026, 3, 2), dt.date(2026, 3, 12), dt.date(1990, 3, 11))}
DAY_0 = {False: dt.date(1899, 12, 30), True: dt.date(1904, 1, 1)}


def serial(day: dt.date, date1904: bool) -> int:
    """The number Excel stores for the day in a workbook of that date system."""
    return (day - DAY_0[date1904]).days


def team_book(path: Path, date1904: bool) -> Path:
    """The team's customer sheet, its dates typed as bare numbers (General format, as a pasted export leaves them)."""
    book = openpyxl.Workbook()
    if date1904:
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(HEADERS)
    for name, (last_order, planned, born) in DAYS.items():
        sheet.append([name, "Li", "Sam", serial(dt.date(2026, 1, 5), date1904), serial(planned, date1904),
                      serial(last_order, date1904), 3, 1200, serial(born, date1904)])
    book.save(path)
    return path


def due_list(path: Path) -> dict[tuple[str, str], dt.date]:
    """(customer, touch) -> due day, as the due list shows them."""
    rows = values(path)["Due follow-ups"]
    header = next(row for row in rows if "Due" in row and "Touch" in row)
    at = {name: header.index(name) for name in ("Customer", "Touch", "Due")}
    return {(row[at["Customer"]], row[at["Touch"]]): row[at["Due"]] for row in rows[rows.index(header) + 1:]
            if row[at["Customer"]] in DAYS}


@pytest.mark.parametrize("date1904", [True, False], ids=["1904", "1900"])
def test_bare_numbers_in_date_columns_count_from_the_workbooks_own_day_0(tmp_path, date1904):
    path = team_book(tmp_path / "team.xlsx", date1904)
    assert {row[0]: row[5] for row in values(path)["Customers"][1:]} == {
        name: float(serial(days[0], date1904)) for name, days in DAYS.items()}, "stored as bare numbers"

    refreshed = run("refresh", path, "--today", TODAY, lang="en")
    assert refreshed.exit_code == 0, refreshed.output
    rows = values(path)["Customers"]
    recency = rows[0].index("Recency (days)")
    assert {row[0]: row[recency] for row in rows[1:]} == {name: (TODAY - days[0]).days for name, days in DAYS.items()}

    listed = run("followups", path, "--today", TODAY, lang="en")
    assert listed.exit_code == 0, listed.output
    due = due_list(path)
    assert {name: due[(name, "Regular follow-up")] for name in DAYS} == {name: days[1] for name, days in DAYS.items()}
    # the birthdays within the week: 11 and 12 March, as typed (counted from 1900, each would be a day off)
    assert {name: day for (name, touch), day in due.items() if touch == "Birthday"} == {
        "Acme Ltd": dt.date(2026, 3, 12), "Chen Trading": dt.date(2026, 3, 11)}
    assert "Data problems: 0" in listed.output


def test_the_file_back_end_reads_the_date_system_from_workbook_xml(tmp_path):
    mac, windows = (FileBook(team_book(tmp_path / f"{n}.xlsx", n == "mac")) for n in ("mac", "windows"))
    assert mac.date1904 and not windows.date1904
    assert mac.read_sheet("Customers").date1904 and mac.read_sheet("Customers", 2).date1904
    assert not windows.read_sheet("Customers").date1904


def test_reading_ahead_keeps_the_date_system(tmp_path):
    book = FileBook(team_book(tmp_path / "mac.xlsx", True))
    book.read_ahead()
    grid = book.read_sheet("Customers")
    assert grid.date1904 and grid[1][5] == serial(DAYS["Acme Ltd"][0], True)


class Mac:
    """An xlwings book whose Excel says the workbook counts from 1904 (Workbook.Date1904 through pywin32)."""

    def __init__(self, book):
        self._book = book
        self.api = SimpleNamespace(Date1904=True)

    def __getattr__(self, name):
        return getattr(self._book, name)


def test_the_live_back_end_asks_excel_and_the_records_count_from_1904(tmp_path):
    path = team_book(tmp_path / "mac.xlsx", True)
    assert not LiveBook(remote_book(path)).date1904, "an engine that cannot say (xlwings Server): 1900, as before"
    live = LiveBook(Mac(remote_book(path)))
    grid = live.read_sheet("Customers")
    assert live.date1904 and grid.date1904
    table = extract_table("Customers", grid, find_header_row(grid, CUSTOMERS)[0])
    records, problems = read_records(table, resolve(table, CUSTOMERS, {}), "customer")
    assert problems == []
    assert {name: day.date() for name, day in zip(records["customer"], records["last_order"])} == {
        name: days[0] for name, days in DAYS.items()}


def test_parse_date_counts_a_serial_from_the_date_system_it_is_told():
    day = dt.date(2026, 3, 5)
    assert parse_date(serial(day, False)) == (day, None)
    assert parse_date(serial(day, True), date1904=True) == (day, None)
    assert parse_date(str(serial(day, True)), date1904=True) == (day, None)  # a serial kept as text
    assert parse_date(serial(day, True) + 0.75, date1904=True) == (day, None)  # 18:00 that day
    assert parse_date(20260305, date1904=True) == (day, None)  # 20260305 is no serial in either system
    assert from_1904(serial(day, True)) == day and from_1904("Acme") == "Acme" and from_1904(True) is True


def test_one_sheet_per_owner_keeps_the_workbooks_date_system():
    from xlcrm.core.owner_sheets import combined

    def owner_table(sheet: str, date1904: bool):
        grid = [["Customer", "Last order"], [f"{sheet} Ltd", serial(dt.date(2026, 2, 20), date1904)]]
        table = extract_table(sheet, grid, 1)
        return table.__class__(**{**table.__dict__, "date1904": date1904})

    for date1904 in (True, False):
        tables = [owner_table("Li", date1904), owner_table("Wang", date1904)]
        records = [read_records(t, resolve(t, CUSTOMERS, {}), "customer")[0] for t in tables]
        table, _ = combined(tables, records)
        assert table.date1904 is date1904, "the orders read from the owners' sheets count from the same day 0"
