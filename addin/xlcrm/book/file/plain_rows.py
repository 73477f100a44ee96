"""The long plain end of one of xlcrm's own sheets, written as XML directly instead of through openpyxl.

A due list or the state sheet has 10,000 rows and more; openpyxl makes an object per cell and
takes about ten microseconds each to build and save it. Past the last row that is styled,
merged, charted or range-formatted, every row is plain: each cell's style follows only from
its column's format and its value's type. openpyxl draws the sheet up to there (so the
sheet's look is its, as before), and is asked once for the style of each (column, value
type); the rows after it are written by CellWriter as the transplant copies the sheet.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator

from openpyxl.utils import range_boundaries
from openpyxl.workbook import Workbook

from xlcrm.book.file.cell_xml import CellWriter, column_letter, number_text
from xlcrm.book.file.openpyxl_edits import Aligner, write_value
from xlcrm.core.edits import FORMATS, Formula, PutSheet

LONG = 500  # fewer plain rows than this go through openpyxl with the rest
_AHEAD = 2048  # plain rows made into XML at once
_KINDS = (dt.datetime, dt.date, dt.time, dt.timedelta)  # openpyxl gives each its own default number format
_PROBES: dict[type | None, Any] = {dt.datetime: dt.datetime(2000, 1, 1), dt.date: dt.date(2000, 1, 1),
                                   dt.time: dt.time(), dt.timedelta: dt.timedelta(0),
                                   str: None, None: 0}  # str: an empty cell, styled by its column


@dataclass
class PlainRows:
    rows: list[tuple[int, list[Any]]]  # (Excel row, its values), ascending
    formats: dict[int, str]  # 0-based column -> FORMATS name (the columns' format under a header)
    styles: dict[tuple[int, type | None], int] | None = None  # (column, value kind) -> openpyxl's style index
    align: dict[int, str] = field(default_factory=dict)  # 0-based column -> horizontal alignment (under a header)
    wrap: frozenset[int] = frozenset()  # 0-based columns whose cells wrap
    heights: dict[int, float] = field(default_factory=dict)  # Excel row -> its height in points, where set

    @property
    def styled(self) -> list[int]:
        """Columns whose cells put_sheet makes in every plain row, with or without a value (aligned, wrapped)."""
        return sorted({*self.align, *self.wrap})


def split(edit: PutSheet) -> tuple[PutSheet, PlainRows | None]:
    """(what openpyxl draws, the plain rows it leaves out) of a PutSheet; None when few rows are plain.
    Plain: under the first header (or in a sheet without one), not styled, merged, charted, range-formatted or
    range-aligned."""
    special = set(edit.row_styles)
    for cells in (*(cells for cells, _ in (*edit.range_formats, *edit.range_align)), *edit.merges):
        _, top, _, bottom = range_boundaries(cells)  # a whole-column range (A:C) has no rows: it covers them all
        special.update(range((top or 1) - 1, bottom or len(edit.rows)))
    for chart in edit.charts:
        for _, first, last in (chart.categories, *chart.series):
            special.update(range(first - 1, last))
    headers = [row for row, style in edit.row_styles.items() if style == "header"]
    start = min(headers) + 1 if headers else 0  # put_sheet formats columns only under a header
    plain = [row for row in range(start, len(edit.rows)) if row not in special]
    if len(plain) < LONG:
        return edit, None
    drawn = list(edit.rows)
    for row in plain:
        drawn[row] = []
    rows = [(row + 1, edit.rows[row]) for row in plain]
    # a plain row's height goes with it: drawn by openpyxl too, the row would be written twice (Excel repairs that)
    taken = set(plain)
    heights = {row: height for row, height in edit.heights.items() if row not in taken}
    return replace(edit, rows=drawn, heights=heights), PlainRows(
        rows, edit.formats if headers else {}, align=edit.align if headers else {}, wrap=frozenset(edit.wrap),
        heights={row + 1: height for row, height in edit.heights.items() if row in taken})


def _empty(value: Any) -> bool:
    """None, '' and NaN: openpyxl writes no value (a cell only when its column is formatted)."""
    return value is None or (isinstance(value, str) and not value) or (isinstance(value, float) and math.isnan(value))


_PAST = object  # the kind of a cell past the end of its row's values (put_sheet makes it to align or wrap it)
_KIND_OF = {int: None, bool: None, dt.datetime: dt.datetime, dt.date: dt.date, dt.time: dt.time,
            dt.timedelta: dt.timedelta, Formula: None}


def _kind(value: Any) -> type | None:
    """None for a value with no style of its own; str for an empty cell; else the date or time type."""
    known = type(value)
    if known is str:  # the common types first: this runs for every cell
        return None if value else str
    if known is float:
        return str if math.isnan(value) else None
    if known in _KIND_OF:
        return _KIND_OF[known]
    if _empty(value):
        return str
    return next((kind for kind in _KINDS if isinstance(value, kind)), None)


def _columns(rows: list[tuple[int, list[Any]]]) -> list[list[Any]]:
    """The rows' values column by column (a short row has none in the columns past its end)."""
    width = max((len(row) for _, row in rows), default=0)
    if all(len(row) == width for _, row in rows):
        return [list(column) for column in zip(*(row for _, row in rows))]
    return [[row[c] for _, row in rows if c < len(row)] for c in range(width)]


