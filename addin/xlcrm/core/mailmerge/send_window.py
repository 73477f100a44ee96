"""Preferred sending days and hours, typed the way people type them: 'Tue-Thu', '周二至周四', '9-18'.

A message outside its window is held; `next_open` says when the window opens again. '工作日' / 'working days'
are the workbook's own working days (its holiday calendar, the one due dates use: public holidays off, make-up
Saturdays on); named days ('周一至周五', 'Mon-Fri', 'weekdays') are those days of the week, holidays or not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Protocol

from xlcrm.core.i18n import Msg

DAY_NAMES = {
    0: ("mon", "monday", "周一", "星期一", "礼拜一", "一"),
    1: ("tue", "tues", "tuesday", "周二", "星期二", "礼拜二", "二"),
    2: ("wed", "wednesday", "周三", "星期三", "礼拜三", "三"),
    3: ("thu", "thur", "thurs", "thursday", "周四", "星期四", "礼拜四", "四"),
    4: ("fri", "friday", "周五", "星期五", "礼拜五", "五"),
    5: ("sat", "saturday", "周六", "星期六", "礼拜六", "六"),
    6: ("sun", "sunday", "周日", "周天", "星期日", "星期天", "礼拜天", "日", "天"),
}
_DAY = {name: number for number, names in DAY_NAMES.items() for name in names}
_DAY.update({str(n + 1): n for n in range(7)})
_WORKING_DAYS = {"workdays", "work days", "working days", "business days", "工作日", "法定工作日"}  # the calendar's
_WEEKDAYS = {"weekdays", "周一至周五"}
_RANGE = re.compile(r"\s*(?:至|到|~|～|-|—|–|to)\s*")
_LIST = re.compile(r"[,，、;；/\s]+")
_TIME = re.compile(r"^(\d{1,2})(?:[:：.](\d{2}))?(?:点|时)?(?:(\d{2})分?)?$")

BAD_DAYS = Msg("'{value}' is not a list of days (e.g. Mon-Fri, 周二至周四, Tue, Thu)",
               "“{value}”不是有效的日期范围(例如 周一至周五、周二,周四、Tue-Thu)")
BAD_HOURS = Msg("'{value}' is not a time range (e.g. 9-18 or 9:30-17:00)",
                "“{value}”不是有效的时段(例如 9-18 或 9:30-17:00)")


class DayCalendar(Protocol):
    """What a window asks of the workbook's holiday calendar (core.calendar.WorkCalendar)."""

    def is_working_day(self, day: dt.date) -> bool: ...


LONGEST_BREAK = 31  # days a window may stay shut: a week of holidays between weekends is the longest seen


@dataclass(frozen=True)
class SendWindow:
    days: frozenset[int] | None = None  # Monday = 0; None: any day
    start: dt.time | None = None  # None: any time
    end: dt.time | None = None
    working_days: bool = False  # the days are the calendar's working days (days: Monday-Friday without one)

    @property
    def always(self) -> bool:
        return self.days is None and self.start is None

    def sends_on(self, day: dt.date, calendar: DayCalendar | None = None) -> bool:
        """Whether the window's days include this day (working days by the calendar when given)."""
        if self.working_days and calendar is not None:
            return calendar.is_working_day(day)
        return self.days is None or day.weekday() in self.days

    def is_open(self, now: dt.datetime, calendar: DayCalendar | None = None) -> bool:
        day_ok = self.sends_on(now.date(), calendar)
        time_ok = self.start is None or self.end is None or self.start <= now.time() < self.end  # both or neither
        return day_ok and time_ok

    def next_open(self, now: dt.datetime, calendar: DayCalendar | None = None) -> dt.datetime:
        """The first moment at or after now when the window is open."""
        if self.is_open(now, calendar):
            return now
        start = self.start or dt.time(0)
        for offset in range(0, LONGEST_BREAK + 1):
            day = now.date() + dt.timedelta(days=offset)
            if not self.sends_on(day, calendar):
                continue
            candidate = dt.datetime.combine(day, start, now.tzinfo)
            if offset == 0 and now.time() < start:
                return candidate
            if offset > 0:
                return candidate
        return now  # no day listed: unreachable with a non-empty day set

    def combine(self, other: "SendWindow") -> "SendWindow":
        """A template's own window: its days and hours where set, the sender's otherwise."""
        days, working = (other.days, other.working_days) if other.days is not None else (self.days, self.working_days)
        start, end = (other.start, other.end) if other.start is not None else (self.start, self.end)
        return SendWindow(days, start, end, working)


def parse_days(text: str) -> frozenset[int] | None:
    text = (text or "").strip().lower()
    if not text:
        return None
    if text in _WORKING_DAYS or text in _WEEKDAYS:
        return frozenset(range(5))
    days: set[int] = set()
    for part in filter(None, _LIST.split(text)):
        ends = [e for e in _RANGE.split(part) if e]
        numbers = [_DAY[e] for e in ends if e in _DAY]
        if not ends or len(numbers) < len(ends) or len(numbers) > 2:
            raise ValueError(text)
        first, last = numbers[0], numbers[-1]
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    return frozenset(days)


def follows_calendar(text: str) -> bool:
    """'工作日' / 'working days': the holiday calendar's working days, not only Monday to Friday."""
    return (text or "").strip().lower() in _WORKING_DAYS


def _time(text: str) -> dt.time:
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(text)
    hour, minute = int(match[1]), int(match[2] or match[3] or 0)
    if hour == 24 and minute == 0:
        return dt.time(23, 59, 59)
    return dt.time(hour, minute)


def parse_hours(text: str) -> tuple[dt.time, dt.time] | tuple[None, None]:
    text = (text or "").strip()
    if not text:
        return None, None
    ends = [e for e in _RANGE.split(text) if e]
    if len(ends) != 2:
        raise ValueError(text)
    start, end = _time(ends[0]), _time(ends[1])
    if end <= start:
        raise ValueError(text)
    return start, end


def parse_window(days: str, hours: str, error: Callable[[str, Msg], Exception],
                 keys: tuple[str, str] = ("send_days", "send_hours")) -> SendWindow:
    """A window from the two texts; `error(key, why)` makes the exception for a bad one."""
    try:
        day_set = parse_days(days)
    except ValueError:
        raise error(keys[0], BAD_DAYS(value=days)) from None
    try:
        start, end = parse_hours(hours)
    except ValueError:
        raise error(keys[1], BAD_HOURS(value=hours)) from None
    return SendWindow(day_set, start, end, follows_calendar(days))
