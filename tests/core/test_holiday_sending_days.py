"""Sending days across a holiday season: '工作日' / working days are the workbook's own working days (the holiday
calendar its due dates use: public holidays off, make-up Saturdays on), and a run on a public holiday says so.

Played day by day over China's National Day week of 2026 (1-7 October off; Sunday 20 September and Saturday
10 October make-up working days) and on a Spring Festival Monday: the plan a run as of each day makes.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlcrm.core.calendar import WorkCalendar
from xlcrm.core.mailmerge.send_plan import Rules, apply_cap, empty_history, holiday_note, plan_messages
from xlcrm.core.mailmerge.send_window import parse_window
from xlcrm.core.mailmerge.templates_sheet import Template

CHINA = WorkCalendar("CN")
SEASON = [dt.date(2026, 9, 28) + dt.timedelta(days=n) for n in range(15)]  # Mon 28 Sep .. Mon 12 Oct
OFF = {dt.date(2026, 10, d) for d in (1, 2, 3, 4, 5, 6, 7, 11)}  # National Day week (Sunday 4th too), Sunday 11th
CHECK_IN = Template("跟进问候", 2, frozenset({"followup"}), frozenset(), frozenset(), frozenset(), "s", "b")


def window(days: str):
    return parse_window(days, "", lambda key, why: ValueError(key))


def day_plan(today: dt.date, send_days: str = "", customers: int = 5) -> tuple[pd.DataFrame, Rules]:
    """The plan of a run at 10:00 on `today` with follow-ups due that day, sending days as typed."""
    rows = list(range(2, 2 + customers))
    touches = pd.DataFrame({"row": rows, "key": [f"客户{r}" for r in rows], "customer": [f"客户{r}" for r in rows],
                            "owner": "张三", "occasion": "followup", "due": pd.Timestamp(today),
                            "status": "due_today", "detail": None, "occasion_date": pd.NaT})
    addresses = [f"c{r}@kehu.example.com" for r in rows]
    people = pd.DataFrame({"key": touches["key"].to_numpy(), "email": addresses, "email_raw": addresses,
                           "opt_out": False, "class_norm": None, "segment_norm": None}, index=rows)
    rules = Rules(today=today, now=dt.datetime.combine(today, dt.time(10)), min_days=0,
                  windows={CHECK_IN.name: window(send_days)}, calendar=CHINA)
    plan, _ = plan_messages(touches, people, [CHECK_IN], empty_history(), rules)
    apply_cap(plan, rules)
    return plan, rules


def test_working_days_are_the_calendars_not_monday_to_friday():
    assert window("工作日").working_days and window("working days").working_days
    assert not window("周一至周五").working_days and not window("Mon-Fri").working_days  # days of the week, as typed
    assert {day for day in SEASON if not window("工作日").sends_on(day, CHINA)} == OFF
    assert window("工作日").sends_on(dt.date(2026, 10, 10), CHINA)  # the make-up Saturday (调休上班)
    assert window("工作日").next_open(dt.datetime(2026, 10, 1, 10), CHINA) == dt.datetime(2026, 10, 8)


def test_a_season_of_runs_with_working_days_holds_the_holidays_and_sends_on_the_make_up_saturday():
    for today in SEASON:
        plan, _ = day_plan(today, "工作日")
        decisions = set(plan["decision"])
        if today in OFF:
            assert decisions == {"held"}, today
            reason = plan["reason"].iloc[0]
            if today.day <= 7:
                assert reason.args["at"].startswith("2026-10-08"), (today, reason)
            if today.weekday() < 5 or today.day == 3:  # a public holiday is named; a Sunday is a plain weekend
                assert "放假" in reason.text("zh") and "day off" in reason.text("en"), today
                assert "国庆节" in reason.text("zh") or "休息日" in reason.text("zh"), reason.text("zh")
        else:
            assert decisions == {"send"}, today


@pytest.mark.parametrize("today, name", [(dt.date(2026, 10, 3), "国庆节"), (dt.date(2027, 2, 8), "春节")])
def test_a_run_on_a_public_holiday_that_sends_says_so_and_how_to_hold(today, name):
    plan, rules = day_plan(today)  # sending days empty: every day
    assert set(plan["decision"]) == {"send"}
    note = holiday_note(plan, rules)
    assert note is not None
    assert name in note.text("zh") and "工作日" in note.text("zh") and "5" in note.text("zh")
    assert "day off" in note.text("en") and "working days" in note.text("en")


def test_a_run_on_an_ordinary_day_or_a_plain_weekend_has_no_holiday_note():
    for today in (dt.date(2026, 9, 29), dt.date(2026, 10, 11), dt.date(2026, 10, 10)):
        plan, rules = day_plan(today)
        assert holiday_note(plan, rules) is None, today


def test_days_off_the_team_typed_count_as_holidays_for_working_days():
    company_day = dt.date(2026, 9, 30)  # a Wednesday the company takes off
    calendar = WorkCalendar("CN", extra_off=(company_day,))
    assert not window("工作日").sends_on(company_day, calendar)
    assert calendar.holiday_on(company_day) is not None