def _kinds(values: list[Any]) -> set[type | None]:
    """{_kind(v) for v in values}, with text and numbers looked at by type, not cell by cell."""
    kinds: set[type | None] = set()
    for known in set(map(type, values)):
        if known is str:
            texts = [v for v in values if type(v) is str]
            kinds.update(([None] if any(texts) else []) + ([str] if not all(texts) else []))
        elif known is float:
            nan = list(map(math.isnan, (v for v in values if type(v) is float)))
            kinds.update(([str] if any(nan) else []) + ([None] if not all(nan) else []))
        elif known in _KIND_OF:
            kinds.add(_KIND_OF[known])
        elif known is type(None):
            kinds.add(str)  # an empty cell
        else:
            kinds.update(_kind(v) for v in values if type(v) is known)
    return kinds


def learn_styles(book: Workbook, plain: PlainRows) -> None:
    """Ask openpyxl the style each (column, value kind) gets, in a sheet removed again before the save:
    its styles stay in the workbook's list, so the indexes are the ones the saved styles.xml holds."""
    probe = book.create_sheet("xlcrm-probe")
    plain.styles = {}
    align = Aligner(book)
    kinds = {(c, kind) for c, values in enumerate(_columns(plain.rows)) for kind in _kinds(values)}
    kinds |= {(c, kind) for c in plain.styled for kind in (str, _PAST)}
    # in a fixed order (a set of types is not), so that every run adds the styles to the team's in the same order
    for column, kind in sorted(kinds, key=lambda k: (k[0], k[1].__name__ if k[1] else "")):
        # as put_sheet styles a cell: its value, its column's format, alignment, wrapping
        cell = probe.cell(1, 1)
        if kind is not _PAST:  # a cell past the row's values is only aligned or wrapped
            write_value(cell, _PROBES[kind])
            if column in plain.formats:
                cell.number_format = FORMATS[plain.formats[column]]
        if column in plain.align:
            align(cell, plain.align[column])
        if column in plain.wrap:
            align.wrap(cell)
        plain.styles[(column, kind)] = cell.style_id if cell.has_style else 0
        probe._cells.clear()
    book.remove(probe)


