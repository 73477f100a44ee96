"""What the team put in a cell xlcrm writes into stays theirs, on both back-ends: a formula, when the edit asks
(keep_formulas, and the back-end says which cells it left), and a date format of their own.

The live back-end runs on xlwings' remote Book (tests/helpers/remote.py); that engine cannot read formulas or
number formats back, so the `excel_reads` fixture answers those two reads as Excel does, from the workbook file
the remote Book was built from (the `windows` variant through COM's Range.HasFormula instead)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from helpers.remote import remote_book, replay
from xlcrm.book.file import FileBook
from xlcrm.book.live import LiveBook
from xlcrm.core.edits import DATE, SetCells

SHEET = "客户"
OWN_FORMAT = 'yyyy"年"m"月"d"日"'
NEW = dt.date(2026, 12, 3)


def team_book(path):
    """Last contact in column C: a formula over a call sheet, a formula of a date, a plain date in the team's own
    format (and fill), a plain date, an empty cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["客户名称", "负责人", "最近联系日期"])
    sheet.append(["甲公司", "张三", "=MAX(通话!B2:B3)"])
    sheet.append(["乙公司", "李四", "=DATE(2026,11,2)"])
    sheet.append(["丙公司", "王五", dt.date(2026, 11, 1)])
    sheet.append(["丁公司", "赵六", dt.date(2026, 11, 1)])
    sheet.append(["戊公司", "钱七", None])
    for row in (2, 3, 5):
        sheet.cell(row, 3).number_format = "yyyy-mm-dd"
    sheet["C4"].number_format = OWN_FORMAT
    sheet["C4"].fill = PatternFill("solid", fgColor="FFFF00")
    calls = book.create_sheet("通话")
    calls.append(["客户", "日期"])
    calls.append(["甲公司", dt.date(2026, 11, 1)])
    calls.append(["甲公司", dt.date(2026, 11, 5)])
    book.save(path)
    return path


@pytest.fixture
def excel_reads(monkeypatch):
    """Range.formula and Range.number_format read as Excel answers them, from the file the remote Book came from."""
    from xlwings.pro import _xlremote

    opened: dict[str, openpyxl.Workbook] = {}

    def cells(rng):
        sheet = opened["book"][rng.sheet.name]
        height, width = rng.shape
        return [[sheet.cell(rng.row + r, rng.column + c) for c in range(width)] for r in range(height)]

    def formula(rng):
        grid = [["" if c.value is None else c.value if c.data_type == "f" else str(c.value) for c in row]
                for row in cells(rng)]
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else tuple(map(tuple, grid))

    def number_format(rng):
        formats = {c.number_format for row in cells(rng) for c in row}
        return formats.pop() if len(formats) == 1 else None

    monkeypatch.setattr(_xlremote.Range, "formula", property(formula, _xlremote.Range.formula.fset))
    monkeypatch.setattr(_xlremote.Range, "number_format", property(number_format, _xlremote.Range.number_format.fset))
    return lambda path: opened.update(book=openpyxl.load_workbook(path))


@pytest.fixture
def windows(monkeypatch, excel_reads):
    """As on Windows: COM's Range.HasFormula answers for the whole block; the formulas are not asked."""
    from xlwings.pro import _xlremote

    values_api = _xlremote.Range.api.fget

    def api(rng):
        book = openpyxl.load_workbook(remote_path[0])[rng.sheet.name]
        height, width = rng.shape
        kinds = {book.cell(rng.row + r, rng.column + c).data_type == "f" for r in range(height) for c in range(width)}
        answer = _Com(values_api(rng))  # the engine's own values stay: xlwings reads them too
        answer.HasFormula = kinds.pop() if len(kinds) == 1 else None
        return answer

    def no_formulas(rng):
        raise AssertionError("HasFormula answered: the formulas need not be read")

    remote_path: list = []
    monkeypatch.setattr(_xlremote.Range, "api", property(api))
    monkeypatch.setattr(_xlremote.Range, "formula", property(no_formulas, _xlremote.Range.formula.fset))
    return lambda path: (remote_path.append(path), excel_reads(path))


