"""The class the user chose wins over the computed one, and is kept.

Two ways to choose: a mapped "Manual class" column (指定等级) of the team's own, or a class typed
over the one xlcrm wrote in its Class column. xlcrm tells a typed class from its own by comparing
the cell with what it wrote last time (kept in the workbook's hidden state sheet, by customer and row);
a class typed once stays the user's until they clear the cell, which hands it back to the rules.
A team that already had a Class column (客户等级) keeps its values the first time, too.

Sorting an Excel Table moves the team's cells but not xlcrm's columns beside it: the customers change
rows, the Class column stays. Then each class cell is read against what xlcrm wrote at that row, and a
class the user chose before the sort goes back to its customer (`Choice.realigned`).
Without the record (the hidden sheet deleted) a class differing from the computed one cannot be told
from an old one of xlcrm's: the computed class is written and the old value listed (`Choice.unrecorded`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.core.i18n import Msg

COMPUTED, TYPED, COLUMN = "computed", "typed", "column"
STATE_COLUMNS = ("key", "row", "class", "manual")
NOT_A_CLASS = Msg("not a class (A, B, C or D): the computed class {computed} was written instead",
                  "不是有效等级(A、B、C、D),已改为计算所得的等级 {computed}")
NOT_A_MANUAL_CLASS = Msg("not a class (A, B, C or D): ignored", "不是有效等级(A、B、C、D),已忽略")
UNRECORDED = Msg("xlcrm's record of the classes it wrote (hidden sheet '_xlcrm') is gone, so it cannot tell whether "
                 "this class was typed by you: the computed class {computed} was written. If {value} was your "
                 "choice, type it again.",
                 "xlcrm 记录其所写等级的隐藏工作表“_xlcrm”已丢失,无法判断此等级是否为手动填写:已改为计算所得的等级 "
                 "{computed}。如果 {value} 是您指定的等级,请重新填写。")


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
    realigned: bool = False  # the customers changed rows without the Class column: cells read by row
    restored: int = 0  # realigned: classes the user chose before, moved back to their customers
    # raw values by row: a class differing from the computed one, with no record of what xlcrm wrote; replaced
    unrecorded: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))


def choose(computed: pd.Series, keys: pd.Series, current: pd.Series | None, manual: pd.Series | None,
           state: pd.DataFrame) -> Choice:
    """The class of each row: manual column, else a class typed over xlcrm's, else the computed one.

    computed, keys, current, manual: by Excel row. state: what xlcrm wrote last time, columns
    key, row, class, manual ("1" when it was the user's).
    """
    rows = computed.index
    now = _normal(current, rows)
    fixed = _normal(manual, rows)
    has_class = now.notna() & now.ne("")
    at_row = _written_at(rows, state)
    for_customer = _last_written(keys, state)
    stayed = at_row["key"].eq(keys.astype(str))  # a customer listed twice: each row against its own record
    for_customer.loc[stayed] = at_row.loc[stayed, ["class", "manual"]]
    realigned = _column_stayed(now, for_customer, at_row, stayed)
    unrecorded = pd.Series(False, index=rows)
    if realigned:
        typed, restored = _read_by_row(now, for_customer, at_row)
        chosen = now.where(~restored, for_customer["class"])
    else:
        typed = has_class & (for_customer["class"].isna() | now.ne(for_customer["class"])
                             | for_customer["manual"].eq("1"))
        restored = pd.Series(False, index=rows)
        chosen = now
        if current is not None and not len(state):  # xlcrm's own column, its record lost
            unrecorded = typed & now.ne(computed)
            typed = pd.Series(False, index=rows)
    use_column = fixed.notna() & fixed.ne("")
    use_typed = typed & ~use_column
    classes = computed.where(~use_typed, chosen).where(~use_column, fixed)
    source = pd.Series(COMPUTED, index=rows, dtype=object).mask(use_typed, TYPED).mask(use_column, COLUMN)
    invalid_typed = now.eq("") & ~use_column
    empty = pd.Series(dtype=object)
    return Choice(classes, source, empty if current is None else current[invalid_typed],
                  empty if manual is None else manual[fixed.eq("")], realigned, int((restored & use_typed).sum()),
                  empty if current is None else current[unrecorded & ~use_column])


def _normal(values: pd.Series | None, rows: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series(None, index=rows, dtype=object)
    codes, distinct = pd.factorize(values.reindex(rows))  # a few distinct texts among 100k cells: each read once
    normal = np.array([normalize_class(v) for v in distinct] + [None], dtype=object)
    return pd.Series(normal[codes], index=rows, dtype=object)  # code -1 (empty) takes the last: None


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


def _written_at(rows: pd.Index, state: pd.DataFrame) -> pd.DataFrame:
    """What xlcrm wrote at each Excel row (key, class, manual), whichever customer was there."""
    numbers = pd.to_numeric(state["row"], errors="coerce")
    kept = state[numbers.notna()].set_axis(numbers[numbers.notna()].astype("int64"))
    kept = kept[~kept.index.duplicated()].astype({"key": str, "class": object, "manual": object})
    return kept[["key", "class", "manual"]].reindex(rows)


def _column_stayed(now: pd.Series, for_customer: pd.DataFrame, at_row: pd.DataFrame, stayed: pd.Series) -> bool:
    """Did the customers change rows while the Class column stayed (a sort of an Excel Table that xlcrm's
    columns sit beside)? Of the customers on another row than last time, where the two tell apart, the cells
    hold more of what was written at their row than of what was written for their customer."""
    telling = (~stayed & at_row["class"].notna() & for_customer["class"].notna()
               & at_row["class"].ne(for_customer["class"]))
    by_row = int((telling & now.eq(at_row["class"])).sum())
    return by_row > int((telling & now.eq(for_customer["class"])).sum())


def _read_by_row(now: pd.Series, for_customer: pd.DataFrame, at_row: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(typed, restored): a class differing from what xlcrm wrote at its row was typed since; one equal to it was
    left behind by the sort, and the customer now there gets back the class they had chosen, if any. A row xlcrm
    wrote nothing at (added since) is read as before, against what was written for its customer."""
    has_class = now.notna() & now.ne("")
    recorded = at_row["class"].notna()
    left_behind = has_class & recorded & now.eq(at_row["class"])
    new_row = has_class & ~recorded & (for_customer["class"].isna() | now.ne(for_customer["class"])
                                       | for_customer["manual"].eq("1"))
    typed = (has_class & recorded & ~left_behind) | new_row
    restored = left_behind & for_customer["manual"].eq("1") & for_customer["class"].isin(list("ABCD"))
    return typed | restored, restored


def state_rows(keys: pd.Series, choice: Choice) -> pd.DataFrame:
    """What to remember: per row, its customer, the class written and whether the user typed it over xlcrm's.
    Every row, a customer listed twice too: a sort of the table alone is read back by row."""
    return pd.DataFrame({"key": keys, "row": keys.index, "class": choice.classes,
                         "manual": choice.source.eq(TYPED).map({True: "1", False: ""})}).reset_index(drop=True)
