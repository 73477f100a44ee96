"""What every reader of typed cells shares: text as a person means it, what people type for "nothing here", and
a column's results spread back from its distinct values (core/parse.py and core/amounts.py build on it)."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import numpy as np

# What people type for "nothing here": read as an empty cell, never as a problem
PLACEHOLDERS = {"-", "--", "---", "—", "——", "–", "/", "n/a", "na", "none", "null", "nil", "无", "暂无", "空", "未知",
                "不详", "?", "？", "unknown"}  # not TBD / 待定: a date still to be set is worth listing
# Shown as nothing, yet they keep two spellings apart (pasted from web pages, chats): soft hyphen, zero-widths, BOM...
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def clean_text(value: Any) -> str:
    """Text as a person means it: full-width folded to half-width, invisible characters dropped, spaces trimmed."""
    if type(value) is not str:  # a text cell is the commonest: tested first
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        value = str(int(value) if isinstance(value, float) and value.is_integer() else value)
    if value.isascii():  # NFKC leaves ASCII as it is, and the test is much quicker than the folding
        return " ".join(value.split())  # runs of (Unicode) white space as one space, trimmed: as re's \s+ would
    text = unicodedata.normalize("NFKC", value)
    return " ".join((text if text.isprintable() else INVISIBLE.sub("", text)).split())  # none is printable


def is_blank(value: Any) -> bool:
    return clean_text(value) == ""


def per_cell(results: list, codes: np.ndarray) -> np.ndarray:
    """Each cell's result from its distinct value's (codes from pd.factorize; -1, an empty cell, gets None)."""
    by_code = np.empty(len(results) + 1, dtype=object)
    by_code[:-1] = results
    by_code[-1] = None
    return by_code[codes]
