"""A holiday greeting's fields: {{ detail }} is the holiday's name alone (customers read it: {{ detail }}快乐), and
the festival's own day is {{ occasion_date }}, spelled as every date in a message is."""

import datetime as dt

import pandas as pd

from helpers.people import people, settings
from xlcrm.core.calendar import WorkCalendar
from xlcrm.core.followups.care import care_touches, greeted_holidays
from xlcrm.core.followups.followup_rules import read_rules
from xlcrm.core.mailmerge.merge_fields import field_names, touch_context
from xlcrm.core.mailmerge.send_window import SendWindow
from xlcrm.core.mailmerge.sender_profile import SenderProfile

CHINA = WorkCalendar("CN")
PROFILE = SenderProfile("", 465, "ssl", "", "", "", "恒信科技", 20, 100, SendWindow(), False, 3)


def mid_autumn(lang: str, today: dt.date) -> dict:
    chosen = settings()
    touches, _ = care_touches(people({"customer": "吴氏"}), read_rules(chosen), CHINA,
                              greeted_holidays(chosen, lang, CHINA, today), today, lang)
    greeting = touches[touches["occasion"].eq("holiday")].iloc[0].to_dict()
    return touch_context({"customer": "吴氏", "contact": "吴总"}, greeting, PROFILE, today, lang)


def test_the_detail_is_the_holidays_name_and_its_day_a_field_of_its_own():
    zh = mid_autumn("zh", dt.date(2026, 9, 22))
    assert zh["detail"] == "中秋节" and zh["occasion_date"] == "2026年9月25日"
    en = mid_autumn("en", dt.date(2026, 9, 27))  # after the day, inside the window
    assert en["detail"] == "Mid-Autumn Festival" and en["occasion_date"] == "25 Sep 2026"
    assert "occasion_date" in field_names([])  # a template may use it


def test_a_regular_follow_up_has_no_occasion_date():
    touch = {"row": 2, "key": "k", "customer": "吴氏", "owner": None, "occasion": "followup",
             "due": pd.Timestamp("2026-09-22"), "status": "due_today", "detail": None, "occasion_date": pd.NaT}
    assert touch_context({"customer": "吴氏"}, touch, PROFILE, dt.date(2026, 9, 22), "zh")["occasion_date"] == ""
