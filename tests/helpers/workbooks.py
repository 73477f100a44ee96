"""Reading workbooks back in tests the way a user would look at them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import python_calamine
from oletools.olevba import VBA_Parser


def values(path: Path) -> dict[str, list[list]]:
    """Every sheet's cell values (calamine, the fast reader)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def workbook_of(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook of these sheets (name -> rows, as typed), in this order."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def sheet_rows(path: Path, sheet: str) -> list[list]:
    return [list(row) for row in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def edit(path: Path, sheet: str, cells: dict[str, object], as_text: bool = False) -> None:
    """Change cells as a user would in Excel (openpyxl stands in for their hands).

    as_text: strings starting with '=' stay text, as when pasted from a CSV export or typed after an apostrophe.
    """
    book = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        book[sheet][ref] = value
        if as_text and isinstance(value, str):
            book[sheet][ref].data_type = "s"
    book.save(path)


def find_row(path: Path, sheet: str, first_cell: str, below: str | None = None) -> int:
    """1-based number of the row whose first non-empty cell is first_cell.

    below: only rows after the first row whose first cell contains this text (a settings block's title).
    """
    searching = below is None
    for number, row in enumerate(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True), start=1):
        first = next((v for v in row if v not in (None, "")), None)
        if not searching:
            searching = isinstance(first, str) and below in first
        elif first == first_cell:
            return number
    raise AssertionError(f"no row starting with {first_cell!r} in {sheet}" + (f" below {below!r}" if below else ""))


def cells(path: Path, sheet: str) -> dict[str, object]:
    """Every non-empty cell of a sheet by its reference: what the team typed."""
    book = openpyxl.load_workbook(path)
    return {c.coordinate: c.value for row in book[sheet].iter_rows() for c in row if c.value is not None}


def column_values(path: Path, sheet: str, header: str, header_row: int = 1) -> list:
    """The values under a header, every row below the header row."""
    rows = sheet_rows(path, sheet)
    return [r[rows[header_row - 1].index(header)] for r in rows[header_row:]]


def vba_modules(path: Path) -> dict[str, str]:
    """The macros of a .xlsm/.xlam: module name (without .bas/.cls) -> its code, as the VBA editor lists them."""
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
