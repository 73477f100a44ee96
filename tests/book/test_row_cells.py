"""xlcrm's columns written into rows whose cells come in every layout a team's sheet has, with its columns
before the team's (or another command's) columns: the cells found from the first column written on give the
same sheet as the cells found from the row's end (which also writes the reference of a cell placed by its
position after xlcrm's columns: needed only when it reads the whole row)."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from helpers import handmade
from xlcrm.book.file import FileBook, row_cells
from xlcrm.core.edits import SetCells

SHEET = "客户"


def cell(ref: str, value: str = "", style: str = "") -> str:
    s = f' s="{style}"' if style else ""
    reference = f' r="{ref}"' if ref[0].isalpha() and ref[-1].isdigit() else ""
    return f'<c{reference}{s} t="inlineStr"><is><t>{value or ref}</t></is></c>' if value != "/" else \
        f"<c{reference}{s}/>"


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


ROWS = "".join([
    row(1, *(cell(f"{c}1", f"head {c}") for c in "ABCDEF")),
    row(2, *(cell(f"{c}2") for c in "ABCDEFGH")),  # a re-run: xlcrm's old cells, the team's after them
    row(3, cell("A3"), cell("B3"), cell("D3"), cell("E3")),  # no cell in the first column written
    row(4, cell("A4"), cell("B4"), cell("C4"), cell("E4")),  # none in the second
    row(5, cell("A5"), cell("B5"), cell("C5", style="2"), cell("D5"), cell("E5")),  # the team styled C5
    row(6, cell("A6"), cell("B6"), cell("C6"), cell("D6"), cell("-", "E6 by position")),
    row(7, cell("A7"), cell("B7"), cell("C7"), cell("D7"), cell("E7"), cell("-", "F7 by position")),
    row(8, cell("A8"), cell("B8")),  # nothing from xlcrm's first column on
    row(9, cell("A9") + "\n  ", cell("C9") + "\r\n\t", cell("D9"), " ", cell("E9")),
    row(10, cell("A10"), cell("C10"), cell("D10"), cell("D10", "D10 again"), cell("E10")),  # a damaged row
    row(11, cell("A11"), cell("C11", style="2"), cell("D11"), cell("E11")),  # below the block: cleared
    row(12, cell("A12"), cell("C12", "/", style="2"), cell("D12", "/"), cell("E12")),
])


def written(folder, monkeypatch, from_first_column: bool) -> tuple[bytes, openpyxl.Workbook]:
    if not from_first_column:
        monkeypatch.setattr(row_cells, "_TRIES", 0)  # never looked for by reference: read from the row's end
    folder.mkdir()
    path = handmade.build(folder / "team.xlsx", {SHEET: handmade.sheet_xml(ROWS, dimension="A1:H12", tail="")})
    values = [["级别", "下次跟进日"]] + [[f"C{r} new", None if r == 4 else f"D{r} new"] for r in range(2, 11)]
    FileBook(path).apply([SetCells(SHEET, 1, 3, values, header=True, clear_below=True)])
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml"), openpyxl.load_workbook(path)


@pytest.fixture
def both(tmp_path, monkeypatch):
    first = written(tmp_path / "from-first-column", monkeypatch, True)
    monkeypatch.undo()
    return first, written(tmp_path / "from-the-end", monkeypatch, False)


def test_cells_found_from_the_first_column_written_give_the_same_sheet(both):
    (xml, book), (from_end, other) = both
    assert re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", xml) == re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", from_end)
    read = [[(c.coordinate, c.value, c.number_format) for c in r] for r in book[SHEET].iter_rows()]
    assert read == [[(c.coordinate, c.value, c.number_format) for c in r] for r in other[SHEET].iter_rows()]


def test_the_teams_cells_around_xlcrms_columns_stay_where_they_were(both):
    (_, book), _ = both
    sheet = book[SHEET]
    shown = {(r, c): sheet.cell(r, c).value for r in range(1, 13) for c in range(1, 9)}
    assert [shown[(r, 3)] for r in range(1, 13)] == ["级别"] + [f"C{r} new" for r in range(2, 11)] + [None, None]
    assert [shown[(r, 4)] for r in range(1, 13)] == (["下次跟进日", "D2 new", "D3 new", None]
                                                    + [f"D{r} new" for r in range(5, 11)] + [None, None])
    assert [shown[(2, c)] for c in (1, 2, 5, 6, 7, 8)] == ["A2", "B2", "E2", "F2", "G2", "H2"]
    assert shown[(6, 5)] == "E6 by position" and shown[(7, 6)] == "F7 by position" and shown[(7, 5)] == "E7"
    assert [shown[(r, 5)] for r in (3, 4, 5, 9, 10, 11, 12)] == ["E3", "E4", "E5", "E9", "E10", "E11", "E12"]
    assert shown[(8, 1)] == "A8" and shown[(8, 2)] == "B8"
    assert sheet["C11"].number_format == sheet["C12"].number_format == "mm-dd-yy"  # cleared, the team's format kept
