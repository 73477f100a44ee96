"""Lunar (农历) birthdays: read as teams type them, and found on the solar calendar of any year.

Many Chinese customers celebrate their birthday on its lunar date: 农历八月十五, 阴历正月初八,
腊月廿三, or a date in a column headed 农历生日. Such a birthday is kept as its lunar month and
day (a code month * 100 + day) and placed on the solar calendar per year through the maintained
`lunardate` package. A day 30 in a year whose month has 29 days falls on the 29th; a birthday in
a leap month (闰四月) is greeted in the regular month, as is the custom.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

import pandas as pd
from lunardate import LunarDate

from xlcrm.core.i18n import Msg
from xlcrm.core.parse import clean_text, parse_date

NOT_LUNAR = Msg("not a lunar date (write e.g. 八月十五, 正月初八, 8月15)", "不是农历日期(可写 八月十五、正月初八、8月15)")
NO_SUCH_LUNAR = Msg("no such lunar day", "农历没有这一天")
MARKERS = re.compile(r"[(（\[【]?\s*(农历|阴历|陰曆|旧历|舊曆|lunar)\s*[)）\]】]?\s*[:：]?", re.IGNORECASE)
_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_MONTHS = {"正": 1, "元": 1, "冬": 11, "腊": 12, "臘": 12}
_NUMBER = r"[〇零一二两三四五六七八九十廿卅\d]{1,3}"
_SPELLED = re.compile(rf"^(?:(\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*)?(闰|閏)?\s*([正元冬腊臘]|{_NUMBER})\s*月"
                      rf"\s*(初\s*{_NUMBER}|{_NUMBER})\s*[日号]?$")


class LunarDay(NamedTuple):
    month: int
    day: int

    @property
    def code(self) -> int:
        return self.month * 100 + self.day


def _number(text: str) -> int | None:
    """1..30 from 8, 08, 八, 十五, 廿三, 卅, 初八, 三十."""
    text = text.replace("初", "").strip()
    if text.isdigit():
        return int(text)
    if text in ("卅", "三十"):
        return 30
    tens = {"十": 10, "廿": 20, "卅": 30}
    if text[0] in tens:
        return tens[text[0]] + (_DIGIT.get(text[1:], -99) if text[1:] else 0)
    if len(text) == 2 and text[1] == "十":
        return _DIGIT.get(text[0], -99) * 10
    if len(text) == 3 and text[1] == "十":
        return _DIGIT.get(text[0], -99) * 10 + _DIGIT.get(text[2], -99)
    return _DIGIT.get(text) if len(text) == 1 else None


def _checked(month: int | None, day: int | None):
    if month is None or day is None or not 1 <= month <= 12 or not 1 <= day <= 30:
        return None, NO_SUCH_LUNAR
    return LunarDay(month, day), None


def is_lunar_text(value: Any) -> bool:
    """Text that says it is a lunar date (农历, 阴历, lunar) or is spelled the lunar way (正月初八, 腊月廿三)."""
    if not isinstance(value, str):
        return False
    text = clean_text(value)
    return bool(MARKERS.search(text)) or bool(_SPELLED.match(text) and re.search(r"[正冬腊臘]月|初|廿|卅|月[一二三四五六七八九十]", text))


def parse_lunar(value: Any):
    """(LunarDay, None), (None, reason) or (None, None) for an empty cell.

    Anything a date parser reads (a real date, 8月15, 08-15, 1985-08-15) is taken as lunar month and
    day: this is for cells known to hold lunar dates (marked 农历, or in a 农历生日 column).
    """
    if isinstance(value, (dt.date, pd.Timestamp)) and not pd.isna(value):
        return _checked(value.month, value.day)
    text = MARKERS.sub("", clean_text(value)).strip() if isinstance(value, str) else value
    if isinstance(text, str):
        if not text:
            return None, None
        spelled = _SPELLED.match(text)
        if spelled:
            _, _, month, day = spelled.groups()
            return _checked(_MONTHS.get(month) or _number(month), _number(day))
    day, why = parse_date(text, yearless=True)
    if why is not None:
        return None, NOT_LUNAR
    return (None, None) if day is None else _checked(day.month, day.day)


def codes(values: pd.Series) -> pd.Series:
    """The lunar days of a parsed column as codes (month * 100 + day); anything else is NA."""
    return values.map(lambda v: v.code if isinstance(v, LunarDay) else None).astype("Int64")


def next_occurrence(code: pd.Series, today: dt.date) -> pd.Series:
    """The first solar day on or after `today` of each lunar birthday code (NaT where none)."""
    distinct = code.dropna().unique()
    found = {c: _next_one(int(c), today) for c in distinct}
    return pd.to_datetime(code.map(found), errors="coerce").astype("datetime64[ns]")


def _next_one(code: int, today: dt.date) -> pd.Timestamp | None:
    month, day = divmod(code, 100)
    for year in (today.year - 1, today.year, today.year + 1):
        solar = _solar(year, month, day)
        if solar is not None and solar >= today:
            return pd.Timestamp(solar)
    return None


def _solar(year: int, month: int, day: int) -> dt.date | None:
    """The lunar day in a lunar year on the solar calendar; day 30 of a short month falls on the 29th."""
    for last in (day, 29):
        try:
            return LunarDate(year, month, min(day, last)).to_solar_date()
        except ValueError:
            continue
    return None


_MONTH_NAMES = "正二三四五六七八九十冬腊"
_TENS = ("初", "十", "廿", "三")


def spell(code: Any, lang: str) -> str:
    """A lunar birthday in words: 农历八月十五 / lunar 8/15 (empty for no code)."""
    if code is None or pd.isna(code):
        return ""
    month, day = divmod(int(code), 100)
    if lang != "zh":
        return f"lunar {month}/{day}"
    digits = "一二三四五六七八九十"
    tens, unit = divmod(day, 10)
    name = {10: "初十", 20: "二十", 30: "三十"}.get(day) or _TENS[tens] + digits[unit - 1]
    return f"农历{_MONTH_NAMES[month - 1]}月{name}"
