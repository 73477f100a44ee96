"""Reading workbooks back in tests the way a user would look at them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import python_calamine


def values(path: Path) -> dict[str, list[list]]:
    """Every sheet's cell values (calamine, the fast reader)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


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
