"""`xlcrm remind BOOK --today D` run every day from Monday 28 September to Monday 12 October 2026, across China's
National Day week (1-7 October off; Saturday 10 October an official make-up working day, 调休上班).

With Sending days = 工作日 a run holds everything on the days off, saying which holiday, and sends on the working
days, the make-up Saturday included. With Sending days empty (every day, the default) a run on a public holiday
sends as on any day and says that the day is a holiday and how to hold the messages.
"""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_book
from helpers.cli import run
from helpers.mailbook import set_settings
from xlcrm.core.calendar import WorkCalendar

START = dt.date(2026, 9, 28)
SEASON = [START + dt.timedelta(days=n) for n in range(15)]
CHINA = WorkCalendar("CN")


def headline(book, today: dt.date) -> list[str]:
    result = run("remind", book, "--today", today, lang="zh")
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


@pytest.fixture
def book(tmp_path):
    path = make_book(tmp_path, "zh", customers=40, today=START)
    assert run("remind", path, "--today", START).exit_code == 0  # the settings sheet, as a first preview writes it
    return path


def test_working_days_follow_the_holiday_calendar_day_by_day(book):
    set_settings(book, {"send_days": "工作日"})
    for today in SEASON:
        lines = headline(book, today)
        to_send = "待发送" in lines[0]
        assert to_send == CHINA.is_working_day(today), (today, lines[0])
        if today in (dt.date(2026, 10, 3), dt.date(2026, 10, 5)):  # National Day, on a Saturday and a Monday
            assert any("放假(国庆节" in line and "2026-10-08" in line for line in lines), lines
    assert CHINA.is_working_day(dt.date(2026, 10, 10))  # the make-up Saturday sent (checked above)


@pytest.mark.parametrize("today, holiday", [(dt.date(2026, 10, 3), "国庆节"), (dt.date(2026, 10, 5), "国庆节")])
def test_a_run_on_a_public_holiday_with_every_day_sending_says_so(book, today, holiday):
    lines = headline(book, today)
    assert "待发送" in lines[0]
    note = [line for line in lines if f"{today:%Y-%m-%d} 放假({holiday}" in line]
    assert note and "工作日" in note[0], lines
    assert not any("放假" in line for line in headline(book, dt.date(2026, 10, 9)))  # an ordinary Friday
