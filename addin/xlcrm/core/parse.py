"""Reading the values people type: dates, amounts (core/amounts.py), phone numbers, yes/no flags.

Every parser returns (value, None) or (None, reason); an empty cell is (None, None).
Column parsers work on the distinct values only, so a million orders that share a
few thousand dates are parsed a few thousand times.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Callable

import numpy as np
import pandas as pd
from dateutil import parser as dateparser

# Amounts and cell text are read through this module too (parse.parse_amount, parse.clean_text, ...)
from xlcrm.core.amounts import MULTIPLIER as _MULTIPLIER  # records.header_unit's name for it
from xlcrm.core.amounts import NOT_A_NUMBER, NOT_AN_AMOUNT, amount_column, parse_amount, parse_int
from xlcrm.core.cells import INVISIBLE, PLACEHOLDERS, clean_text, is_blank, per_cell
from xlcrm.core.i18n import Msg

NOT_A_DATE = Msg("not a date", "不是日期")
NO_SUCH_DAY = Msg("no such calendar day", "日历上没有这一天")
NO_YEAR = Msg("date without a year", "日期缺少年份")
RELATIVE_DAY = Msg("a day counted from when it was typed (next Wednesday, end of month, ASAP), which the sheet does not "
                   "keep: type the date",
                   "相对日期(如 下周三、月底、尽快)无法得知从哪天算起:请填写具体日期")
NOT_A_PHONE = Msg("not a phone number", "不是电话号码")
NOT_A_CADENCE = Msg("not a number of days (write e.g. 14, 7天, 每周, 两周, 每月, weekly, 2 weeks)",
                    "不是天数(可写 14、7天、每周、两周、每月、weekly、2 weeks 等)")

YEARLESS = 2000  # year given to a birthday typed without one (a leap year, so 2月29日 works)
# Day 0 of Excel's 1900 date system and of its 1904 one (workbookPr date1904, Excel for Mac's old default)
_EXCEL_EPOCH, _EXCEL_EPOCH_1904 = dt.datetime(1899, 12, 30), dt.datetime(1904, 1, 1)
_SERIAL_RANGE = (7000, 73050)  # 1919..2099: a bare number outside this is not a date
_YMD_CN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?:\s+\d{1,2}[:点时].*)?$")
_MD_CN = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_XY_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$")
_DOTTED = re.compile(r"^\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})$")  # 3.11.2026: day first wherever dots are written so
# A time after a date: 14:30, 2:30 PM, 下午 2:30:00, 14点30分, T10:00:00Z (the date is what counts)
_TIME = re.compile(r"(?:T|,?\s*)(?:(?:上午|下午|中午|晚上|早上|凌晨)\s*)?\d{1,2}[:点时](?:\d{1,2})?(?::\d{2})?(?:\.\d+)?"
                   r"\s*(?:分|[ap]\.?m\.?)?\s*(?:z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
_SERIAL_TEXT = re.compile(r"^\d{4,5}(?:\.\d+)?$")  # an Excel serial stored as text, e.g. '46086'
_MD = re.compile(r"^(\d{1,2})[-/.](\d{1,2})$")
_WEEKDAY = re.compile(r"\s*[(（]?\s*(?:周|星期|礼拜|禮拜)[一二三四五六日天]\s*[)）]?\s*$")  # 2026-03-05 周四
_RELATIVE = re.compile(r"今天|今日|明天|明日|后天|大后天|[本这下上][周个]?[周星礼]|[本这下上]个?月|月[底初中末]|年[底初中末]|"
                       r"周[一二三四五六日天末]|星期|礼拜|尽快|马上|立即|立刻|随时|\basap\b|\btoday\b|\btomorrow\b|"
                       r"\bnext\s+(?:week|month|mon|tue|wed|thu|fri|sat|sun)|\bend\s+of\s+(?:the\s+)?(?:week|month|year)|"
                       r"\bthis\s+(?:week|month)|\bsoon\b", re.IGNORECASE)
_TRUE = {"yes", "y", "true", "t", "1", "x", "是", "√", "✓", "✔", "对", "退订", "已退订", "拒收", "不要", "opt-out", "optout", "unsubscribed"}


def _day(year: int, month: int, day: int):
    try:
        return dt.date(year, month, day), None
    except ValueError:
        return None, NO_SUCH_DAY


def parse_date(value: Any, day_first: bool | None = None, yearless: bool = False, date1904: bool = False):
    """A date from a real date, an Excel serial, 2026年3月5日, 2026/3/5, 2026-03-05, 2026.03.05...

    With yearless=True (birthdays) a date typed without a year gets the year 2000. date1904: the workbook counts
    its days from 1904, so a bare serial (45000, or '45000' as text) is the day it is there, as Excel shows it.
    day_first: how 5/3/2026 reads, as a column's dates or the setting say; None (nothing said): month first, but
    a dotted 3.11.2026 day first (see slash_order).
    """
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, pd.Timestamp):
        return (None, None) if pd.isna(value) else (value.date(), None)
    if isinstance(value, bool):
        return None, NOT_A_DATE
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None, None
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            number = int(value)
            return _day(number // 10000, number // 100 % 100, number % 100)
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return ((_EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH) + dt.timedelta(days=float(value))).date(), None
        return None, NOT_A_DATE
    text = clean_text(value)
    if not text or text.lower() in PLACEHOLDERS:
        return None, None
    if _SERIAL_TEXT.match(text):
        return parse_date(float(text), day_first, yearless, date1904)
    text = _TIME.sub("", text) or text
    dated = _WEEKDAY.sub("", text)
    text = dated if re.search(r"[\d日号]$", dated) else text  # 下周三 is no date with a weekday
    for pattern in (_YMD_CN, _YMD, _YMD_COMPACT):
        match = pattern.match(text)
        if match:
            return _day(*map(int, match.groups()[:3]))
    match = _XY_YEAR.match(text)
    if match:
        first, second, year = map(int, match.groups())
        dots = day_first is None and _DOTTED.match(text) is not None  # 3.11.2026: day first where nothing says
        return _day(_full_year(year), *_month_day(first, second, dots or bool(day_first)))
    match = _MD_CN.match(text)
    if match:
        return _day(YEARLESS, *map(int, match.groups())) if yearless else (None, NO_YEAR)
    match = _MD.match(text)
    if match:
        if not yearless:
            return None, NO_YEAR
        first, second = map(int, match.groups())
        return _day(YEARLESS, *_month_day(first, second, bool(day_first)))
    if _RELATIVE.search(text):
        return None, RELATIVE_DAY
    return _parse_words(text, bool(day_first), yearless)


def from_1904(value: Any) -> Any:
    """A bare serial (45000, or '45000' as text) of a workbook counting its days from 1904, as the date it is there;
    any other value as it is: for a parser that counts serials from 1900 (birthdays)."""
    serial = type(value) in (int, float) or type(value) is str and _SERIAL_TEXT.match(clean_text(value))
    return (parse_date(value, date1904=True)[0] or value) if serial else value


def _full_year(year: int) -> int:
    """3/5/26 is 2026 and 3/5/85 is 1985, as Excel reads two-digit years (00-29: 20xx)."""
    return year if year >= 100 else year + (2000 if year < 30 else 1900)


def _month_day(first: int, second: int, day_first: bool) -> tuple[int, int]:
    """(month, day) of 5/3: the only possible reading, else the one day_first says."""
    return (second, first) if first > 12 or (day_first and second <= 12) else (first, second)


def slash_order(values: Any) -> tuple[bool | None, list[str]]:
    """How a column's dates like 05/03/2026 are meant, judged by its own values.

    (True if a value such as 25/03/2026 can only be day first, False if one such as
    03/25/2026 can only be month first, None if none or both are there; the values that
    could be read either way, e.g. 05/03/2026). A column is typed by one person in one
    habit, so its unambiguous dates say how to read the ambiguous ones. Without such a
    date, a dotted one with the year last (3.11.2026, as Germans, Swiss and Russians write)
    says day first: no country writes month.day.year (US dates have slashes); it is no
    ambiguous one then, unless the column's dates prove month first.
    """
    day_only = month_only = False
    ambiguous: list[str] = []
    dotted: list[str] = []  # 3.11.2026
    for value in values:
        text = clean_text(value) if isinstance(value, str) else ""
        text = _TIME.sub("", text) or text
        match = _XY_YEAR.match(text) or _MD.match(text)
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        day_only |= 12 < first <= 31 and second <= 12
        month_only |= 12 < second <= 31 and first <= 12
        if first <= 12 and second <= 12 and first != second:
            (dotted if _DOTTED.match(text) else ambiguous).append(text)
    if dotted and not day_only and not month_only:
        return True, ambiguous
    decided = None if day_only == month_only else day_only
    return decided, ambiguous if decided else ambiguous + dotted


def _parse_words(text: str, day_first: bool, yearless: bool):
    """Dates with month names ("5 March 2026", "Mar 5, 2026"), via dateutil."""
    if not re.search(r"[a-zA-Z]{3}", text):
        return None, NOT_A_DATE
    try:
        one = dateparser.parse(text, dayfirst=day_first, default=dt.datetime(1904, 1, 1))
        two = dateparser.parse(text, dayfirst=day_first, default=dt.datetime(1908, 2, 2))
    except (ValueError, OverflowError):
        return None, NOT_A_DATE
    if one.day != two.day or one.month != two.month:
        return None, NOT_A_DATE
    if one.year != two.year:
        return (_day(YEARLESS, one.month, one.day)) if yearless else (None, NO_YEAR)
    return one.date(), None


def parse_phone(value: Any):
    """A phone number as text, whether it was stored as a number or typed as text."""
    if isinstance(value, bool):
        return None, NOT_A_PHONE
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or not value.is_integer()):
            return (None, None) if math.isnan(value) else (None, NOT_A_PHONE)
        return str(int(value)), None
    text = clean_text(value)
    if not text or text.lower() in PLACEHOLDERS:
        return None, None
    if sum(map(str.isdigit, text)) < 5:
        return None, NOT_A_PHONE
    return text, None


def parse_flag(value: Any):
    """Yes for an opt-out-style mark: yes, y, true, 1, x, 是, √ and the like."""
    if isinstance(value, bool):
        return value, None
    return clean_text(value).lower() in _TRUE, None


_MAY_MAIL = {"", "no", "n", "false", "f", "0", "否", "无", "没有", "未退订", "不退订", "可以", "可发", "ok",
             "subscribed", "opt-in", "optin"} | PLACEHOLDERS
UNCLEAR_OPT_OUT = Msg("'{value}' is not clearly 'may mail' (empty, no, 否, 0): read as opted out, no mail goes out. "
                      "Write 否 or leave it empty to mail this customer, 是 to stop",
                      "“{value}”不是明确的“可以发送”(空、否、no、0):按已退订处理,不发邮件。要发送请填 否 或留空,不发请填 是")


def parse_opt_out(value: Any):
    """On doubt, never mail: only a clear 'may mail' mark (empty, no, 否, 0) leaves a customer mailable; a clear
    yes (是, √, 退订) opts out; anything else (a date, ★, 客户要求退订, 勿扰) opts out and is listed."""
    if isinstance(value, bool):
        return value, None
    text = clean_text(value).lower()
    if text in _MAY_MAIL:
        return False, None
    if text in _TRUE:
        return True, None
    return True, UNCLEAR_OPT_OUT(value=clean_text(value))


_CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
               "十": 10, "半": 0.5, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "six": 6}
_UNIT_DAYS = (("天|日|days?|d", 1), ("周|週|星期|礼拜|禮拜|weeks?|wks?|w", 7), ("月|months?|mos?", 30),
              ("季度|季|quarters?", 91), ("年|years?|yrs?", 365))
_CADENCE = re.compile(r"^(?:每|every|once\s*(?:a|an|every|per)?)?\s*(\d+(?:\.\d+)?|[一二两俩三四五六七八九十半]|an?|one|two|three|four|six)?"
                      r"\s*(?:个)?\s*(" + "|".join(u for u, _ in _UNIT_DAYS) + r")\s*(?:一次|1次|once)?$")
_CADENCE_WORDS = {"daily": 1, "每天": 1, "每日": 1, "weekly": 7, "biweekly": 14, "bi-weekly": 14, "fortnightly": 14,
                  "双周": 14, "每双周": 14, "隔周": 14, "每隔一周": 14, "every other week": 14, "半月": 15, "每半月": 15, "半个月": 15, "monthly": 30, "bimonthly": 61,
                  "quarterly": 91, "yearly": 365, "annually": 365}


def parse_cadence(value: Any):
    """Days between contacts as teams type them: 14, 7天, 每周, 两周, 每月, 每季度, weekly, 2 weeks, biweekly."""
    if isinstance(value, bool):
        return None, NOT_A_CADENCE
    number, why = parse_int(value)
    if number is not None or why is None:  # a number of days; 0 or less is no cadence
        return (number, None) if number is None or number >= 1 else (None, NOT_A_CADENCE)
    text = clean_text(value).lower()
    if text in _CADENCE_WORDS:
        return _CADENCE_WORDS[text], None
    match = _CADENCE.match(text)
    if not match:
        return None, NOT_A_CADENCE
    count, unit = match.groups()
    count = 1 if count is None else _CN_NUMBERS.get(count) or float(count)
    days = count * next(d for u, d in _UNIT_DAYS if re.fullmatch(u, unit))
    return (int(round(days)), None) if days >= 1 else (None, NOT_A_CADENCE)


def parse_text(value: Any):
    text = clean_text(value)
    if not text or text.lower() in PLACEHOLDERS:
        return None, None
    return (value if type(value) is str and text == value else text), None  # a clean cell's own string: no copy


def parse_column(values: pd.Series, parser: Callable[[Any], tuple]) -> tuple[pd.Series, pd.Series]:
    """Parse a column through its distinct values: (parsed values, reason per failed cell)."""
    if parser is parse_amount:  # mostly numbers, converted at once: no need to find the distinct values first
        amounts, failed = amount_column(values.tolist())
        return pd.Series(amounts, index=values.index, dtype=object), pd.Series(failed, index=values.index, dtype=object)
    try:
        codes, found = pd.factorize(values, use_na_sentinel=True)
        distinct = found.tolist()
    except TypeError:  # an unhashable value
        codes, distinct = None, []
    if codes is None or _bools_among_numbers(distinct, values):  # True == 1 would share 1's result
        parsed, reasons = _parse_many(parser, values.tolist())
        return (pd.Series(parsed, index=values.index, dtype=object),
                pd.Series(reasons or [None] * len(values), index=values.index, dtype=object))
    parsed, reasons = _parse_many(parser, distinct)
    why = per_cell(reasons, codes) if reasons else np.full(len(values), None, dtype=object)
    return (pd.Series(per_cell(parsed, codes), index=values.index, dtype=object),
            pd.Series(why, index=values.index, dtype=object))


def _bools_among_numbers(distinct: list, values: pd.Series) -> bool:
    """Whether factorize may have merged True with 1 or False with 0: a column of both, where only one is kept
    as the distinct value (the whole column is looked at only when a 0 or 1 of some kind is among them)."""
    if set(map(type, distinct)) <= _NEVER_ZERO_OR_ONE:  # a million distinct order numbers: not made a set
        return False
    if not {0, 1} & set(distinct):  # a set compares by ==: False, 0, 0.0 and True, 1, 1.0 are found alike
        return False
    kinds = set(map(type, values.tolist()))
    return bool in kinds and len(kinds & {int, float}) > 0 or bool in set(map(type, distinct))


_LONGEST_PLACEHOLDER = max(map(len, PLACEHOLDERS))
_NEVER_ZERO_OR_ONE = {str, dt.datetime, dt.date, dt.time, dt.timedelta}  # cells no 0, 1 or bool equals


def _parse_many(parser: Callable[[Any], tuple], values: list) -> tuple[list, list | None]:
    """(parsed values, reasons; None when none failed) of parser over values, the commonest cells done inline: a
    clean ASCII text, a date as a date (a column of 100k distinct order numbers costs a few function calls per
    value otherwise; amounts have amount_column). Anything else goes to parser itself, so the results are parser's on
    each value."""
    if parser is parse_text:  # never a reason
        parsed = []
        for value in values:
            if type(value) is str and value.isascii():
                text = " ".join(value.split())
                placeholder = len(text) <= _LONGEST_PLACEHOLDER and text.lower() in PLACEHOLDERS
                # a clean cell's own string: a million order numbers are not copied while the cells are kept
                parsed.append(None if placeholder or not text else value if text == value else text)
            else:
                parsed.append(parse_text(value)[0])
        return parsed, None
    if getattr(parser, "func", None) is parse_date:  # partial(parse_date, day_first=...)
        results = [(v.date(), None) if type(v) is dt.datetime else parser(v) for v in values]
    else:
        results = list(map(parser, values))
    parsed, reasons = (list(column) for column in zip(*results)) if results else ([], [])
    return parsed, reasons if any(reason is not None for reason in reasons) else None
