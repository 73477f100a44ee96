"""The class the user chose wins over the computed one, and is kept.

Two ways to choose: a mapped "Manual class" column (指定等级) of the team's own, or a class typed
over the one xlcrm wrote in its Class column. xlcrm tells a typed class from its own by comparing
the cell with what it wrote last time (kept in the workbook's hidden state sheet, by customer);
a class typed once stays the user's until they clear the cell, which hands it back to the rules.
A team that already had a Class column (客户等级) keeps its values the first time, too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.core.i18n import Msg

COMPUTED, TYPED, COLUMN = "computed", "typed", "column"
STATE_COLUMNS = ("key", "row", "class", "manual")
NOT_A_CLASS = Msg("not a class (A, B, C or D): the computed class {computed} was written instead",
                  "不是有效等级(A、B、C、D),已改为计算所得的等级 {computed}")
NOT_A_MANUAL_CLASS = Msg("not a class (A, B, C or D): ignored", "不是有效等级(A、B、C、D),已忽略")


def normalize_class(value: Any) -> str | None:
    """'A', 'a', 'Ａ', 'A类', 'A级' -> 'A'; empty -> None; anything else -> '' (not a class)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    if not text:
        return None
    match = re.fullmatch(r"([ABCD])\s*(?:类|级|类客户|级客户|CLASS)?", text)
    return match.group(1) if match else ""


@dataclass
class Choice:
    """The class written per row, where it came from, and cells that held no valid class."""

    classes: pd.Series  # index: Excel row
    source: pd.Series  # COMPUTED | TYPED | COLUMN
    invalid_typed: pd.Series  # raw values by row, typed over the Class column, replaced
    invalid_manual: pd.Series  # raw values by row, in the manual class column, ignored


def choose(computed: pd.Series, keys: pd.Series, current: pd.Series | None, manual: pd.Series | None,
           state: pd.DataFrame) -> Choice:
    """The class of each row: manual column, else a class typed over xlcrm's, else the computed one.

    computed, keys, current, manual: by Excel row. state: what xlcrm wrote last time, columns
    key, row, class, manual ("1" when it was the user's).
    """
    rows = computed.index
    now = _normal(current, rows)
    fixed = _normal(manual, rows)
    written = _last_written(keys, state)
    user_typed = now.notna() & now.ne("") & (written["class"].isna() | now.ne(written["class"])
                                             | written["manual"].eq("1"))
    use_column = fixed.notna() & fixed.ne("")
    use_typed = user_typed & ~use_column
    classes = computed.where(~use_typed, now).where(~use_column, fixed)
    source = pd.Series(COMPUTED, index=rows, dtype=object).mask(use_typed, TYPED).mask(use_column, COLUMN)
    invalid_typed = now.eq("") & ~use_column
    empty = pd.Series(dtype=object)
    return Choice(classes, source, empty if current is None else current[invalid_typed],
                  empty if manual is None else manual[fixed.eq("")])


def _normal(values: pd.Series | None, rows: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series(None, index=rows, dtype=object)
    return values.reindex(rows).map(normalize_class).astype(object)


def _last_written(keys: pd.Series, state: pd.DataFrame) -> pd.DataFrame:
    """What xlcrm wrote for each row's customer: by key, else (a renamed customer) by row."""
    state = state.astype({"key": str, "class": object, "manual": object})
    by_key = state.drop_duplicates("key").set_index("key")
    found = by_key.reindex(keys.to_numpy()).set_axis(keys.index)
    gone = state[~state["key"].isin(set(keys))]
    by_row = gone.drop_duplicates("row").set_index(pd.to_numeric(gone.drop_duplicates("row")["row"],
                                                                  errors="coerce"))
    fallback = by_row.reindex(keys.index)
    missing = found["class"].isna()
    found.loc[missing, ["class", "manual"]] = fallback.loc[missing, ["class", "manual"]].to_numpy()
    return found[["class", "manual"]]


def state_rows(keys: pd.Series, choice: Choice) -> pd.DataFrame:
    """What to remember: per customer, the class written and whether the user typed it over xlcrm's."""
    frame = pd.DataFrame({"key": keys, "row": keys.index, "class": choice.classes,
                          "manual": choice.source.eq(TYPED).map({True: "1", False: ""})})
    return frame.drop_duplicates("key").reset_index(drop=True)
