"""A birthday cell as teams fill it: a date (with or without the year), a lunar date (农历八月十五),
or by mistake an age or an ID-card number, each said for what it is."""

from __future__ import annotations

import re
from typing import Any

from xlcrm.core.i18n import Msg
from xlcrm.core.lunar import is_lunar_text, parse_lunar
from xlcrm.core.parse import clean_text, parse_date

AN_AGE = Msg("an age, not a birthday: type the date of birth (e.g. 1985-03-05 or 5 March)",
             "这是年龄,不是生日:请填写出生日期(如 1985-03-05 或 3月5日)")
AN_ID_CARD = Msg("an ID-card number, not a birthday (its date of birth would be {date}): type the date here",
                 "这是身份证号,不是生日(其中的出生日期为 {date}):请在此填写出生日期")
_ID_CARD = re.compile(r"^\d{6}(\d{8})\d{3}[\dxX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def parse_birthday(value: Any, day_first: bool = False):
    """(date, None), (LunarDay, None), (None, reason) or (None, None) for an empty cell.

    An age or an ID-card number is not read as a birthday (the ID-card number is a person's private
    data, typed in the wrong column): the reason says what it is and, for the ID card, the date to type.
    """
    if is_lunar_text(value):
        return parse_lunar(value)
    day, why = parse_date(value, day_first=day_first, yearless=True)
    if why is None:
        return day, None
    text = clean_text(value)
    if re.fullmatch(r"\d{1,3}(\.0)?(岁|周岁)?", text) and 0 < float(re.sub(r"[^\d.]", "", text)) < 130:
        return None, AN_AGE
    born = id_card_birthday(text)
    return (None, AN_ID_CARD(date=f"{born:%Y-%m-%d}")) if born else (None, why)


def id_card_birthday(text: str):
    """The date of birth in an 18-character mainland ID-card number with a right check digit, else None."""
    match = _ID_CARD.match(text or "")
    if not match:
        return None
    total = sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS))
    if "10X98765432"[total % 11] != text[17].upper():
        return None
    day, why = parse_date(match.group(1))
    return day if why is None else None
