"""Where a row's cells are in its XML, found without reading the team's cells that xlcrm does not write over.

A row's cells are (column, start, end, has_ref) tuples over the row's content, in column order. xlcrm's columns
sit beside the team's, mostly at the end of the row, but one command's columns may sit before another's (the
follow-up columns before the scores, when follow-ups ran first): the cells are then found from the first column
written on, up to the last, instead of from the row's end.
"""

from __future__ import annotations

import re

from xlcrm.book.file.cell_xml import column_letter
from xlcrm.book.file.sheet_xml import cell_pattern

_CELL_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,3})(\d+)[\"']")
_SPACE = b" \t\r\n"
_TRIES = 16  # rows on which finding the first written column by its reference may fail before it is given up


class RowCells:
    """Finds the cells of one sheet's rows (prefix: the sheet's, such as b'x:')."""

    def __init__(self, prefix: bytes):
        self.opening, self.end_tag = b"<" + prefix + b"c", b"</" + prefix + b"c>"
        self.prefix = prefix
        self._numbers: dict[bytes, int] = {}  # a reference's letters -> its column
        self._found = self._missed = 0  # rows where the first written column's cell was found by reference, or not

    def locate(self, searchable: bytes, first: int, last: int, number: int) -> tuple[list, int]:
        """(cells, where they start) of the row with columns `first` to `last` written: the cells from `first`
        on (those after `last` may be left out, the rest of the row being copied after them as it is), or
        every cell of the row from 0."""
        if self._found or self._missed < _TRIES:  # a sheet that has none of xlcrm's cells yet stops looking
            between = self._between(searchable, first, last, number)
            if between is not None:
                self._found += 1
                return between
            self._missed += 1
        cells, start = self._from_end(searchable, first)
        return (cells, start) if cells is not None else (self._in_order(searchable), 0)

    def _between(self, searchable: bytes, first: int, last: int, number: int) -> tuple[list, int] | None:
        """The cells from the cell of column `first` (found by its reference) up to column `last`; None when
        that cell is not there, or a cell on the way has no reference."""
        at = searchable.find(b' r="%s%d"' % (column_letter(first).encode(), number))
        start = searchable.rfind(b"<", 0, at) if at > 0 else -1
        opening, after_opening = self.opening, len(self.opening)
        if start < 0 or not searchable.startswith(opening, start) or searchable[start + after_opening] not in _SPACE:
            return None
        find, reference, numbered = searchable.find, _CELL_REF.search, self._numbers
        found: list[tuple[int, int, int, bool]] = []
        pos, size = start, len(searchable)
        while pos < size:
            if searchable[pos] in _SPACE:
                pos += 1
                continue
            if not searchable.startswith(opening, pos) or searchable[pos + after_opening] not in b" \t\r\n/>":
                return None  # not a cell (an extension list): read the whole row
            tag_end = find(b">", pos)
            ref = reference(searchable, pos, tag_end)
            if ref is None:  # a cell placed by its position: it must be read with those before it
                return None
            letters = ref.group(1)
            column = numbered.get(letters) or numbered.setdefault(letters, _column(letters))
            if column > last:
                break
            end = tag_end + 1 if searchable[tag_end - 1] == 47 else find(self.end_tag, tag_end) + len(self.end_tag)
            found.append((column, pos, end, True))
            pos = end
        return found, start

    def _from_end(self, searchable: bytes, first: int) -> tuple[list | None, int]:
        """The row's cells from column `first` on, read from the end of the row, where xlcrm's columns usually
        are; (None, 0) when a cell there has no reference (its column depends on every cell before it)."""
        opening, end_tag = self.opening, self.end_tag
        after_opening, after_end_tag, numbered = len(opening), len(end_tag), self._numbers
        rfind, find, reference = searchable.rfind, searchable.find, _CELL_REF.search
        found: list[tuple[int, int, int, bool]] = []
        pos = len(searchable)
        while (at := rfind(opening, 0, pos)) >= 0:
            pos = at
            if searchable[at + after_opening] not in b" \t\r\n/>":
                continue
            tag_end = find(b">", at)
            ref = reference(searchable, at, tag_end)
            if ref is None:
                return None, 0
            letters = ref.group(1)
            column = numbered.get(letters) or numbered.setdefault(letters, _column(letters))
            end = tag_end + 1 if searchable[tag_end - 1] == 47 else find(end_tag, tag_end) + after_end_tag
            if column < first:
                found.reverse()
                return found, end
            found.append((column, at, end, True))
        found.reverse()
        return found, 0

    def _in_order(self, searchable: bytes) -> list[tuple[int, int, int, bool]]:
        """Every cell of the row, counting positions for cells without a reference."""
        found, column = [], 0
        for cell in cell_pattern(self.prefix).finditer(searchable):
            ref = _CELL_REF.search(searchable, cell.start(), searchable.find(b">", cell.start()))
            column = _column(ref.group(1)) if ref else column + 1
            found.append((column, cell.start(), cell.end(), ref is not None))
        return found


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number
