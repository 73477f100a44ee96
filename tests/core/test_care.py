"""Care occasions and the touches a deal or delivery sets off."""

import datetime as dt

import pandas as pd
import pytest

from helpers.people import people, settings
from xlcrm.core.calendar import WorkCalendar
from xlcrm.core.followups.care import care_touches, greeted_holidays
from xlcrm.core.followups.followup_rules import read_rules
from xlcrm.core.followups.touches import OCCASIONS, STATUSES, TOUCH_COLUMNS
from xlcrm.core.all_settings import settings_from_user

CHINA = WorkCalendar("CN")


def care(frame, today, lang="en", **blocks):
    chosen = settings(**blocks)
    touches, notes = care_touches(frame, read_rules(chosen), CHINA, greeted_holidays(chosen, lang, CHINA, today), today, lang)
    assert list(touches.columns) == list(TOUCH_COLUMNS)
    assert set(touches["occasion"]) <= set(OCCASIONS) and set(touches["status"]) <= set(STATUSES)
    return touches, notes


def of(touches, occasion):
    return touches[touches["occasion"] == occasion]


def dues(touches, occasion):
    return [d.date() for d in of(touches, occasion)["due"]]


@pytest.mark.parametrize("today, expected", [
    (dt.date(2027, 2, 20), dt.date(2027, 2, 28)),  # no 29 February in 2027
    (dt.date(2028, 2, 20), dt.date(2028, 2, 29)),
    (dt.date(2027, 2, 28), dt.date(2027, 2, 28)),
])
def test_a_birthday_on_29_february_is_greeted_on_28_february_in_other_years(today, expected):
    touches, _ = care(people({"birthday": "1988-02-29"}, {"birthday": "2000-02-29"}), today)  # 2000: typed as 2月29日
    assert of(touches, "birthday")["detail"].tolist() == [f"birthday {expected:%Y-%m-%d}"] * 2


def test_a_birthday_is_listed_only_when_it_comes_within_the_look_ahead_and_its_window_is_open():
    frame = people({"birthday": "1980-12-01"}, {"birthday": "1980-11-19"}, {"birthday": "1980-06-01"},
                   {"birthday": "1980-11-20"})
    touches, _ = care(frame, dt.date(2026, 11, 23))
    assert dues(touches, "birthday") == [dt.date(2026, 12, 1), dt.date(2026, 11, 20), dt.date(2026, 11, 19)]
    assert of(touches, "birthday")["status"].tolist() == ["ok", "due_today", "missed"]  # 20 Nov + 3 days: open
    touches = touches[touches["status"].ne("missed")]
    touches, _ = care(frame, dt.date(2026, 11, 23), touches={"birthday": {"days": 3}},
                      followup={"look_ahead_days": 5})
    touches = touches[touches["status"].ne("missed")]
    assert dues(touches, "birthday") == [dt.date(2026, 11, 28), dt.date(2026, 11, 17)]
    assert of(touches, "birthday")["status"].tolist() == ["due_week", "due_today"]


@pytest.mark.parametrize("today, due, festival", [
    (dt.date(2026, 2, 10), dt.date(2026, 2, 14), "2026-02-17"),
    (dt.date(2027, 1, 25), dt.date(2027, 2, 3), "2027-02-06"),
])
def test_spring_festival_greetings_follow_the_lunar_calendar_each_year(today, due, festival):
    touches, notes = care(people({"customer": "A"}, {"customer": "B"}), today, "zh")
    greetings = of(touches, "holiday")
    spring = greetings[greetings["detail"].str.startswith("春节")]
    assert [d.date() for d in spring["due"]] == [due, due]
    assert spring["detail"].tolist() == ["春节"] * 2
    assert not notes


def test_the_holiday_list_in_the_settings_decides_which_holidays_are_greeted():
    chosen = settings()
    chosen = settings_from_user({"holidays": [{"holiday": "中秋节", "greet": "否"},
                                                      {"holiday": "Teachers' Day", "greet": "yes"},
                                                      {"holiday": "Labor Day", "greet": "是"}]})
    day = dt.date(2026, 4, 20)
    greeted = greeted_holidays(chosen, "en", CHINA, day)
    assert greeted == ["Teachers' Day", "Labor Day"]
    touches, notes = care_touches(people({"customer": "A"}), read_rules(chosen), CHINA, greeted, day, "en")
    assert [d.date() for d in touches["due"]] == [dt.date(2026, 4, 28)]  # Labor Day 1 May, 3 days before
    assert len(notes) == 1 and "Teachers' Day" in notes[0].text("en") and "中秋节" in notes[0].text("zh")


def test_a_thank_you_is_due_the_day_after_the_deal_until_someone_contacts_the_customer():
    won = {"deal_won": "2026-11-20", "existing": True}
    frame = people({**won, "last_contact": "2026-11-20"}, {**won, "last_contact": "2026-11-21"}, {**won})
    touches, _ = care(frame, dt.date(2026, 11, 23))
    thanks = of(touches, "thanks")
    assert thanks["row"].tolist() == [3, 5]
    assert dues(touches, "thanks") == [dt.date(2026, 11, 21)] * 2
    assert thanks["status"].tolist() == ["overdue", "overdue"]


