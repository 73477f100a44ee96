"""Care occasions (关怀) and the touches a deal or a delivery sets off, as due touches.

Birthdays (29 February falls on 28 February in other years), holidays resolved per year
from the calendar package (lunar ones included), a thank-you after a deal, a feedback call
and a return visit after delivery, and an appointment reminder some working days ahead.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pandas as pd

from xlcrm.core.calendar import DEFAULT_COUNTRY, WorkCalendar
from xlcrm.core.followups.cadence import statuses
from xlcrm.core.lunar import next_occurrence
from xlcrm.core.followups.followup_rules import NO, YES, Rules, read_flag
from xlcrm.core.i18n import Msg, pick
from xlcrm.core.parse import clean_text
from xlcrm.core.settings import Block, Col, Settings
from xlcrm.core.followups.touches import TOUCH_COLUMNS

# Greeted by default; every other holiday of the calendar is listed, switched off.
GREETED = {"New Year's Day", "Chinese New Year (Spring Festival)", "Dragon Boat Festival", "Mid-Autumn Festival",
           "National Day"}
REOPEN_WINDOW = 7  # a contact in the week before a touch is due counts as having done it
THANKS_OPEN = 7  # a thank-you more than a week late, or after the delivery, would thank for old news: it closes

UNKNOWN_HOLIDAY = Msg("Holiday '{name}' in the holiday list is not in the {country} calendar; known: {known}.",
                      "节日问候表中的“{name}”不在 {country} 日历中;可用:{known}。")
DETAILS = {
    "birthday": Msg("birthday {date}", "生日 {date}"),
    "lunar_birthday": Msg("lunar birthday (on {date})", "农历生日(公历 {date})"),
    "thanks": Msg("deal won {date}", "成交于 {date}"),
    "feedback": Msg("delivered {date}", "到货于 {date}"),
    "return_visit": Msg("delivered {date}", "交付于 {date}"),
    "appointment": Msg("appointment {date}", "预约于 {date}"),
}
EVENTS = {"thanks": "deal_won", "feedback": "delivery", "return_visit": "delivery"}


NAMES_YEAR = 2026  # the default list shows China's holiday names, the same every year; dates are worked out per run


def default_holidays(year: int = NAMES_YEAR) -> list[dict]:
    return [{"holiday": Msg(en, zh), "greet": YES if en in GREETED else NO} for en, zh in _default_names(year)]


@cache
def _default_names(year: int) -> tuple[tuple[str, str], ...]:
    """China's holidays of the year as (English, Chinese) names: every run's settings list them (0.1-0.2 s cold)."""
    names = WorkCalendar(DEFAULT_COUNTRY).holiday_names(year)
    return tuple(zip(names["en"], names["zh"]))


HOLIDAYS = Block(
    "holidays", Msg("Holiday greetings", "节日问候"),
    (Col("holiday", "Holiday", "节日"), Col("greet", "Greet", "问候")),
    default_holidays, key=None,
    note=Msg("Names as in the calendar (Chinese or English); dates, lunar ones too, are worked out every year.",
             "节日名称与日历一致(中文或英文均可);日期(含农历节日)每年自动计算。"),
)


def greeted_holidays(settings: Settings, lang: str, calendar: WorkCalendar, today: dt.date) -> list[str]:
    """The holidays ticked in the settings, named as typed (the defaults in the current language). China's
    default list, kept as it is, greets under another calendar only the holidays that calendar has."""
    rows = settings.rows("holidays")
    names = [(_text(r.get("holiday"), lang), _text(r.get("greet"), lang)) for r in rows]
    greeted = [name for name, greet in names if name and read_flag(greet, False)]
    if calendar.country != DEFAULT_COUNTRY and _is_default_list(rows):
        years = (today.year, today.year + 1)
        greeted = [n for n in greeted if any(calendar.find_holiday(n, y) is not None for y in years)]
    return greeted


def _is_default_list(rows: list[dict]) -> bool:
    """China's default list as xlcrm wrote it (in either language), not one the team changed."""
    defaults = {(_text(r["holiday"], lang), _text(r["greet"], lang)) for r in default_holidays() for lang in ("en", "zh")}
    typed = [(_text(r.get("holiday"), "en"), _text(r.get("greet"), "en")) for r in rows]
    return len(typed) == len(default_holidays()) and all(row in defaults for row in typed)


def _text(value, lang: str) -> str:
    return clean_text(value.text(lang) if isinstance(value, Msg) else value)


