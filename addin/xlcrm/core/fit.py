"""Column widths and row heights that fit what the cells show, so nothing xlcrm writes reads ### or is cut.

Widths are in Excel's unit (characters of the default font's digit); a CJK or full-width
character takes two. Each value is measured as its number format shows it (a date as
2026-03-05, an amount with thousands separators), bold headers a little wider.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
import operator
import re
from dataclasses import replace
import unicodedata
from typing import Any, Iterable

from xlcrm.core.edits import DATE, INT, MONEY, PERCENT, RIGHT, Formula, PutSheet

PADDING = 2  # Excel's cell margins and a little air
HEADER_BOLD = 1.1
NARROWEST, WIDEST = 6, 50  # longer text goes on (into empty cells) or wraps, rather than making a wall of a column
_AREA = re.compile(r"(\$?)([A-Z]{1,3})(\$?\d+)$")
LINE_POINTS = 15  # one line of the default 11-point font
FORMULA_WIDTH = 10  # what xlcrm's own formulas show (a status word, a figure)


def text_width(text: str) -> float:
    """How many digit widths text takes on one line: CJK and full-width characters count double."""
    return len(text) if text.isascii() else _wide_text_width(text)


@functools.lru_cache(maxsize=4096)  # the lines a mail template writes into thousands of previews
def _wide_text_width(text: str) -> int:
    return sum(map(_char_width, text))


@functools.lru_cache(maxsize=None)  # a sheet's text repeats few distinct characters
def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def shown(value: Any, number_format: str | None = None) -> str:
    """The text a cell shows for value under one of core.edits' named formats (General otherwise)."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        return "x" * FORMULA_WIDTH
    if isinstance(value, bool):
        return "FALSE" if not value else "TRUE"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        if number_format == MONEY:
            return f"{value:,.2f}"
        if number_format == INT:
            return f"{value:.0f}"
        if number_format == PERCENT:
            return f"{value:.1%}"
        if number_format == DATE:
            return "2026-01-01"
        return f"{value:.10g}" if isinstance(value, float) else str(value)
    return str(value)


def value_width(value: Any, number_format: str | None = None) -> float:
    """The widest line of what the cell shows."""
    if type(value) is str and "\n" not in value:  # most cells: text on one line, shown as it is
        return text_width(value)
    return max((text_width(line) for line in shown(value, number_format).split("\n")), default=0)


def widest_value(cells: Iterable[tuple[Any, str | None]]) -> float:
    """The largest value_width of (value, number format) pairs; a repeated number or date is measured once."""
    measured: dict[tuple[type, Any, str | None], float] = {}
    widest: float = 0
    for value, number_format in cells:
        if type(value) is str:
            width = value_width(value)
        else:
            key = (type(value), value, number_format)  # the type too: 1, 1.0 and True show differently
            try:
                width = measured[key]
            except KeyError:
                width = measured[key] = value_width(value, number_format)
            except TypeError:  # an unhashable value
                width = value_width(value, number_format)
        if width > widest:
            widest = width
    return widest


def widest_of(values: Iterable[Any], number_format: str | None = None) -> float:
    """widest_value of values all under one format; text is measured widest-bound first, and no further than a
    text could still be wider, as a column of names holds thousands (of about one width each)."""
    values = list(values)
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:  # most columns: text, maybe with gaps; sorted out without a loop per cell
        texts, others = list(set(values) - {None}), []
    else:
        texts, others = list({v for v in values if type(v) is str}), [v for v in values if type(v) is not str]
    bounds = _twice_width_bounds(texts)
    widest: float = 0
    for i in sorted(range(len(texts)), key=bounds.__getitem__, reverse=True):
        if bounds[i] <= 2 * widest:
            break
        widest = max(widest, value_width(texts[i]))
    extremes = _extremes(others, number_format)
    return max(widest, widest_value((v, number_format) for v in extremes)) if extremes else widest


def _twice_width_bounds(texts: list[str]) -> list[int]:
    """At least twice text_width of each text, from its UTF-8 length alone: a character of two widths (East Asian
    wide or full-width, all from U+1100 on) takes three or four bytes, one of one width one to four."""
    try:
        sizes = list(map(len, map(str.encode, texts)))
    except UnicodeEncodeError:  # a lone surrogate (three bytes, one width)
        sizes = [len(text.encode("utf-8", "surrogatepass")) for text in texts]
    return list(map(operator.add, map(len, texts), sizes))


