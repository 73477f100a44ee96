"""What xlcrm remembers between runs, kept inside the workbook in a hidden sheet (never beside it).

The sheet holds sections, each owned by one feature: a marker row ("#section", id), a header
row, then data rows up to the next marker. A feature replaces its own section and keeps the
others as they were, so features never overwrite each other's memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

MARKER = "#section"
TITLE = "xlcrm: what the last run wrote, so the next one can tell your edits from its own. Do not edit."


def parse(grid: list[list[Any]]) -> dict[str, pd.DataFrame]:
    """Sections by id, each a DataFrame of text values."""
    sections: dict[str, list[list[Any]]] = {}
    current: list[list[Any]] | None = None
    for row in grid:
        if row and row[0] == MARKER and len(row) > 1:
            current = sections.setdefault(str(row[1]), [])
        elif current is not None and any(v not in (None, "") for v in row):
            current.append(list(row))
    return {sid: _frame(rows) for sid, rows in sections.items()}


def _frame(rows: list[list[Any]]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame()
    header = [str(h) for h in rows[0] if h not in (None, "")]
    body = [[_text(v) for v in (r + [None] * len(header))[:len(header)]] for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def section(sections: dict[str, pd.DataFrame], sid: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """One section, with at least the given columns (empty when it was never written)."""
    frame = sections.get(sid, pd.DataFrame())
    for column in columns:
        if column not in frame:
            frame[column] = pd.Series(dtype=object)
    return frame


def render(sections: dict[str, pd.DataFrame]) -> list[list[Any]]:
    rows: list[list[Any]] = [[TITLE]]
    for sid, frame in sections.items():
        rows.append([MARKER, sid])
        rows.append(list(frame.columns))
        if len(frame.columns):  # a column at a time: a hundred thousand customers' classes are remembered
            rows += map(list, zip(*(_texts(frame.iloc[:, i]) for i in range(len(frame.columns)))))
        else:
            rows += [[] for _ in range(len(frame))]
    return rows


def _texts(column: pd.Series) -> list[str]:
    """_text of each value; a column of text, or of whole numbers, at once."""
    values = column.tolist()
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":  # numpy's: no <NA> among them
        return list(map(str, values))
    return values if set(map(type, values)) <= {str} else [_text(v) for v in values]