def touch_frame(people: pd.DataFrame, keep: pd.Series, occasion: str, due: pd.Series, today: dt.date,
                detail: pd.Series | None = None, on: pd.Series | None = None) -> pd.DataFrame:
    """Due touches (core.touches columns) for the customers where keep is true; on: the occasion's own day."""
    rows = people.index[keep.fillna(False).astype(bool)]
    frame = pd.DataFrame({
        "row": rows.astype("int64"),
        "key": people.loc[rows, "key"].to_numpy(),
        "customer": people.loc[rows, "customer"].to_numpy(),
        "owner": people.loc[rows, "owner"].to_numpy(),
        "occasion": occasion,
        "due": pd.to_datetime(due.loc[rows]).to_numpy(dtype="datetime64[ns]"),
        "detail": None if detail is None else detail.loc[rows].to_numpy(),
        "occasion_date": pd.NaT if on is None else pd.to_datetime(on.loc[rows]).to_numpy(dtype="datetime64[ns]"),
    })
    frame["status"] = statuses(frame["due"], today)
    return frame[list(TOUCH_COLUMNS)]


def _dated(template: Msg, dates: pd.Series, lang: str) -> pd.Series:
    """The template with each row's date in it (vectorised: a prefix and a suffix around the date)."""
    before, after = pick(lang, template.en, template.zh).split("{date}")
    days = dates.dt.strftime("%Y-%m-%d")
    return (before + days + after).where(dates.notna(), None)


def on_year(born: pd.Series, year: int) -> pd.Series:
    """The birthday in a given year; 29 February becomes 28 February when the year has none."""
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    day = born.dt.day.where(leap | ~((born.dt.month == 2) & (born.dt.day == 29)), 28)
    parts = pd.DataFrame({"year": year, "month": born.dt.month, "day": day})
    return pd.to_datetime(parts, errors="coerce")


def greeting_window(occasion: pd.Series, before: int, after: int, calendar: WorkCalendar
                    ) -> tuple[pd.Series, pd.Series]:
    """(first, last) day a greeting may go out: from `before` days ahead, and at the latest the working day
    before an occasion on a day off, until `after` days past it (a run missed on the day still sends it)."""
    ahead = occasion - pd.Timedelta(days=before)
    start = pd.concat([ahead, calendar.roll(occasion, "before")], axis=1).min(axis=1)
    return start.where(occasion.notna()), occasion + pd.Timedelta(days=after)


def _in_window(frame: pd.DataFrame, start: pd.Series, today: dt.date) -> pd.DataFrame:
    """A greeting inside its window is due now (status due_today), whichever day of the window it is."""
    opened = frame["due"].le(pd.Timestamp(today)).to_numpy()
    frame.loc[opened, "status"] = "due_today"
    return frame


def _birthdays_from(people: pd.DataFrame, since: dt.date, lang: str) -> tuple[pd.Series, pd.Series]:
    """(each customer's first birthday on or after `since`, its detail text)."""
    born = pd.to_datetime(people["birthday"])
    this_year, next_year = on_year(born, since.year), on_year(born, since.year + 1)
    occasion = this_year.where(this_year >= pd.Timestamp(since), next_year)
    detail = _dated(DETAILS["birthday"], occasion, lang)
    if "birthday_lunar" in people:  # a lunar birthday falls on another solar day every year
        lunar = next_occurrence(people["birthday_lunar"], since)
        occasion = lunar.where(lunar.notna(), occasion)
        detail = _dated(DETAILS["lunar_birthday"], lunar, lang).where(lunar.notna(), detail)
    return occasion, detail


def birthday_touches(people: pd.DataFrame, rules: Rules, calendar: WorkCalendar, today: dt.date,
                     lang: str) -> pd.DataFrame:
    """Each birthday whose greeting window is open or comes within the look-ahead (the window's first day is
    the touch's due date, the same on every run, so the message is sent once)."""
    after = rules.after("birthday")
    occasion, detail = _birthdays_from(people, today - dt.timedelta(days=after), lang)  # window still open
    due, _ = greeting_window(occasion, rules.days("birthday"), after, calendar)
    keep = occasion.notna() & (due <= _horizon(rules, today))
    return _in_window(touch_frame(people, keep, "birthday", due, today, detail, occasion), due, today)


def missed_birthdays(people: pd.DataFrame, rules: Rules, calendar: WorkCalendar, today: dt.date,
                     lang: str) -> pd.DataFrame:
    """Birthdays whose window closed in the last stale_days (status missed): the action drops those that
    were greeted, and what is left is listed as missed, never silently dropped."""
    after = rules.after("birthday")
    occasion, detail = _birthdays_from(people, today - dt.timedelta(days=after + rules.stale_days), lang)
    due, end = greeting_window(occasion, rules.days("birthday"), after, calendar)
    frame = touch_frame(people, occasion.notna() & (end < pd.Timestamp(today)), "birthday", due, today, detail,
                        occasion)
    return frame.assign(status="missed")