# formats whose text is never shorter for a number further from zero (a percentage of a huge one overflows to inf)
_GROWING = {MONEY, INT}


def _extremes(values: list[Any], number_format: str | None) -> list[Any]:
    """The values that can show widest: of the numbers the largest and the smallest, as a number further from
    zero never shows shorter (and only a negative one, or -0.0, shows a minus sign); one formula (each shows
    FORMULA_WIDTH wide); no empty cell."""
    kinds = (int, float) if number_format in _GROWING else (int,) if number_format is None else ()
    numbers: list[Any] = []
    rest: list[Any] = []
    formula = []
    for v in values:
        kind = type(v)
        if kind in kinds and (kind is int or math.isfinite(v)):
            numbers.append(v)
        elif kind is Formula:
            formula = [v]
        elif v is not None:
            rest.append(v)
    if len(numbers) <= 2:
        return numbers + formula + rest
    low = min(numbers)
    negative_zero = low == 0 and any(type(v) is float and v == 0 and math.copysign(1, v) < 0 for v in numbers)
    return [low, max(numbers), *([-0.0] if negative_zero else []), *formula, *rest]


def column_width(cells: Iterable[Any], header: Any = None, number_format: str | None = None,
                 widest: float = WIDEST) -> float:
    """A width that fits the header (bold) and the widest value, within NARROWEST..widest."""
    needed = widest_of(cells, number_format)
    if header is not None:
        needed = max(needed, value_width(header) * HEADER_BOLD)
    return float(min(max(math.ceil(needed + PADDING), NARROWEST), max(widest, NARROWEST)))


def grid_widths(rows: list[list[Any]], formats: dict[int, str], skip: Iterable[int] = (),
                header: int | None = None, widest: float = WIDEST) -> dict[int, float]:
    """A width per column of a grid (0-based); rows in skip (titles that run across) are not measured.

    header: the 0-based row whose cells are bold headers; formats apply to the rows after it.
    """
    skipped = set(skip)
    columns = max((len(r) for r in rows), default=0)
    widths = {}
    for c in range(columns):
        cells = [r[c] for i, r in enumerate(rows) if c < len(r) and i not in skipped and i != header]
        head = rows[header][c] if header is not None and c < len(rows[header]) else None
        widths[c] = column_width(cells, head, formats.get(c), widest)
    return widths


def line_count(value: Any, width: float) -> int:
    """How many lines value takes in a wrapping cell of that width."""
    room = max(width - PADDING, 1)
    return sum(max(1, math.ceil(text_width(line) / room)) for line in shown(value).split("\n"))


def row_heights(rows: list[list[Any]], wrapped: dict[int, float], most: int = 20) -> dict[int, float]:
    """Heights in points (0-based rows) for rows whose wrapped cells need more than one line (at most `most`)."""
    heights = {}
    short = {c: max(width - PADDING, 1) / 2 for c, width in wrapped.items()}  # text this long fits on one line
    for i, row in enumerate(rows):
        lines = max((line_count(row[c], width) for c, width in wrapped.items() if c < len(row)
                     and isinstance(row[c], str) and (len(row[c]) > short[c] or "\n" in row[c])), default=1)
        if lines > 1:
            heights[i] = float(min(lines, most) * LINE_POINTS)
    return heights


SPANNING = {"title", "section", "muted"}  # rows whose text runs on across empty cells


