"""What an action wants changed in a workbook, as plain data; book/ back-ends carry it out.

Values are written as values: a str is always text (even '=1+1' or '+86...'), never a
formula, unless wrapped in Formula. Styles and formats are named here and drawn by
each back-end in its own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Iterable, Sequence
from typing import Any

# Named cell formats a back-end understands.
DATE, MONEY, PERCENT, INT, TEXT = "date", "money", "percent", "int", "text"
FORMATS = {DATE: "yyyy-mm-dd", MONEY: "#,##0.00", PERCENT: "0.0%", INT: "0", TEXT: "@"}
# Horizontal alignments of a column (its header and its values): a header stands over its numbers.
LEFT, CENTER, RIGHT = "left", "center", "right"


@dataclass(frozen=True)
class Formula:
    """A cell formula xlcrm itself writes (never customer data)."""

    text: str


# Excel's built-in number formats that show a date (ids 27-31, 36 and 50-58 are the East Asian ones).
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58})
_NOT_SHOWN = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')  # quoted text, escapes, [colours/locales], spacing


def shows_date(number_format: str | int | None) -> bool:
    """Whether a number format (its code, or a built-in format's id) shows a date: it has a year or a day."""
    if isinstance(number_format, int):
        return number_format in _DATE_FORMAT_IDS
    code = _NOT_SHOWN.sub("", (number_format or "").split(";")[0]).lower()
    return code != "general" and bool(re.search("[yd]", code))


def holds_formula(rows: Iterable[Sequence[Any]]) -> bool:
    """Whether any value in the rows is a Formula (their types gathered row by row: a long sheet has 100k cells)."""
    kinds: set[type] = set()
    for row in rows:
        kinds.update(map(type, row))
    return any(issubclass(kind, Formula) for kind in kinds)


@dataclass
class SetCells:
    """A rectangle of values on an existing sheet, top-left at (row, col), 1-based.

    header=True styles the first row as xlcrm's column headers. clear_below empties the
    same columns below the rectangle (rows that were data on an earlier run).
    """

    sheet: str
    row: int
    col: int
    values: list[list[Any]]
    formats: dict[int, str] = field(default_factory=dict)  # 0-based column in values -> format
    header: bool = False
    clear_below: bool = False
    widths: dict[int, float] = field(default_factory=dict)  # 0-based column in values -> at least this wide
    print_with_team: bool = False  # the team's print area, if it has one, grows to take these columns in
    align: dict[int, str] = field(default_factory=dict)  # 0-based column in values -> LEFT | CENTER | RIGHT
    keep_formulas: bool = False  # a cell holding a formula (the team's) is left as it is, not written over
    # Filled in by the back-end that carries the edit out: (row, column), 1-based, of each cell keep_formulas left.
    formulas_kept: list[tuple[int, int]] = field(default_factory=list, compare=False)


@dataclass
class Chart:
    """A native chart on the sheet, over a block of that sheet's own cells (1-based, inclusive)."""

    kind: str  # bar | column | pie | line
    title: str
    anchor: str  # top-left cell, e.g. "H2"
    categories: tuple[int, int, int]  # (column, first row, last row)
    series: tuple[tuple[int, int, int], ...]  # each (column, header row, last row): header names the series
    width_cm: float = 16
    height_cm: float = 8
    legend: bool = True
    data_labels: str | None = None  # None | "value" | "percent"


@dataclass
class PutSheet:
    """A sheet xlcrm owns, written whole: created if missing, otherwise its content replaced.

    aliases are other names the same sheet may have (its name in the other language):
    an existing one is renamed rather than duplicated.
    """

    name: str
    rows: list[list[Any]]
    aliases: tuple[str, ...] = ()
    row_styles: dict[int, str] = field(default_factory=dict)  # 0-based row -> title | section | header | muted
    formats: dict[int, str] = field(default_factory=dict)  # 0-based column -> format (rows after a header)
    widths: dict[int, float] = field(default_factory=dict)  # 0-based column -> width in characters
    merges: tuple[str, ...] = ()
    freeze: str | None = None
    charts: tuple[Chart, ...] = ()
    range_formats: tuple[tuple[str, str], ...] = ()  # (A1 range, format): blocks formatted apart from their column
    hidden: bool = False
    first: bool = False  # place it as the first sheet when created
    wrap: tuple[int, ...] = ()  # 0-based columns whose text wraps (multi-line bodies)
    heights: dict[int, float] = field(default_factory=dict)  # 0-based row -> height in points
    align: dict[int, str] = field(default_factory=dict)  # 0-based column -> LEFT | CENTER | RIGHT, from the first header
    # (A1 range, LEFT | CENTER | RIGHT): blocks aligned apart from their column (a table's column of numbers with its
    # header, on a sheet of several tables); applied after the columns' alignment
    range_align: tuple[tuple[str, str], ...] = ()


@dataclass
class Highlight:
    """A conditional format rule: cells in `cells` are filled when `formula` is true for their row."""

    formula: str  # relative to the top-left cell of `cells`, e.g. '=$N5<TODAY()'
    fill: str  # RGB hex, e.g. 'F8CBAD'
    font: str | None = None


@dataclass
class SetHighlights:
    """xlcrm's conditional format rules on a sheet: any it wrote before are replaced by these."""

    sheet: str
    cells: str  # A1 range, e.g. 'A5:Q200'
    rules: list[Highlight]


Edit = SetCells | PutSheet | SetHighlights

# Marks the conditional format rules xlcrm writes, so a later run replaces them and
# leaves the team's own rules alone. N("xlcrm") is 0 in Excel and LibreOffice alike.
RULE_TAG = 'N("xlcrm")=0'


def tagged(formula: str) -> str:
    return f"AND({RULE_TAG},{formula.lstrip('=')})"


def is_tagged(formula: str) -> bool:
    return RULE_TAG in formula.replace(" ", "")
