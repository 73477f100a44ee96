"""How far a sheet's values reach, asked of Excel, held to the file back-end's ceilings before anything is read.

Excel's UsedRange counts cells that only carry a format: a team that once gave A2:Z1048576 a border (select,
Ctrl+Shift+Down) has a used range down to the sheet's last row, and reading it in one call asks Excel for 27 million
cells (Excel stops responding, then runs out of memory). Range.Find("*") searching backwards ignores formats: it
gives the last row and the last column holding a value, a formula's too, hidden and filtered rows included (it
looks in formulas, not in what is shown). A second search from that row (or column) backwards finds the value
before it, so a stray value far below (or right of) the table is refused as the file back-end refuses it
(book/file/bounds.py: the same limits, the same messages). At most four searches, whatever the sheet holds.
Engines without Find (xlwings Server, which sends the values it has) keep the used range.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from xlcrm.core.errors import XlcrmError

# Excel's constants (XlFindLookIn, XlLookAt, XlSearchOrder, XlSearchDirection)
XL_FORMULAS, XL_PART, XL_BY_ROWS, XL_BY_COLUMNS, XL_PREVIOUS = -4123, 2, 1, 2, 2

Cell = tuple[int, int]
# (row, column) to search backwards from, by rows (else by columns) -> the value found first, None if none at all
Find = Callable[[Cell, bool], Cell | None]


def extent(sheet: Any, book: str) -> Cell:
    """(rows, columns) to read from A1 to take in every value; (0, 0) for an empty sheet. A sheet past the file
    back-end's limits is refused with its message, naming the workbook, the sheet and the far cell."""
    # the file back-end's limits, where they are kept; this loads its package (calamine), a small cost per click
    from xlcrm.book.file.bounds import COLUMN_GAP, ROW_GAP, Extent, OutOfBounds, check_extent

    found = _values_reach(sheet, ROW_GAP, COLUMN_GAP)
    if found is None:  # no Find on this engine: the used range, as it reports it
        last = sheet.used_range.last_cell
        found = [last.row], [last.column]
    rows, columns = found
    if not rows:
        return 0, 0
    try:
        check_extent(Extent(rows, columns))
    except OutOfBounds as error:
        raise XlcrmError(error.msg(path=book, sheet=sheet.name)) from error
    return rows[-1], columns[-1]


def last_value_row(sheet: Any) -> int:
    """The last row holding a value (0: none), by one search; the used range's last row where there is no Find."""
    find = _finder(sheet)
    if find is not None:
        try:
            found = find((1, 1), True)
        except Exception:  # noqa: BLE001 - Excel would not search: the used range
            pass
        else:
            return found[0] if found else 0
    return sheet.used_range.last_cell.row


def _values_reach(sheet: Any, row_gap: int, column_gap: int) -> tuple[list[int], list[int]] | None:
    """The last row and column holding a value, each with the one before it when a gap could lie between
    (ascending); ([], []) for an empty sheet; None where the engine has no Find."""
    find = _finder(sheet)
    if find is None:
        return None
    try:
        last = find((1, 1), True)  # backwards from A1: wraps round to the end of the sheet
        if last is None:
            return [], []
        rows, columns = [last[0]], [_found(find((1, 1), False))[1]]
        if rows[0] - 1 > row_gap:  # far enough down for a gap: the last value above that row
            before = _found(find((rows[0], 1), True))[0]
            rows[:0] = [before] if before < rows[0] else []  # none above: the search wrapped round to the row
        if columns[0] - 1 > column_gap:
            before = _found(find((1, columns[0]), False))[1]
            columns[:0] = [before] if before < columns[0] else []
    except Exception:  # noqa: BLE001 - Excel would not search (an engine or version without it): the used range
        return None
    return rows, columns


def _found(cell: Cell | None) -> Cell:
    if cell is None:  # the sheet held a value a moment ago
        raise LookupError("Find found nothing after finding a value")
    return cell


def _finder(sheet: Any) -> Find | None:
    if sys.platform.startswith("win"):
        return _com_finder(sheet)
    if sys.platform == "darwin":
        return _appscript_finder(sheet)
    return None


def _com_finder(sheet: Any) -> Find | None:
    """Worksheet.Cells.Find through pywin32 (xlwings' Windows engine)."""
    try:
        worksheet = sheet.api
        worksheet.Cells  # noqa: B018 - not a COM worksheet (xlwings Server): no Find
    except Exception:  # noqa: BLE001
        return None

    def find(after: Cell, by_rows: bool) -> Cell | None:
        found = worksheet.Cells.Find(What="*", After=worksheet.Cells(*after), LookIn=XL_FORMULAS, LookAt=XL_PART,
                                     SearchOrder=XL_BY_ROWS if by_rows else XL_BY_COLUMNS,
                                     SearchDirection=XL_PREVIOUS, MatchCase=False)
        return None if found is None else (int(found.Row), int(found.Column))

    return find


def _appscript_finder(sheet: Any) -> Find | None:
    """Excel for Mac's `find` through appscript, called as xlwings' own Range.find calls it (xlwings/_xlmac.py)."""
    try:
        from xlwings._xlmac import CommandError, kw

        worksheet = sheet.api
        everything = worksheet.cells["$A$1:$XFD$1048576"]
    except Exception:  # noqa: BLE001 - not Excel for Mac
        return None

    def find(after: Cell, by_rows: bool) -> Cell | None:
        try:
            found = everything.find(what="*", after_=worksheet.rows[after[0]].columns[after[1]], look_in=kw.formulas,
                                    look_at=kw.part, search_order=kw.by_rows if by_rows else kw.by_columns,
                                    search_direction=kw.search_previous, match_case=False, match_byte=False)
        except CommandError as error:
            if error.errornumber == -50:  # Excel for Mac's answer when nothing matches
                return None
            raise
        if found is None or found == kw.missing_value:
            return None
        return int(found.first_row_index.get()), int(found.first_column_index.get())

    return find