class _Com(tuple):
    """The remote range's values, with COM's HasFormula beside them."""

    HasFormula: bool | None = None


def carried_out(kind, path, edits, reads=None):
    """The edits applied by the file back-end, or by the live one (its calls replayed on the file)."""
    if kind == "file":
        FileBook(path).apply(edits)
        return
    reads(path)
    remote = remote_book(path)
    LiveBook(remote, folder=path.parent).apply(edits)
    replay(remote, path)


@pytest.mark.parametrize("kind", ["file", "live"])
def test_a_formula_is_left_as_it_is_and_reported_when_the_edit_asks(kind, tmp_path, request):
    path = team_book(tmp_path / "team.xlsx")
    edit = SetCells(SHEET, 2, 3, [[NEW]] * 5, {0: DATE}, keep_formulas=True)
    carried_out(kind, path, [edit], request.getfixturevalue("excel_reads") if kind == "live" else None)
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert sheet["C2"].value == "=MAX(通话!B2:B3)" and sheet["C3"].value == "=DATE(2026,11,2)"
    assert [sheet.cell(r, 3).value.date() for r in (4, 5, 6)] == [NEW] * 3
    assert edit.formulas_kept == [(2, 3), (3, 3)]


def test_on_windows_one_cell_is_asked_range_has_formula(tmp_path, windows):
    path = team_book(tmp_path / "team.xlsx")
    over_formula, over_date = (SetCells(SHEET, row, 3, [[NEW]], {0: DATE}, keep_formulas=True) for row in (2, 5))
    carried_out("live", path, [over_formula, over_date], windows)
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert sheet["C2"].value == "=MAX(通话!B2:B3)" and sheet["C5"].value.date() == NEW
    assert over_formula.formulas_kept == [(2, 3)] and over_date.formulas_kept == []


def test_without_keep_formulas_xlcrms_own_cells_are_written_as_before(tmp_path):
    path = team_book(tmp_path / "team.xlsx")
    edit = SetCells(SHEET, 2, 3, [[NEW]], {0: DATE})
    FileBook(path).apply([edit])
    assert openpyxl.load_workbook(path)[SHEET]["C2"].value.date() == NEW and edit.formulas_kept == []


@pytest.mark.parametrize("kind", ["file", "live"])
def test_a_date_format_of_the_teams_own_stays_and_a_cell_without_one_gets_xlcrms(kind, tmp_path, request):
    path = team_book(tmp_path / "team.xlsx")
    reads = request.getfixturevalue("excel_reads") if kind == "live" else None
    carried_out(kind, path, [SetCells(SHEET, 4, 3, [[NEW]], {0: DATE}), SetCells(SHEET, 6, 3, [[NEW]], {0: DATE})],
                reads)
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert sheet["C4"].value.date() == NEW and sheet["C4"].number_format == OWN_FORMAT
    assert sheet["C4"].fill.fgColor.rgb.endswith("FFFF00")
    assert sheet["C6"].value.date() == NEW and sheet["C6"].number_format == "yyyy-mm-dd"


def test_a_column_the_team_formats_as_dates_gives_its_format_to_a_new_date(tmp_path):
    path = team_book(tmp_path / "team.xlsx")
    book = openpyxl.load_workbook(path)
    book[SHEET].column_dimensions["C"].number_format = OWN_FORMAT  # the whole column, as a team formats it
    book[SHEET].column_dimensions["D"].number_format = OWN_FORMAT
    book.save(path)
    FileBook(path).apply([SetCells(SHEET, 6, 3, [[NEW, "备注"]], {0: DATE})])
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert sheet["C6"].value.date() == NEW and sheet["C6"].number_format == OWN_FORMAT
    assert sheet["D6"].value == "备注" and sheet["D6"].number_format == "General"  # text is no date to format
