"""One contract, two back-ends: every test runs on the file back-end (FileBook on the .xlsx)
and on the live one (LiveBook on xlwings' remote Book built from the same workbook, its
calls into Excel replayed on the file as Excel carries them out), and checks the same
things a user would see in the workbook afterwards."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
from openpyxl.styles import PatternFill
import pytest

from helpers.remote import remote_book, replay
from helpers.workbooks import values
from xlcrm.actions.check import check
from xlcrm.book.file import FileBook
from xlcrm.book.live import LiveBook
from xlcrm.core.edits import DATE, MONEY, PERCENT, RIGHT, TEXT, Chart, Formula, Highlight, PutSheet, SetCells, SetHighlights
from xlcrm.core.errors import XlcrmError

INJECTED = ['=HYPERLINK("http://evil.example","x")', "+86 138 0000 1111", "-1-1", "@SUM(1)", "'quoted", "#N/A",
            "TRUE", "00123", "2026-03-05", "3月5日", "1,200", "12%"]


class Opened:
    """A back-end on a workbook file; done() makes its changes visible in the file."""

    def __init__(self, kind: str, path, **remote):
        self.kind, self.path = kind, path
        if kind == "file":
            self.book = FileBook(path)
        else:
            self.remote = remote_book(path, **remote)
            self.book = LiveBook(self.remote, folder=path.parent)

    def done(self):
        return replay(self.remote, self.path) if self.kind == "live" else None


@pytest.fixture(params=["file", "live"])
def kind(request):
    return request.param


def test_both_back_ends_read_the_same_values(zh_book, en_book):
    for path in (zh_book, en_book):
        file, live = FileBook(path), LiveBook(remote_book(path))
        assert live.sheet_names() == file.sheet_names()
        for name in file.sheet_names():
            assert live.read_sheet(name) == file.read_sheet(name), name
            assert live.read_sheet(name, 5) == file.read_sheet(name, 5), name


def test_text_from_customer_data_stays_text(kind, zh_book):
    opened = Opened(kind, zh_book)
    row = [*INJECTED, dt.date(2026, 3, 5), 1200.5, None, Formula("1+1")]
    opened.book.apply([SetCells("产品价目表", 10, 1, [row])])
    opened.done()
    cells = openpyxl.load_workbook(zh_book)["产品价目表"][10]
    for cell, expected in zip(cells, INJECTED):
        assert (cell.value, cell.data_type) == (expected, "s"), cell.coordinate
    date, number, empty, formula = cells[len(INJECTED):len(INJECTED) + 4]
    assert date.value.date() == dt.date(2026, 3, 5) and number.value == 1200.5 and empty.value is None
    assert formula.value == "=1+1" and formula.data_type == "f"


def test_columns_beside_the_table_with_header_formats_and_old_rows_cleared(kind, zh_book):
    first = Opened(kind, zh_book)
    grid = [["下次跟进日", "金额", "备注"]] + [[dt.date(2026, 12, i), i * 100.0, f"n{i}"] for i in range(1, 6)]
    first.book.apply([SetCells("产品价目表", 1, 5, grid, {0: DATE, 1: MONEY, 2: TEXT}, header=True)])
    first.done()
    second = Opened(kind, zh_book)
    second.book.apply([SetCells("产品价目表", 1, 5, grid[:3], {0: DATE}, header=True, clear_below=True)])
    second.done()
    sheet = openpyxl.load_workbook(zh_book)["产品价目表"]
    assert [c.value for c in sheet["E1:G1"][0]] == ["下次跟进日", "金额", "备注"]
    assert all(c.font.b for c in sheet["E1:G1"][0]) and sheet["E1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet["E2"].number_format == "yyyy-mm-dd" and sheet["F2"].number_format == "#,##0.00"
    assert sheet["G3"].value == "n2" and sheet["G2"].number_format == "@"
    assert [sheet.cell(r, c).value for r in (4, 5, 6) for c in (5, 6, 7)] == [None] * 9  # rows of the first run
    assert [c.value for c in sheet["A1:C1"][0]] == ["产品", "单价", "说明"]  # the team's columns untouched


def test_a_fill_the_team_gave_xlcrms_cells_survives_the_next_run(kind, zh_book):
    grid = [["下次跟进日", "金额"]] + [[dt.date(2026, 12, i), i * 100.0] for i in range(1, 4)]
    first = Opened(kind, zh_book)
    first.book.apply([SetCells("产品价目表", 1, 5, grid, {0: DATE, 1: MONEY}, header=True)])
    first.done()
    team = openpyxl.load_workbook(zh_book)
    for cell in team["产品价目表"]["A3:F3"][0]:  # the team marks a row yellow, across xlcrm's columns too
        cell.fill = PatternFill("solid", fgColor="FFFF00")
    team.save(zh_book)
    second = Opened(kind, zh_book)
    second.book.apply([SetCells("产品价目表", 1, 5, grid, {0: DATE, 1: MONEY}, header=True)])
    second.done()
    sheet = openpyxl.load_workbook(zh_book)["产品价目表"]
    for ref in ("E3", "F3"):
        assert sheet[ref].fill.fgColor.rgb.endswith("FFFF00"), ref
    assert sheet["E3"].number_format == "yyyy-mm-dd" and sheet["F3"].number_format == "#,##0.00"
    assert sheet["E3"].value.date() == dt.date(2026, 12, 2) and sheet["F3"].value == 200.0
    assert not sheet["E4"].fill.fgColor.rgb.endswith("FFFF00")


def report_sheet(name="CRM概览", aliases=("CRM Summary",), first=False, hidden=False, rows=4):
    grid = [["标题"], [], ["阶段", "客户数"]] + [[f"阶段{i}", float(i)] for i in range(1, rows + 1)]
    chart = Chart("column", "漏斗", "D3", categories=(1, 4, 3 + rows), series=((2, 3, 3 + rows),))
    return PutSheet(name, grid, aliases=aliases, row_styles={0: "title", 2: "header"}, formats={1: MONEY},
                    widths={0: 20}, merges=("A1:B1",), freeze="A4", charts=(chart,), hidden=hidden, first=first,
                    range_formats=((f"B{4 + rows - 1}:B{4 + rows - 1}", PERCENT),),
                    range_align=((f"B3:B{3 + rows}", RIGHT),))


def test_an_owned_sheet_is_written_whole_where_it_belongs(kind, zh_book):
    opened = Opened(kind, zh_book)
    opened.book.apply([report_sheet(), report_sheet("_xlcrm", (), hidden=True), report_sheet("CRM设置", first=True)])
    opened.done()
    book = openpyxl.load_workbook(zh_book)
    assert book.sheetnames == ["CRM设置", "客户跟踪表", "订单记录", "产品价目表", "CRM概览", "_xlcrm"]
    assert book.active.title == "客户跟踪表"  # the sheet the user was on
    sheet = book["CRM概览"]
    assert [[c.value for c in row] for row in sheet["A3:B4"]] == [["阶段", "客户数"], ["阶段1", 1]]
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 13 and sheet["A3"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet["B4"].number_format == "#,##0.00" and sheet.column_dimensions["A"].width == 20
    assert sheet["B7"].number_format == "0.0%"  # a block formatted apart from its column
    assert [sheet.cell(r, 2).alignment.horizontal for r in (2, 3, 7)] == [None, "right", "right"]  # aligned apart
    assert [str(m) for m in sheet.merged_cells.ranges] == ["A1:B1"] and sheet.freeze_panes == "A4"
    assert len(sheet._charts) == 1 and book["_xlcrm"].sheet_state == "hidden"


def test_rewriting_an_owned_sheet_replaces_it_and_renames_its_other_language_twin(kind, zh_book):
    first = Opened(kind, zh_book)
    first.book.apply([report_sheet(rows=6)])
    first.done()
    second = Opened(kind, zh_book)
    second.book.apply([report_sheet("CRM Summary", ("CRM概览",), rows=2)])
    second.done()
    book = openpyxl.load_workbook(zh_book)
    assert "CRM概览" not in book.sheetnames and book.sheetnames.index("CRM Summary") == 3
    sheet = book["CRM Summary"]
    assert [sheet.cell(r, 1).value for r in range(4, 10)] == ["阶段1", "阶段2", None, None, None, None]
    assert len(sheet._charts) == 1 and [str(m) for m in sheet.merged_cells.ranges] == ["A1:B1"]


def test_highlights_are_xlcrms_own_rules_and_the_teams_rules_stay(kind, zh_book):
    book = openpyxl.load_workbook(zh_book)
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    book["客户跟踪表"].conditional_formatting.add("A3:A50", FormulaRule(formula=["$A3>5"], fill=PatternFill(
        "solid", bgColor="FFFF00")))
    book.save(zh_book)
    opened = Opened(kind, zh_book)
    rules = [Highlight("$M3<TODAY()", "F8CBAD", "9C0006"), Highlight("$M3=TODAY()", "FFE699")]
    opened.book.apply([SetHighlights("客户跟踪表", "A3:U50", rules)])
    opened.done()
    found = [(str(r.sqref), rule.formula[0], rule.priority)
             for r in openpyxl.load_workbook(zh_book)["客户跟踪表"].conditional_formatting for rule in r.rules]
    ours = sorted((p, f) for ref, f, p in found if 'N("xlcrm")' in f)
    assert [f for _, f in ours] == ['AND(N("xlcrm")=0,$M3<TODAY())', 'AND(N("xlcrm")=0,$M3=TODAY())']
    assert ("A3:A50", "$A3>5") in [(ref, f) for ref, f, _ in found]


def test_a_second_run_replaces_the_earlier_highlights(zh_book):
    """File back-end only: xlwings Server cannot list a sheet's rules without a round trip to Excel;
    desktop Excel lists them through the same xlwings call the live back-end makes."""
    for formula in ("$M3<TODAY()", "$M3>TODAY()"):
        FileBook(zh_book).apply([SetHighlights("客户跟踪表", "A3:U50", [Highlight(formula, "F8CBAD")])])
    rules = [rule.formula[0] for r in openpyxl.load_workbook(zh_book)["客户跟踪表"].conditional_formatting
             for rule in r.rules]
    assert rules == ['AND(N("xlcrm")=0,$M3>TODAY())']


def test_check_leaves_the_same_workbook_through_either_back_end(zh_book, tmp_path):
    twin = tmp_path / "twin" / zh_book.name
    twin.parent.mkdir()
    shutil.copy(zh_book, twin)
    check(FileBook(zh_book))
    live = Opened("live", twin)
    result = check(live.book)
    live.done()
    assert values(twin) == values(zh_book)
    assert result.saved.target == twin.name and not result.saved.elsewhere


def test_writing_pauses_screen_and_calculation_and_restores_them_even_on_error(zh_book):
    opened = Opened("live", zh_book)
    with pytest.raises(Exception):
        opened.book.apply([SetCells("产品价目表", 1, 5, [["x"]]), SetCells("no such sheet", 1, 1, [["y"]])])
    excel = opened.done()
    assert excel.settings == [("screen_updating", False), ("calculation", "Manual"),
                              ("calculation", "Automatic"), ("screen_updating", True)]
    assert openpyxl.load_workbook(zh_book)["产品价目表"]["E1"].value == "x"


def test_a_missing_sheet_and_an_unsaved_workbook_are_readable_errors(zh_book):
    live = LiveBook(remote_book(zh_book))
    with pytest.raises(XlcrmError) as error:
        live.read_sheet("nope")
    assert "nope" in error.value.text("en")
    with pytest.raises(XlcrmError) as error:
        live.folder
    assert "保存" in error.value.text("zh") and "Save" in error.value.text("en")


def test_a_workbook_from_onedrive_not_synced_here_is_a_readable_error(zh_book, tmp_path, monkeypatch):
    """On Windows, xlwings turns the https:// name of a workbook opened from OneDrive or SharePoint into the synced
    local file, or raises XlwingsError when this computer holds no such file: the remote Book's name does the same
    here, through xlwings' own mapping, on a home with no OneDrive folder."""
    import xlwings
    import xlwings.utils
    from xlwings.pro import _xlremote

    url = f"https://d.docs.live.net/4f2a9c/Documents/{zh_book.name}"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for variable in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(tmp_path / "home" / ".xlwings" / "xlwings.conf"))
    monkeypatch.setattr(_xlremote.Book, "fullname", property(lambda book: xlwings.utils.fullname_url_to_local_path(url)))
    live = LiveBook(remote_book(zh_book))
    with pytest.raises(xlwings.XlwingsError):
        live.xw_book.fullname  # what xlwings itself says
    with pytest.raises(XlcrmError) as error:
        live.folder
    english, chinese = error.value.text("en"), error.value.text("zh")
    assert zh_book.name in english and "OneDrive" in english and "not synced" in english and "Save" in english
    assert zh_book.name in chinese and "OneDrive" in chinese and "未同步" in chinese and "保存" in chinese
