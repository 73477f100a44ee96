"""A day typed without a year (11月20日, 12/5) in a column of days gone by (last contact, last order) is the latest
such day up to the day the action runs as of; core is given that day, it never reads the clock. A column of days
to come (next follow-up) keeps listing such a day as a date without a year, and so does a read given no day."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd

from xlcrm.book.file import FileBook
from xlcrm.core.mapping import Mapping
from xlcrm.core.records import read_records
from xlcrm.core.table import extract_table

TODAY = dt.date(2026, 12, 3)
ROWS = [  # customer, last contact as typed, next follow-up as typed, the last contact it means
    ("甲公司", "11月20日", "12月20日", dt.date(2026, 11, 20)),
    ("乙公司", "12/5", None, dt.date(2025, 12, 5)),  # after today: last year's
    ("丙公司", "12月3日", None, dt.date(2026, 12, 3)),  # today itself
    ("丁公司", "2月29日", None, dt.date(2024, 2, 29)),  # the latest leap year's
    ("戊公司", dt.date(2026, 10, 1), None, dt.date(2026, 10, 1)),
    ("己公司", "2月30日", None, None),  # no such day in any year
]


def tracking_sheet(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "最近联系日期", "下次跟进"])
    for customer, last, following, _ in ROWS:
        sheet.append([customer, last, following])
    book.save(path)
    return extract_table("客户", FileBook(path).read_sheet("客户"), 1)


MAPPING = Mapping({"customer": 0, "last_contact": 1, "next_followup": 2}, [])


def test_a_yearless_last_contact_is_the_latest_such_day_up_to_today(tmp_path):
    records, problems = read_records(tracking_sheet(tmp_path / "客户.xlsx"), MAPPING, "customer", today=TODAY)
    read = dict(zip(records["customer"], records["last_contact"].map(lambda day: None if pd.isna(day) else day.date())))
    assert read == {customer: meant for customer, _, _, meant in ROWS}
    said = [(p.sheet, p.row, p.column, p.value, p.why.text("zh")) for p in problems]
    assert said == [("客户", 2, "C 下次跟进", "12月20日", "日期缺少年份"),  # a day to come: no year is guessed
                    ("客户", 7, "B 最近联系日期", "2月30日", "日历上没有这一天")]


def test_without_the_day_of_the_run_a_yearless_day_is_listed_as_such(tmp_path):
    records, problems = read_records(tracking_sheet(tmp_path / "客户.xlsx"), MAPPING, "customer")
    assert records["last_contact"].isna().sum() == 5
    assert sorted((p.row, p.why.text("en")) for p in problems if p.column == "B 最近联系日期") == [
        (row, "date without a year") for row in (2, 3, 4, 5, 7)]


def test_followups_as_of_a_day_count_a_yearless_last_contact_from_that_day(tmp_path):
    """Through the command line: the action's --today is the day the yearless last contacts are placed on."""
    from helpers.cli import run
    from helpers.workbooks import sheet_rows

    path = tmp_path / "team.xlsx"
    tracking_sheet(path)
    result = run("followups", path, "--today", f"{TODAY:%Y-%m-%d}")
    assert result.exit_code == 0, result.output
    problems = [row for row in sheet_rows(path, "数据问题") if row and row[0] == "客户"]
    last_contact = [(row[1], row[4]) for row in problems if row[2].startswith("B ")]
    assert last_contact[0] == (7, "日历上没有这一天"), problems  # 2月30日 alone: each other day placed
    assert not any("缺少年份" in why for _, why in last_contact), problems
    assert [row[1] for row in problems if "缺少年份" in row[4]] == [2]  # 12月20日 to come: said, not guessed
