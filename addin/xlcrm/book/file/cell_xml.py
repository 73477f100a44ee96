"""Cell values as worksheet XML: text as inline strings, numbers, booleans, dates as serials, formulas.

Text is always an inline string (t="inlineStr"): a value from customer data that starts
with '=' stays text, and the workbook's shared-string table is never touched.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
from typing import Any, Callable

from xlcrm.core.edits import Formula

DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd h:mm:ss", "h:mm:ss"
_EPOCH_1900, _EPOCH_1904 = dt.date(1899, 12, 30).toordinal(), dt.date(1904, 1, 1).toordinal()
_LEAP_BUG_END = 61  # serial of 1 March 1900: Excel counts a 29 February 1900 that never was
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_PLAIN = {str, int, float, bool, type(None)}
_MAX_TEXT = 32767  # Excel's limit for one cell


def column_letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def split_ref(ref: str) -> tuple[int, int]:
    """'N12' -> (row 12, column 14)."""
    found = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref)
    if not found:
        raise ValueError(f"not a cell reference: {ref}")
    return int(found.group(2)), column_number(found.group(1))


def date_kind(value: Any) -> str | None:
    """Which default format a value needs (a date without a named format is still shown as a date)."""
    if type(value) in _PLAIN:
        return None
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT if value.time() != dt.time() else DATE_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    if isinstance(value, dt.time):
        return TIME_FORMAT
    return None


def serial(value: dt.date | dt.datetime | dt.time | dt.timedelta, date1904: bool = False) -> float | None:
    """Excel's number for a date or time; None for a date Excel cannot show (before its epoch)."""
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    days: float = value.toordinal() - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    if isinstance(value, dt.datetime):
        days += (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if not date1904 and days < _LEAP_BUG_END:
        days -= 1
    return days if days >= (0 if date1904 else 1) else None


class CellWriter:
    """<c> elements for one sheet (its namespace prefix, its date system), dispatched on the value's type."""

    def __init__(self, prefix: bytes = b"", date1904: bool = False):
        p = prefix.decode()
        self.date1904 = date1904
        self._number = f'<{p}c r="{{}}"{{}}><{p}v>{{}}</{p}v></{p}c>'
        self._bool = f'<{p}c r="{{}}"{{}} t="b"><{p}v>{{}}</{p}v></{p}c>'
        self._formula = f'<{p}c r="{{}}"{{}}><{p}f>{{}}</{p}f></{p}c>'
        self._text = f'<{p}c r="{{}}"{{}} t="inlineStr"><{p}is><{p}t{{}}>{{}}</{p}t></{p}is></{p}c>'
        self._by_type: dict[type, Callable[[str, str, Any], str | None]] = {str: self.text, int: self.integer, float: self.real, bool: self.boolean,
                         dt.date: self.date, dt.datetime: self.date, Formula: self.formula}

    def xml(self, ref: str, value: Any, style: int = 0) -> str | None:
        """The cell holding value at ref, or None for an empty value."""
        return self.styled(ref, value, style_attribute(style))

    def styled(self, ref: str, value: Any, s: str) -> str | None:
        """The same, with the style given as its attribute (' s="3"', or '' for the default)."""
        if value is None:
            return None
        return self._by_type.get(type(value), self.other)(ref, s, value)

    def text(self, ref: str, s: str, text: str) -> str:
        text = text[:_MAX_TEXT]
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() or "\n" in text else ""
        return self._text.format(ref, s, space, escape(text) if _NEEDS_ESCAPE.search(text) else text)

    def integer(self, ref: str, s: str, value: int) -> str:
        return self._number.format(ref, s, value)

    def real(self, ref: str, s: str, value: float) -> str | None:
        if not math.isfinite(value):
            return None
        return self._number.format(ref, s, number_text(value))

    def boolean(self, ref: str, s: str, value: bool) -> str:
        return self._bool.format(ref, s, int(value))

    def formula(self, ref: str, s: str, value: Formula) -> str:
        return self._formula.format(ref, s, escape(value.text.lstrip("=")))

    def date(self, ref: str, s: str, value: dt.date | dt.datetime | dt.time | dt.timedelta) -> str:
        number = serial(value, self.date1904)
        if number is None:  # a day before Excel's epoch (a duration always has its number)
            assert not isinstance(value, dt.timedelta)
            return self.text(ref, s, value.isoformat())
        return self._number.format(ref, s, number_text(number))

    def other(self, ref: str, s: str, value: Any) -> str | None:
        """Subclasses and foreign types: numpy and Decimal numbers, pandas timestamps, NaN/NaT."""
        if _missing(value):
            return None
        if isinstance(value, Formula):
            return self.formula(ref, s, value)
        if isinstance(value, bool):
            return self.boolean(ref, s, value)
        if isinstance(value, (dt.date, dt.time, dt.timedelta)):
            return self.date(ref, s, value)
        if isinstance(value, numbers.Integral):
            return self.integer(ref, s, int(value))
        if isinstance(value, (numbers.Real, decimal.Decimal)):
            return self.real(ref, s, float(value))
        return self.text(ref, s, str(value))


def style_attribute(style: int) -> str:
    return f' s="{style}"' if style else ""


def _missing(value: Any) -> bool:
    """NaN, NaT and the like: values that are not equal to themselves."""
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def number_text(number: int | float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def escape(text: str) -> str:
    """Text as XML character data; characters XML cannot hold are written as Excel's _xHHHH_ escapes."""
    text = _ESCAPE_LOOKALIKE.sub(r"_x005F_\1", text)
    text = _ILLEGAL.sub(lambda found: f"_x{ord(found.group(0)):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
