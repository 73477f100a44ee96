"""The live back-end reads a sheet as far as its last value, and refuses what the file back-end refuses.

Excel's UsedRange counts cells that only carry a format: a team that once gave A2:Z1048576 a border reports a
used range down to row 1,048,576, and one read of it asks Excel for 27 million cells (Excel stops responding, then
runs out of memory). Here xlwings' remote Book stands in for Excel on Windows: its used range is what Excel reports
for such a sheet, its worksheets answer Cells.Find as Excel does (searching the cells that hold a value or a
formula, backwards from a cell, wrapping round), and a read of more than a million cells fails as Excel's would.
The file back-end reads the same workbook file."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import openpyxl
import pytest
import xlwings
from xlwings.pro import _xlremote

from helpers.remote import remote_book
from xlcrm.book.file import FileBook
from xlcrm.book.live import LiveBook
from xlcrm.core.errors import XlcrmError

SHEET = "客户跟踪表"
LAST_ROW, LAST_COLUMN = 1_048_576, 16_384
XL_FORMULAS, XL_BY_ROWS, XL_PREVIOUS = -4123, 1, 2
TOO_MANY = 1_000_000  # cells in one Range.Value past which Excel, here, runs out of memory


class Cells:
    """Worksheet.Cells as pywin32 gives it: Cells(row, column) is one cell; Find searches the whole sheet."""

    def __init__(self, filled: set[tuple[int, int]], searches: list):
        self.filled, self.searches = filled, searches

    def __call__(self, row, column):
        return SimpleNamespace(Row=row, Column=column)

    def Find(self, What, After, LookIn, LookAt, SearchOrder, SearchDirection, MatchCase):  # noqa: N802, N803
        assert (What, LookIn, SearchDirection) == ("*", XL_FORMULAS, XL_PREVIOUS)  # hidden rows' values too
        self.searches.append((After.Row, After.Column, SearchOrder))
        order = (lambda cell: cell) if SearchOrder == XL_BY_ROWS else (lambda cell: (cell[1], cell[0]))
        start = order((After.Row, After.Column))
        before = [cell for cell in self.filled if order(cell) < start]
        found = max(before or self.filled, key=order, default=None)  # none before it: wraps round from the end
        return None if found is None else SimpleNamespace(Row=found[0], Column=found[1])


@pytest.fixture
def windows_excel(monkeypatch):
    """Excel on Windows: per sheet, the cells Find sees and the used range it reports; the reads asked, in cells."""
    excel = SimpleNamespace(filled={}, used={}, searches=[], reads=[])
    value = xlwings.main.Range.value
    used_range = _xlremote.Sheet.used_range

    def read(cells):
        excel.reads.append(cells.shape[0] * cells.shape[1])
        if excel.reads[-1] > TOO_MANY:
            raise MemoryError(f"Excel ran out of memory reading {excel.reads[-1]:,} cells")
        return value.fget(cells)

    def reported(sheet):
        if sheet.name in excel.used:
            return _xlremote.Range(sheet=sheet, arg1=excel.used[sheet.name])
        return used_range.fget(sheet)

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(xlwings.main.Range, "value", property(read, value.fset))
    monkeypatch.setattr(_xlremote.Sheet, "used_range", property(reported))
    monkeypatch.setattr(xlwings.main.Sheet, "api", property(
        lambda sheet: SimpleNamespace(Cells=Cells(excel.filled.setdefault(sheet.name, set()), excel.searches))))
    return excel


def filled(path, sheet: str) -> set[tuple[int, int]]:
    """The cells holding a value (openpyxl's own store of them: iterating a sheet reaching row 1,048,576 and column
    XFD would visit every empty cell)."""
    return {place for place, cell in openpyxl.load_workbook(path)[sheet]._cells.items() if cell.value is not None}


def opened_in_excel(path, excel, **typed) -> LiveBook:
    """The workbook open in Excel, where the team has meanwhile typed `typed` (cell -> value) into its customer sheet
    and saved it; xlwings Server's payload is the workbook before (only Find and the file see the new cells)."""
    live = LiveBook(remote_book(path))
    book = openpyxl.load_workbook(path)
    for cell, value in typed.items():
        book[SHEET][cell] = value
    book.save(path)
    excel.filled[SHEET] = filled(path, SHEET)
    return live