class PlainXml:
    """The rows as worksheet XML, handed out in order between openpyxl's; style_of maps openpyxl's style
    index to the one in the team's styles; date1904: the team's workbook counts its dates from 1904."""

    def __init__(self, plain: PlainRows, prefix: bytes, style_of: Callable[[int], int], date1904: bool = False):
        assert plain.styles is not None
        self.plain, self.cells, self.p, self.next = plain, CellWriter(prefix, date1904), prefix.decode(), 0
        self.attribute = {key: f' s="{s}"' if (s := style_of(index)) else "" for key, index in plain.styles.items()}
        width = max((len(row) for _, row in plain.rows), default=0)
        self.styled = plain.styled  # cells in every row, past the row's values too
        self.letters = [column_letter(c + 1) for c in range(max(width, self.styled[-1] + 1 if self.styled else 0))]
        # a column's cell (its row number as {}) for an empty value, and past the end of a row's values
        self.empty, self.past = ({c: f'<{self.p}c r="{self.letters[c]}{{}}"{s}/>'
                                  for (c, kind), s in self.attribute.items() if kind is wanted and s}
                                 for wanted in (str, _PAST))
        self.ahead: list[bytes] = []  # the XML of the rows from self.next on, made a chunk at a time

    def before(self, number: int | None) -> Iterator[bytes]:
        """The rows above Excel row `number` not yet handed out (None: all that are left)."""
        rows = self.plain.rows
        while self.next < len(rows) and (number is None or rows[self.next][0] < number):
            if not self.ahead:
                self.ahead = self._rows(rows[self.next:self.next + _AHEAD])
            yield self.ahead.pop()
            self.next += 1

    def _rows(self, rows: list[tuple[int, list[Any]]]) -> list[bytes]:
        """The rows' XML, last row first; made column by column (a column's styles looked up once)."""
        numbers = [number for number, _ in rows]
        lengths = [len(row) for _, row in rows]
        shortest = min(lengths)
        columns = []
        for c, letters in enumerate(self.letters):
            kinds, s = self._style_of_kind(c), self.attribute.get((c, None), "")  # s: text and numbers
            if c < shortest:
                values = [row[c] for _, row in rows]
                columns.append(self.cells.column(letters, numbers, values, s, kinds, self.empty.get(c, "")))
                continue
            past = self.past.get(c, "")  # the rows that end before this column
            cells = [past.format(number) for number in numbers]
            inside = [i for i, length in enumerate(lengths) if length > c]
            written = self.cells.column(letters, [numbers[i] for i in inside], [rows[i][1][c] for i in inside],
                                        s, kinds, self.empty.get(c, ""))
            for i, cell in zip(inside, written):
                cells[i] = cell
            columns.append(cells)
        last_styled, heights = self.styled[-1] if self.styled else -1, self.plain.heights
        start, end = f"<{self.p}row r=".encode(), f"</{self.p}row>".encode()
        by_row = list(zip(*columns)) if columns else [()] * len(rows)
        return [start + b'"%d"' % number + self._height(number) + b">" + "".join(cells).encode() + end
                if length or last_styled >= length or number in heights else b""
                for number, length, cells in zip(reversed(numbers), reversed(lengths), reversed(by_row))]

    def _height(self, number: int) -> bytes:
        height = self.plain.heights.get(number)
        return b"" if height is None else b' ht="%s" customHeight="1"' % number_text(height).encode()

    def _style_of_kind(self, column: int) -> Callable[[Any], str]:
        """The style attribute of a value in the column, by its kind (openpyxl formats dates and times)."""
        attribute = self.attribute
        return lambda value: attribute.get((column, _kind(value)), "")


def dimension(ref: str, plain: PlainRows) -> str:
    """The sheet's used range with the plain rows in it (openpyxl saw only the others)."""
    left, top, right, bottom = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
    assert left and top and right and bottom, "openpyxl writes the dimension as cells (A1:D10), never whole columns"
    least = plain.styled[-1] + 1 if plain.styled else 0  # the aligned and wrapped columns have a cell in every row
    filled = [(number, max(len(row), least)) for number, row in plain.rows if row or least]
    if filled:
        left, top = min(left, 1), min(top, filled[0][0])
        right, bottom = max(right, max(width for _, width in filled)), max(bottom, filled[-1][0])
    return f"{column_letter(left)}{top}:{column_letter(right)}{bottom}"
