"""Every sheet the commands write holds its rows in order and each row its cells in order, once each: Excel
"repairs" a sheet that does not (a row written twice, a cell out of place) and may drop what it cannot place."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import TODAY, make_book
from helpers.cli import run
from helpers.corpus_writers import google_sheets_export, wps_like
from xlcrm.book.file.cell_xml import column_number

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CUSTOMERS = 1_200  # enough for the long own sheets (the due list, the mail preview) to take the quick way


def out_of_order(path: Path) -> list[str]:
    """Where a worksheet of the package breaks the order, or names a style the workbook does not have: part, row
    and what is wrong."""
    found = []
    with zipfile.ZipFile(path) as package:
        styles = etree.fromstring(package.read("xl/styles.xml"))
        cell_formats = len(styles.find(f"{MAIN}cellXfs"))
        dxfs = styles.find(f"{MAIN}dxfs")
        highlights = 0 if dxfs is None else len(dxfs)
        for part in (n for n in package.namelist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)):
            last_row = 0
            for _, row in etree.iterparse(package.open(part), tag=f"{MAIN}row"):
                number = int(row.get("r") or last_row + 1)
                if number <= last_row:
                    found.append(f"{part}: row {number} after row {last_row}")
                last_row, last_column = number, 0
                if int(row.get("s") or 0) >= cell_formats:
                    found.append(f"{part}: row {number} has style {row.get('s')} of {cell_formats}")
                for cell in row.iter(f"{MAIN}c"):
                    letters, digits = re.fullmatch(r"([A-Z]{1,3})(\d+)", cell.get("r") or "").groups()
                    cell_column = column_number(letters)
                    if int(digits) != number or cell_column <= last_column:
                        found.append(f"{part}: cell {cell.get('r')} in row {number} after column {last_column}")
                    last_column = cell_column
                    if int(cell.get("s") or 0) >= cell_formats:
                        found.append(f"{part}: cell {cell.get('r')} has style {cell.get('s')} of {cell_formats}")
                row.clear()
            sheet = package.read(part)
            found += [f"{part}: highlight {n} of {highlights}" for n in re.findall(rb'dxfId="(\d+)"', sheet)
                      if int(n) >= highlights]
    return found


WRITERS = {"xlcrm's sample": lambda book, folder: book, "Google Sheets": google_sheets_export, "WPS": wps_like}


@pytest.mark.parametrize("writer", [pytest.param(name, marks=pytest.mark.slow) if name != "xlcrm's sample" else name
                                    for name in WRITERS])  # the others in the whole suite: 8 s each
def test_each_command_writes_every_row_and_cell_once_in_order_and_in_a_style_the_workbook_has(tmp_path, writer):
    (tmp_path / "written").mkdir()
    book = WRITERS[writer](make_book(tmp_path, "zh", customers=CUSTOMERS), tmp_path / "written")
    assert out_of_order(book) == []
    commands = [("check",), ("refresh", "--today", TODAY), ("followups", "--today", TODAY),
                ("remind", "--today", TODAY), ("report", "--today", TODAY, "--out", tmp_path / "reports"),
                ("refresh", "--today", TODAY)]  # again: xlcrm's own columns rewritten in place
    for command, *rest in commands:
        result = run(command, book, *rest)
        assert result.exit_code == 0, result.output
        assert out_of_order(book) == [], command
    with zipfile.ZipFile(book) as package:  # the preview was long enough to be written the quick way
        assert any(len(re.findall(rb"<row ", package.read(n))) > 500 for n in package.namelist() if "worksheets" in n)