def test_a_sheet_formatted_to_the_bottom_is_read_as_far_as_its_values(zh_book, windows_excel):
    live = opened_in_excel(zh_book, windows_excel)
    windows_excel.used[SHEET] = f"A1:Z{LAST_ROW}"  # a border on A2:Z1048576
    grid = live.read_sheet(SHEET)
    assert grid == FileBook(zh_book).read_sheet(SHEET)
    rows, columns = max(windows_excel.filled[SHEET])[0], max(c for _, c in windows_excel.filled[SHEET])
    assert windows_excel.reads == [rows * columns]  # one read, of the values' rectangle
    assert len(windows_excel.searches) == 2  # the last row, the last column: a short sheet needs no more
    assert live.read_sheet(SHEET, 5) == FileBook(zh_book).read_sheet(SHEET, 5)


@pytest.mark.parametrize("typed", [{"A1048576": "x"}, {"XFD1048576": "x"}, {"XFD3": "x"}, {"A20000": "x"}])
def test_a_stray_value_far_from_the_table_is_refused_as_on_the_command_line(zh_book, windows_excel, typed):
    live = opened_in_excel(zh_book, windows_excel, **typed)
    windows_excel.used[SHEET] = f"A1:XFD{LAST_ROW}"
    with pytest.raises(XlcrmError) as on_the_command_line:
        FileBook(zh_book).read_sheet(SHEET)
    with pytest.raises(XlcrmError) as in_excel:
        live.read_sheet(SHEET)
    assert in_excel.value.text("zh") == on_the_command_line.value.text("zh")
    assert in_excel.value.text("en") == on_the_command_line.value.text("en")
    assert f"“{SHEET}”" in in_excel.value.text("zh") and "Ctrl+End" in in_excel.value.text("en")
    assert not windows_excel.reads and len(windows_excel.searches) <= 4  # refused before reading, in four calls


def test_a_sheet_too_large_to_read_is_refused_with_the_file_back_ends_message(zh_book, windows_excel):
    """Values every 10,000 rows and every 1,000 columns: no gap to call stray, yet 17 billion cells."""
    spread = {f"A{row}": "x" for row in range(10_000, LAST_ROW, 10_000)}
    spread |= {f"{openpyxl.utils.get_column_letter(c)}1": "x" for c in range(1_000, LAST_COLUMN, 1_000)}
    live = opened_in_excel(zh_book, windows_excel, XFD1=1, A1048576=1, **spread)
    with pytest.raises(XlcrmError) as on_the_command_line:
        FileBook(zh_book).read_sheet(SHEET)
    with pytest.raises(XlcrmError) as in_excel:
        live.read_sheet(SHEET)
    assert in_excel.value.text("en") == on_the_command_line.value.text("en")
    assert "1,048,576 rows by 16,384 columns" in in_excel.value.text("en") and not windows_excel.reads


def test_an_empty_sheet_reads_as_empty_without_a_read(zh_book, windows_excel):
    book = openpyxl.load_workbook(zh_book)
    book.create_sheet("空表")
    book.save(zh_book)
    assert LiveBook(remote_book(zh_book)).read_sheet("空表") == FileBook(zh_book).read_sheet("空表") == []
    assert not windows_excel.reads


def test_an_engine_without_find_keeps_the_used_range(zh_book, monkeypatch):
    """xlwings Server sends the values it has: its used range is theirs."""
    monkeypatch.setattr(sys, "platform", "win32")
    assert LiveBook(remote_book(zh_book)).read_sheet(SHEET) == FileBook(zh_book).read_sheet(SHEET)


def test_the_last_row_holding_a_value_is_found_in_one_search(zh_book, windows_excel):
    """What a write below the table (a scratch cell, rows to clear) can go by instead of the used range."""
    from xlcrm.book.live.extent import last_value_row

    remote = remote_book(zh_book)
    windows_excel.filled[SHEET] = filled(zh_book, SHEET)
    windows_excel.used[SHEET] = f"A1:Z{LAST_ROW}"
    assert last_value_row(remote.sheets[SHEET]) == max(windows_excel.filled[SHEET])[0] < LAST_ROW
    assert len(windows_excel.searches) == 1