def holiday_touches(people: pd.DataFrame, rules: Rules, calendar: WorkCalendar, names: list[str],
                    today: dt.date, lang: str) -> tuple[pd.DataFrame, list[Msg]]:
    """Every customer's greeting for each ticked holiday whose window is open or comes within the look-ahead."""
    frames, notes = [], []
    after = rules.after("holiday")
    since = pd.Timestamp(today) - pd.Timedelta(days=after)
    every = pd.Series(True, index=people.index)
    for name in names:
        detail = pd.Series(name, index=people.index)  # the name alone: customers read it ({{ detail }}快乐)
        closed = _closed_holiday(calendar, name, rules, today)
        if closed is not None:
            frames.append(touch_frame(people, every, "holiday", pd.Series(closed[0], index=people.index), today,
                                      detail, pd.Series(closed[1], index=people.index)).assign(status="missed"))
        dates = [calendar.find_holiday(name, year) for year in (since.year, since.year + 1)]
        if all(d is None for d in dates):
            known = calendar.holiday_names(today.year)
            notes.append(UNKNOWN_HOLIDAY(name=name, country=calendar.country,
                                         known=Msg(", ".join(known["en"]), "、".join(known["zh"]))))
            continue
        coming = next((d for d in dates if d is not None and d >= since), None)
        if coming is None:
            continue
        start, _ = greeting_window(pd.Series([coming]), rules.days("holiday"), after, calendar)
        due = start.iloc[0]
        if due > _horizon(rules, today):
            continue
        frames.append(_in_window(touch_frame(people, every, "holiday", pd.Series(due, index=people.index), today,
                                             detail, pd.Series(coming, index=people.index)), start, today))
    return _concat(frames), notes


def _closed_holiday(calendar: WorkCalendar, name: str, rules: Rules, today: dt.date):
    """(window's first day, the holiday) of a holiday whose greeting window closed in the last stale_days."""
    for year in (today.year - 1, today.year):
        day = calendar.find_holiday(name, year)
        if day is None:
            continue
        start, end = (s.iloc[0] for s in greeting_window(pd.Series([day]), rules.days("holiday"),
                                                           rules.after("holiday"), calendar))
        if pd.Timestamp(today) - pd.Timedelta(days=rules.stale_days) <= end < pd.Timestamp(today):
            return start, day
    return None


def event_touches(people: pd.DataFrame, occasion: str, rules: Rules, today: dt.date, lang: str) -> pd.DataFrame:
    """A touch some days after an event (deal won, delivery), open until someone contacts the customer."""
    trigger = pd.to_datetime(people[EVENTS[occasion]])
    due = trigger + pd.Timedelta(days=rules.days(occasion))
    opened = np.maximum(trigger, due - pd.Timedelta(days=REOPEN_WINDOW))
    done = people["last_contact"] > opened
    fresh = due >= pd.Timestamp(today) - pd.Timedelta(days=rules.stale_days)
    keep = trigger.notna() & ~done & fresh & (due <= _horizon(rules, today))
    if occasion == "thanks":
        delivered = pd.to_datetime(people["delivery"]) <= pd.Timestamp(today)
        keep &= ~delivered.fillna(False) & (due >= pd.Timestamp(today) - pd.Timedelta(days=THANKS_OPEN))
    return touch_frame(people, keep, occasion, due, today, _dated(DETAILS[occasion], trigger, lang), trigger)


def appointment_touches(people: pd.DataFrame, rules: Rules, calendar: WorkCalendar, today: dt.date,
                        lang: str) -> pd.DataFrame:
    """A reminder N working days before each coming appointment, unless the customer was contacted since."""
    meeting = pd.to_datetime(people["appointment"])
    due = calendar.shift(meeting, -rules.days("appointment"))
    done = people["last_contact"] >= due
    keep = meeting.notna() & (meeting >= pd.Timestamp(today)) & ~done & (due <= _horizon(rules, today))
    return touch_frame(people, keep, "appointment", due, today, _dated(DETAILS["appointment"], meeting, lang),
                       meeting)


def care_touches(people: pd.DataFrame, rules: Rules, calendar: WorkCalendar, holidays: list[str],
                 today: dt.date, lang: str) -> tuple[pd.DataFrame, list[Msg]]:
    """Every care and event touch that is switched on in the settings."""
    frames: list[pd.DataFrame] = []
    notes: list[Msg] = []
    if rules.on("birthday"):
        frames += [birthday_touches(people, rules, calendar, today, lang),
                   missed_birthdays(people, rules, calendar, today, lang)]
    if rules.on("holiday"):
        found, notes = holiday_touches(people, rules, calendar, holidays, today, lang)
        frames.append(found)
    frames += [event_touches(people, o, rules, today, lang) for o in EVENTS if rules.on(o)]
    if rules.on("appointment"):
        frames.append(appointment_touches(people, rules, calendar, today, lang))
    return _concat(frames), notes


def _horizon(rules: Rules, today: dt.date) -> pd.Timestamp:
    return pd.Timestamp(today) + pd.Timedelta(days=rules.look_ahead_days)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_touches()
    return pd.concat(frames, ignore_index=True)


def empty_touches() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TOUCH_COLUMNS})
    frame["row"] = frame["row"].astype("int64")
    for column in ("due", "occasion_date"):
        frame[column] = frame[column].astype("datetime64[ns]")
    return frame
