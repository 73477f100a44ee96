"""When the next contact is due, and how its status reads: the rules of the team's playbook."""

import datetime as dt

import pandas as pd
import pytest

from helpers.people import people, settings
from xlcrm.core.calendar import WorkCalendar
from xlcrm.core.followups.cadence import plan_followups, statuses
from xlcrm.core.followups.followup_rules import read_rules

TODAY = dt.date(2026, 11, 23)
CHINA = WorkCalendar("CN")


def plan(frame, today=TODAY, **blocks):
    return plan_followups(frame, read_rules(settings(**blocks)), CHINA, today)


def day(text):
    return pd.Timestamp(text)


def test_the_teams_own_next_date_wins_while_it_is_after_the_last_contact():
    frame = people({"last_contact": "2026-11-10", "next_followup": "2026-11-30", "existing": True},
                   {"last_contact": "2026-11-10", "next_followup": "2026-11-10", "existing": True},
                   {"last_contact": "2026-11-10", "next_followup": "2026-11-01", "existing": True},
                   {"next_followup": "2026-12-01"})
    result = plan(frame)
    assert result["due"].tolist() == [day("2026-11-30"), day("2026-11-24"), day("2026-11-24"), day("2026-12-01")]
    assert result["own_date"].tolist() == [True, False, False, True]


def test_cadence_follows_class_then_existing_or_prospect_and_a_customer_column_wins():
    base = {"last_contact": "2026-11-02"}  # a Monday: +7, +14, +15 are all working days
    frame = people({**base, "class": "A", "existing": True}, {**base, "class": "B", "existing": True},
                   {**base, "existing": True}, {**base}, {**base, "class": "A", "cadence_days": 30})
    result = plan(frame)
    assert result["cadence"].tolist() == [7, 14, 14, 15, 30]
    assert result["due"].tolist() == [day("2026-11-09"), day("2026-11-16"), day("2026-11-16"), day("2026-11-17"),
                                      day("2026-12-02")]


def test_a_prospect_keeps_the_prospect_cadence_whatever_class_refresh_gave_it():
    base = {"last_contact": "2026-11-02"}
    frame = people({**base, "class": "D"}, {**base, "class": "A"}, {**base, "class": "D", "existing": True})
    assert plan(frame, cadence={"prospect": 15, "D": 14})["cadence"].tolist() == [15, 15, 14]


def test_without_any_date_the_status_is_no_date():
    result = plan(people({"existing": True}, {"birthday": "1980-05-05"}))
    assert result["due"].isna().all()
    assert result["status"].tolist() == ["no_date", "no_date"]


def test_never_contacted_customers_count_from_their_first_contact():
    result = plan(people({"first_contact": "2026-11-02", "existing": True}))
    assert result["due"].tolist() == [day("2026-11-16")]


@pytest.mark.parametrize("direction, expected", [("before", "2026-09-30"), ("after", "2026-10-08"),
                                                 ("keep", "2026-10-03")])
def test_a_computed_date_in_the_national_day_week_moves_as_the_settings_say(direction, expected):
    frame = people({"last_contact": "2026-09-19", "existing": True},  # + 14 days = 3 October
                   {"last_contact": "2026-09-19", "next_followup": "2026-10-03", "existing": True})
    result = plan(frame, followup={"day_off": direction})
    assert result["due"].tolist() == [day(expected), day("2026-10-03")]  # the team's own date never moves


def test_the_day_off_setting_reads_chinese_words():
    result = plan(people({"last_contact": "2026-09-19", "existing": True}), followup={"day_off": "顺延"})
    assert result["due"].tolist() == [day("2026-10-08")]


def test_a_cadence_counted_in_working_days_skips_the_holiday_week_and_counts_the_make_up_saturday():
    frame = people({"last_contact": "2026-09-28", "cadence_days": 5, "existing": True})
    result = plan(frame, followup={"count_in": "工作日"})
    # 29, 30 September; 8, 9 October; Saturday 10 October is a working day
    assert result["due"].tolist() == [day("2026-10-10")]


