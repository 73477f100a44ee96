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
from typing import Any, Callable, Sequence

from xlcrm.core.edits import Formula

DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd h:mm:ss", "h:mm:ss"
_EPOCH_1900, _EPOCH_1904 = dt.date(1899, 12, 30).toordinal(), dt.date(1904, 1, 1).toordinal()
_LEAP_BUG_END = 61  # serial of 1 March 1900: Excel counts a 29 February 1900 that never was
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
# Text that cannot go into the cell as it is: escaped, kept from trimming (xml:space) or cut to Excel's limit.
_SPECIAL_TEXT = re.compile("^\\s|\\s\\Z|\n|[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_RARE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")  # either of the two
PLAIN_TYPES = {str, int, float, bool, type(None)}  # values that never need a date format
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
    if type(value) in PLAIN_TYPES:
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
        p = self._p = prefix.decode()
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

    def column(self, letters: str, numbers: Sequence[int], values: Sequence[Any], s: str = "",
               other_s: Callable[[Any], str] | None = None, blank: str | None = None) -> list[str]:
        """The cells of one column as styled() makes them ('' where it makes none): values[i] at row numbers[i].

        It runs for every cell xlcrm writes, so the column's templates are made once and text, whole numbers and
        dates are written here; anything less common goes through styled(). s: the cells' style attribute;
        other_s: the style of a value that is neither text nor a number (a date may take one of its own);
        blank: the cell (its row number as {}) of an empty value (None, '' or NaN), or None to leave them to styled().
        """
        p = self._p
        number = f'<{p}c r="{letters}{{}}"{s}><{p}v>{{}}</{p}v></{p}c>'
        text = f'<{p}c r="{letters}{{}}"{s} t="inlineStr"><{p}is><{p}t>{{}}</{p}t></{p}is></{p}c>'
        formula = f'<{p}c r="{letters}{{}}"{s}><{p}f>{{}}</{p}f></{p}c>'
        numbers_in: dict[str, str] = {s: number}  # style attribute -> number template (dates may differ)
        special, limit, isfinite = _SPECIAL_TEXT.search, _MAX_TEXT, math.isfinite
        cells: list[str] = []
        add = cells.append
        for n, value in zip(numbers, values):
            kind = type(value)
            if kind is str:
                if not value and blank is not None:
                    add(blank.format(n))
                elif len(value) > limit or special(value):
                    add(self.text(f"{letters}{n}", s, value))
                else:
                    add(text.format(n, value))
            elif kind is int:
                add(number.format(n, value))
            elif kind is float and isfinite(value):
                add(number.format(n, number_text(value)))
            elif kind is Formula:
                add(formula.format(n, escape(value.text.lstrip("="))))
            elif value is None or (blank is not None and isinstance(value, float) and math.isnan(value)):
                add(blank.format(n) if blank else "")
            elif kind is dt.date and (days := serial(value, self.date1904)) is not None:
                style = other_s(value) if other_s else s
                if style not in numbers_in:
                    numbers_in[style] = f'<{p}c r="{letters}{{}}"{style}><{p}v>{{}}</{p}v></{p}c>'
                add(numbers_in[style].format(n, number_text(days)))
            else:
                add(self.styled(f"{letters}{n}", value, other_s(value) if other_s else s) or "")
        return cells

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
    if _RARE.search(text):
        text = _ESCAPE_LOOKALIKE.sub(r"_x005F_\1", text)
        text = _ILLEGAL.sub(lambda found: f"_x{ord(found.group(0)):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