def fitted(sheet: PutSheet) -> PutSheet:
    """The sheet with every column at least as wide as what it shows (given widths are the least), rows
    with wrapped text tall enough for their lines, and the headers of columns of numbers and dates aligned
    right, over their values (a left header over right-aligned numbers reads as the next column's)."""
    header = next((i for i, s in sorted(sheet.row_styles.items()) if s == "header"), None)
    skip = {i for i, s in sheet.row_styles.items() if s in SPANNING}
    headers = {i for i, s in sheet.row_styles.items() if s == "header"}
    body = [i for i in range(len(sheet.rows)) if i not in skip and i not in headers]  # the rows measured
    ranges = [(_box(cells), name) for cells, name in sheet.range_formats]
    columns = max((len(r) for r in sheet.rows), default=0)
    widths, align = dict(sheet.widths), dict(sheet.align)
    split = bisect.bisect_right(body, header) if header is not None else 0
    above, below = (_by_column(sheet.rows, part, columns) for part in (body[:split], body[split:]))
    for c in range(columns):
        if c in sheet.wrap and c in widths:
            continue
        by_format = _column_values(sheet, body, c, header, ranges, (above[c], below[c]))
        needed = max([widest_of(values, name) for name, values in by_format.items()], default=0)
        needed = max([needed] + [value_width(sheet.rows[i][c]) * HEADER_BOLD for i in headers
                                 if c < len(sheet.rows[i])])
        fit = float(min(max(math.ceil(needed + PADDING), NARROWEST), WIDEST))
        widths[c] = max(widths.get(c, 0), fit)
        if header is not None and c not in align and _figures(v for values in by_format.values() for v in values):
            align[c] = RIGHT
    wrapped = {c: widths.get(c, WIDEST) for c in sheet.wrap}
    heights = {**row_heights(sheet.rows, wrapped), **sheet.heights}
    return replace(sheet, widths=widths, heights=heights, align=align)


def _figures(values: Iterable[Any]) -> bool:
    """Whether the values shown are all numbers or dates (and there are some): a column of text is told by its
    first text, not read to its end."""
    some = False
    for v in values:
        if v is None or v == "":
            continue
        if not isinstance(v, (int, float, dt.date)) or isinstance(v, bool):
            return False
        some = True
    return some


def _by_column(rows: list[list[Any]], indices: list[int], width: int) -> list[list[Any]]:
    """The values of these rows, column by column (a row shorter than a column has none there), `width` columns."""
    chosen = [row for i in indices if (row := rows[i])]  # an empty row has nothing to measure
    if set(map(len, chosen)) <= {width}:  # rows of one length: turned at once
        columns = [list(column) for column in zip(*chosen)]
    else:
        past = object()
        columns = [[v for v in column if v is not past] for column in itertools.zip_longest(*chosen, fillvalue=past)]
    return columns + [[] for _ in range(width - len(columns))]


def _column_values(sheet: PutSheet, body: list[int], column: int, header: int | None,
                   ranges: list[tuple[tuple[int, int, int, int], str]],
                   parts: tuple[list[Any], list[Any]]) -> dict[str | None, list[Any]]:
    """The values of a column in the rows measured, by the named format each shows in: the column's format
    below the header, a range's where one covers the cell (the last one listed wins). parts: the column's
    values above the header and below it."""
    rows, below = sheet.rows, sheet.formats.get(column) if header is not None else None
    covering = [(top, bottom, name) for (top, left, bottom, right), name in ranges if left <= column <= right]
    by_format: dict[str | None, list[Any]] = {}
    if not covering:
        for name, values in zip((None, below), parts):
            by_format.setdefault(name, []).extend(values)
        return by_format
    for i in body:
        if column < len(rows[i]):
            name = next((name for top, bottom, name in reversed(covering) if top <= i <= bottom),
                        below if header is not None and i > header else None)
            by_format.setdefault(name, []).append(rows[i][column])
    return by_format


def _box(cells: str) -> tuple[int, int, int, int]:
    """'B7:D9' -> (6, 1, 8, 3): top, left, bottom, right, 0-based ('B7' alone is a box of one cell)."""
    (top, left), (bottom, right) = (_corner(p) for p in (cells.split(":") + cells.split(":"))[:2])
    return top, left, bottom, right


def _corner(ref: str) -> tuple[int, int]:
    """'B7' -> (6, 1), 0-based."""
    letters = "".join(ch for ch in ref if ch.isalpha()).upper()
    return int("".join(ch for ch in ref if ch.isdigit())) - 1, _column_number(letters) - 1


def widen_area(text: str, right: int) -> str:
    """'Sheet'!$A$1:$P$70,... with each range's right edge moved out to column `right` where it ends before it."""
    pieces = []
    for piece in text.split(","):
        head, _, corner = piece.rpartition(":")
        found = _AREA.search(corner) if head else None
        if found and _column_number(found.group(2)) < right:
            corner = corner[:found.start()] + found.group(1) + _letters(right) + found.group(3)
        pieces.append(f"{head}:{corner}" if head else piece)
    return ",".join(pieces)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _letters(column: int) -> str:
    """1 -> A (core.table has the same, but loads pandas, which the live back-end's first click must not)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
