"""Reading the amounts and counts people type: ¥1,200.50, 1.2万, (300), 1.234,56 €, 300.00-, 1'234.50, 订单数 3.

Every parser returns (value, None) or (None, reason); an empty cell is (None, None). core/parse.py offers them
beside the date parsers; a column of amounts goes through amount_column (a million order lines at once).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.core.cells import PLACEHOLDERS, clean_text, per_cell
from xlcrm.core.i18n import Msg

NOT_AN_AMOUNT = Msg("not an amount", "不是金额")
NOT_A_NUMBER = Msg("not a whole number", "不是整数")
MOST_IN_A_COUNT = 10**12  # more orders (days, ...) than that is an order or ID number typed in the wrong column
TOO_LARGE_A_COUNT = Msg("too large for a count (over 1,000,000,000,000): an order or ID number typed in this column?",
                        "数值过大(超过 1,000,000,000,000),不是次数:是否把单号或编号填到了这一列?")

_CURRENCY = re.compile(r"(人民币|rmb|cny|usd|euros?|eur|gbp|hkd|jpy|sgd|twd|chf|[a-z]{1,2}\$|cn¥|[¥$€£￥]|元|块)",
                       re.IGNORECASE)
_EURO = re.compile(r"€|eur", re.IGNORECASE)
_AMOUNT = re.compile(r"^([-+]?)(\d+(?:\.\d+)?|\.\d+)(万|w|k|千|亿)?$", re.IGNORECASE)
MULTIPLIER = {"万": 10_000, "w": 10_000, "k": 1_000, "千": 1_000, "亿": 100_000_000}
# Written the European way, the comma is the decimal point: 1.200,50, 1234,56, 12,5 (one comma and one or two
# digits after it: a thousands group has three); or dots group thousands at least twice: 1.200.000
_DECIMAL_COMMA = re.compile(r"^[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d{1,2}$|^[-+]?\d{1,3}(?:\.\d{3}){2,}$")
_DOT_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:\.\d{3})+$")  # €1.200: beside a euro sign, a group of thousands
_APOSTROPHE_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:['’]\d{3})+(?:\.\d+)?$")  # Swiss: 1'234.50
# An amount as spreadsheets show it: 1234, 1,234.50, ¥6,384.79 (what parse_amount reads as the number itself)
_PLAIN_AMOUNT = re.compile(r"[¥$]?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)", re.ASCII)


def parse_amount(value: Any):
    """An amount from 1200, ¥1,200.50, 1200元, 1,200, 1.2万, (300), -300, 300.00- (SAP), 1.234,56 €, 1 234,56,
    €1.200 and 1'234.50."""
    if isinstance(value, bool):
        return None, NOT_AN_AMOUNT
    if isinstance(value, (int, float)):
        return (None, None) if isinstance(value, float) and math.isnan(value) else (float(value), None)
    text = clean_text(value)
    if not text or text.lower() in PLACEHOLDERS:
        return None, None
    typed, text = text, _CURRENCY.sub("", text).replace(" ", "")  # $ (45.00): a currency outside the brackets
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if text.endswith("-") and text[:1].isdigit():  # 300.00-: the minus behind, as SAP writes it
        negative, text = True, text[:-1]
    if ("'" in text or "’" in text) and _APOSTROPHE_THOUSANDS.match(text):
        text = text.replace("'", "").replace("’", "")
    elif "," in text or "." in text:  # (most cells are 1200 or 1200元: no pattern to try)
        if _DECIMAL_COMMA.match(text) or _DOT_THOUSANDS.match(text) and _EURO.search(typed):
            text = text.replace(".", "").replace(",", ".")
        text = text.replace(",", "")
    match = _AMOUNT.match(text)
    if not match:
        return None, NOT_AN_AMOUNT
    sign, number, unit = match.groups()
    amount = float(number) * MULTIPLIER.get((unit or "").lower(), 1)
    return (-amount if negative or sign == "-" else amount), None


def parse_int(value: Any):
    """A whole number (订单数, a rating): 3, '3', 3.0; one too large for any count (an order number) is refused."""
    if isinstance(value, bool):
        return None, NOT_A_NUMBER
    amount, why = parse_amount(value)
    if why or amount is None:
        return None, (why and NOT_A_NUMBER)
    if not float(amount).is_integer():
        return None, NOT_A_NUMBER
    return (int(amount), None) if abs(amount) <= MOST_IN_A_COUNT else (None, TOO_LARGE_A_COUNT)


def amount_column(values: list) -> tuple[np.ndarray, np.ndarray]:
    """parse_amount over values, as (parsed values, reasons) arrays: the numbers converted at once, the rest (text
    such as ¥1,234.50) read once per distinct value (a million order lines are mostly numbers)."""
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    kinds = np.fromiter(map(type, values), dtype=object, count=len(values))
    numeric = (kinds == float) | (kinds == int)  # not bool: True is no amount
    numbers = cells[numeric].astype("float64")
    parsed = np.full(len(values), None, dtype=object)
    parsed[np.flatnonzero(numeric)[numbers == numbers]] = numbers[numbers == numbers]  # NaN: an empty cell
    why = np.full(len(values), None, dtype=object)
    others = np.flatnonzero(~numeric)
    try:  # no numbers left among them: True stays apart from 1
        codes, distinct = pd.factorize(cells[others], use_na_sentinel=True)
    except TypeError:  # an unhashable value: each read alone
        codes, distinct = np.arange(len(others)), cells[others]
    plain = _PLAIN_AMOUNT.fullmatch
    results = [(float(found.group(1).replace(",", "")), None) if type(v) is str and (found := plain(v)) else
               parse_amount(v) for v in distinct.tolist()]
    parsed[others] = per_cell([value for value, _ in results], codes)
    why[others] = per_cell([reason for _, reason in results], codes)
    return parsed, why