def test_a_thank_you_closes_a_week_after_it_was_due_or_once_the_goods_are_delivered():
    won = {"deal_won": "2026-11-16", "existing": True}  # thanks due 17 November
    frame = people({**won}, {**won, "delivery": "2026-11-20"}, {**won, "delivery": "2026-11-30"})
    assert of(care(frame, dt.date(2026, 11, 19))[0], "thanks")["row"].tolist() == [3, 4, 5]
    assert of(care(frame, dt.date(2026, 11, 20))[0], "thanks")["row"].tolist() == [3, 5]  # delivered: too late
    assert of(care(frame, dt.date(2026, 11, 24))[0], "thanks")["row"].tolist() == [3, 5]  # 7 days late
    assert of(care(frame, dt.date(2026, 11, 25))[0], "thanks").empty  # 8 days late: a thank-you would be old news


def test_feedback_within_a_week_of_delivery_and_a_return_visit_later_each_closed_by_their_own_contact():
    delivered = {"delivery": "2026-11-02", "existing": True}
    frame = people({**delivered}, {**delivered, "last_contact": "2026-11-05"},
                   {**delivered, "last_contact": "2026-11-28"})
    touches, _ = care(frame, dt.date(2026, 11, 23))
    assert of(touches, "feedback")["row"].tolist() == [3]
    assert dues(touches, "feedback") == [dt.date(2026, 11, 9)]
    assert of(touches, "return_visit")["row"].tolist() == [3, 4]  # the feedback call does not count as the visit
    assert dues(touches, "return_visit") == [dt.date(2026, 12, 2)] * 2


def test_touches_after_an_event_drop_off_once_stale():
    touches, _ = care(people({"delivery": "2026-09-01"}), dt.date(2026, 11, 23))
    assert of(touches, "feedback").empty  # due 8 September, more than 30 days ago
    touches, _ = care(people({"delivery": "2026-09-01"}), dt.date(2026, 11, 23), followup={"stale_days": 90})
    assert dues(touches, "feedback") == [dt.date(2026, 9, 8)]


def test_an_appointment_reminder_counts_working_days_back_over_the_holiday_week():
    # 9 October 2026: 8 Oct, 30 Sep, 29 Sep, 28 Sep working; 27 Sep Sunday; 26 Sat; 25 Mid-Autumn; 24 Thu
    meeting = {"appointment": "2026-10-09"}
    frame = people({**meeting}, {**meeting, "last_contact": "2026-09-18"}, {**meeting, "last_contact": "2026-09-25"},
                   {"appointment": "2026-09-01"})
    touches, _ = care(frame, dt.date(2026, 9, 26))
    assert of(touches, "appointment")["row"].tolist() == [3, 4]  # a contact since the reminder was due closes it
    assert dues(touches, "appointment") == [dt.date(2026, 9, 24)] * 2
    assert of(touches, "appointment")["status"].tolist() == ["overdue"] * 2
    assert of(touches, "appointment")["detail"].tolist() == ["appointment 2026-10-09"] * 2
    touches, _ = care(frame, dt.date(2026, 9, 20), touches={"appointment": {"days": 2}})
    assert dues(touches, "appointment") == [dt.date(2026, 9, 30)] * 3


def test_occasions_switched_off_are_not_listed():
    frame = people({"birthday": "1980-11-25", "deal_won": "2026-11-20"})
    touches, _ = care(frame, dt.date(2026, 11, 23), touches={"birthday": {"on": "no"}, "thanks": {"on": "否"}})
    assert touches.empty


def test_no_customers_no_touches():
    touches, _ = care(people(), dt.date(2026, 11, 23))
    assert touches.empty and pd.api.types.is_datetime64_any_dtype(touches["due"])


@pytest.mark.parametrize("birthday, first, last", [
    ("1980-12-05", "2026-12-04", "2026-12-08"),  # a Saturday: the Friday before, open until Tuesday
    ("1980-01-02", "2026-12-31", "2027-01-05"),  # a Saturday after New Year's Day: the Thursday before
    ("1980-12-09", "2026-12-09", "2026-12-12"),  # a Wednesday: the day itself
])
def test_a_birthday_greeting_is_due_through_its_window_and_before_the_day_when_that_is_a_day_off(birthday, first,
                                                                                                   last):
    frame = people({"birthday": birthday})
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    seen = {}
    for day in pd.date_range(start - pd.Timedelta(days=3), end + pd.Timedelta(days=2)):
        touches, _ = care(frame, day.date())
        found = of(touches, "birthday")
        seen[day] = (found["due"].iloc[0], found["status"].iloc[0]) if len(found) and \
            found["due"].iloc[0] <= end else None
    open_days = [d for d, v in seen.items() if v and v[1] == "due_today"]
    assert open_days == list(pd.date_range(start, end))
    assert {v[0] for v in seen.values() if v} == {start}  # one due date all along: one message key


def test_a_greeting_whose_window_closed_is_listed_as_missed_unless_it_went_out():
    from xlcrm.core.followups.due import drop_greeted
    frame = people({"customer": "A", "birthday": "1980-11-16"}, {"customer": "B", "birthday": "1980-11-16"})
    touches, _ = care(frame, dt.date(2026, 11, 23))  # 16 Nov + 3 days closed on the 19th
    missed = of(touches, "birthday")
    assert missed["status"].tolist() == ["missed"] * 2 and dues(touches, "birthday") == [dt.date(2026, 11, 16)] * 2
    sent = pd.DataFrame({"customer_key": ["a"], "occasion": ["birthday"], "msg_key": ["a|生日祝福|birthday|2026-11-16"]})
    left = drop_greeted(touches, sent)
    assert of(left, "birthday")["customer"].tolist() == ["B"]
    later, _ = care(frame, dt.date(2027, 1, 5))  # more than stale_days (30) after: no longer listed
    assert of(later, "birthday").empty