def test_a_new_lead_is_due_a_first_answer_within_7_days_and_never_later_than_14():
    frame = people({"first_contact": "2026-11-16"},
                   {"first_contact": "2026-11-16", "next_followup": "2026-12-20"},
                   {"first_contact": "2026-11-16", "last_contact": "2026-11-18"},
                   {"first_contact": "2026-11-16", "existing": True})
    result = plan(frame)
    assert result["occasion"].tolist() == ["first_answer", "first_answer", "followup", "followup"]
    assert result["due"].tolist() == [day("2026-11-23"), day("2026-11-30"), day("2026-12-03"), day("2026-11-30")]
    assert result["answer_by"].iloc[0] == day("2026-11-30")


def test_lead_days_come_from_the_settings():
    frame = people({"first_contact": "2026-11-16"}, {"first_contact": "2026-11-16", "next_followup": "2026-12-20"})
    result = plan(frame, touches={"first_answer": {"days": 3}}, followup={"lead_max_days": 10})
    assert result["due"].tolist() == [day("2026-11-19"), day("2026-11-26")]


@pytest.mark.parametrize("offset, status", [(-30, "overdue"), (-1, "overdue"), (0, "due_today"), (1, "due_week"),
                                            (7, "due_week"), (8, "ok"), (400, "ok")])
def test_status_boundaries(offset, status):
    due = pd.Series([pd.Timestamp(TODAY) + pd.Timedelta(days=offset)])
    assert statuses(due, TODAY).tolist() == [status]


def test_bad_setting_values_are_noted_and_the_defaults_used():
    rules = read_rules(settings(cadence={"A": "often", "prospect": -3},
                                followup={"count_in": "sometimes", "calendar": "XX"}))
    assert rules.cadence["A"] == 7 and rules.cadence["prospect"] == 15
    assert rules.count_in == "calendar" and rules.country == "CN"
    notes = [n.text("en") for n in rules.notes]
    assert len(notes) == 4 and any("often" in n for n in notes) and any("XX" in n for n in notes)
    assert all(n.text("zh") for n in rules.notes)


def test_a_touch_switched_off_is_off_and_yes_no_read_in_both_languages():
    rules = read_rules(settings(touches={"birthday": {"on": "否"}, "thanks": {"on": "no"}, "holiday": {"on": "是"}}))
    assert not rules.on("birthday") and not rules.on("thanks") and rules.on("holiday") and rules.on("feedback")


def test_a_meeting_held_counts_as_the_contact_though_nobody_logged_it():
    """Met on Friday 20 November, the last contact typed still from October: the next follow-up counts from the
    meeting, so no "long time no see" goes out the working day after it; a meeting still to come changes nothing."""
    old_contact = {"last_contact": "2026-10-12", "existing": True, "class": "B"}
    result = plan(people({**old_contact, "appointment": "2026-11-20"}, {**old_contact, "appointment": "2026-12-01"},
                         {**old_contact}))
    assert result["due"].tolist() == [day("2026-12-04"), day("2026-10-26"), day("2026-10-26")]
    assert result["status"].tolist()[:2] == ["ok", "overdue"]
    assert result["last_contact"].tolist()[0] == day("2026-11-20")


def test_a_lead_first_contacted_months_ago_is_followed_up_not_thanked_for_getting_in_touch():
    """First contact in January, never answered (or the later contacts lie after the day a catch-up run is for):
    a first answer is due within 14 days, and 28 days on it is no new lead's answer any more."""
    result = plan(people({"first_contact": "2026-01-05"}, {"first_contact": "2026-10-26"},
                         {"first_contact": "2026-10-25"}))
    assert result["occasion"].tolist() == ["followup", "first_answer", "followup"]
    assert result["status"].tolist() == ["overdue", "overdue", "overdue"]
