"""Nothing in the team's workbook is lost when xlcrm writes it.

A rich team workbook (helpers/rich.py) goes through `check` and through the file
back-end's apply; afterwards every sheet that is not xlcrm's own must be identical cell by
cell and setting by setting (helpers/snapshot.py), the chart, the picture and the VBA
project must still be there, and LibreOffice must open what was written. Parts openpyxl
cannot keep are injected as raw OOXML (helpers/ooxml.py): for those the write must be
refused (the workbook's bytes untouched, the results in NAME.xlcrm.xlsx, a message in
both languages naming what would have been lost), or, for the ribbon, kept.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from oletools.olevba import VBA_Parser

from helpers import ooxml, rich
from helpers.libreoffice import convert, sheets_as_csv
from helpers.snapshot import differences, snapshot
from xlcrm.actions.check import check
from xlcrm.book.file import FileBook
from xlcrm.core.edits import Chart, Formula, Highlight, PutSheet, SetCells, SetHighlights

OWN = {"CRM设置", "数据问题", "CRM概览"}
OWN_COLUMN = 14  # N: right of the team's columns and their picture


def rich_book(folder: Path, suffix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return rich.build(folder / f"销售一部客户{suffix}", macro=suffix == ".xlsm")


@pytest.fixture(params=[".xlsx", ".xlsm"])
def book(request, tmp_path) -> Path:
    return rich_book(tmp_path, request.param)


def xlcrm_edits() -> list:
    """What later actions write: columns beside the team's, highlights, a report sheet with a chart."""
    customers = [[f"=xlcrm{r}", r * 10] for r in range(3, 8)]
    return [
        SetCells(rich.CUSTOMERS, 2, OWN_COLUMN, [["客户等级", "最近购买距今(天)"], *customers], header=True,
                 clear_below=True),
        SetHighlights(rich.CUSTOMERS, "A3:K7", [Highlight("=$G3<TODAY()", "F8CBAD")]),
        PutSheet("CRM概览", [["等级", "客户数"], ["A", 2], ["B", 3], ["合计", Formula("SUM(B2:B3)")]],
                 row_styles={0: "header"}, first=True, charts=(Chart("column", "客户等级", "D2", (1, 2, 3), ((2, 1, 3),)),)),
    ]


def assert_same(before: dict, after: dict) -> None:
    found = differences(before, after)
    assert not found, "changed by the write:\n" + "\n".join(found[:20])


def team_sheets_as_shown(path: Path, folder: Path) -> dict[str, list[list[str]]]:
    """What LibreOffice shows on the team's sheets (values as formatted, formulas computed).

    Only the team's columns (A:M) count: CSV rows are as wide as the sheet's used range.
    """
    return {name: _trimmed(rows) for name, rows in sheets_as_csv(path, folder).items() if name not in OWN}


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    rows = [row[:OWN_COLUMN - 1] for row in rows]
    rows = [row[:max((i + 1 for i, v in enumerate(row) if v), default=0)] for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


# --- the rich workbook: everything kept -------------------------------------------------


def test_check_keeps_every_cell_style_and_setting_of_the_team(book):
    before = snapshot(book, OWN)
    result = check(FileBook(book))
    assert not result.saved.elsewhere, [m.text("en") for m in result.saved.lost]
    assert result.saved.target == str(book)
    assert {"CRM设置", "数据问题"} <= set(openpyxl.load_workbook(book).sheetnames)
    assert_same(before, snapshot(book, OWN))


def test_xlcrm_columns_highlights_and_report_sheet_change_nothing_else(book):
    before = snapshot(book, OWN, {rich.CUSTOMERS: {OWN_COLUMN, OWN_COLUMN + 1}})
    for _ in range(2):  # the second run replaces what the first wrote
        saved = FileBook(book).apply(xlcrm_edits())
        assert not saved.elsewhere, [m.text("en") for m in saved.lost]
        assert_same(before, snapshot(book, OWN, {rich.CUSTOMERS: {OWN_COLUMN, OWN_COLUMN + 1}}))
    written = openpyxl.load_workbook(book)
    customers = written[rich.CUSTOMERS]
    assert customers.cell(3, OWN_COLUMN).value == "=xlcrm3" and customers.cell(3, OWN_COLUMN).data_type == "s"
    xlcrm_rules = [r for cf in customers.conditional_formatting for r in cf.rules if any("xlcrm" in f for f in r.formula)]
    assert len(xlcrm_rules) == 1  # replaced, not piled up
    assert len(written["CRM概览"]._charts) == 1


def test_the_chart_picture_table_and_comments_are_still_there(book):
    check(FileBook(book))
    written = openpyxl.load_workbook(book)
    orders, customers = written[rich.ORDERS], written[rich.CUSTOMERS]
    assert [type(c).__name__ for c in orders._charts] == ["BarChart"]
    assert len(customers._images) == 1
    assert list(orders.tables) == ["订单表"]
    assert customers["A3"].comment.text.startswith("老客户")
    with zipfile.ZipFile(book) as package:
        assert any(n.startswith("xl/media/") for n in package.namelist())
        assert any(n.startswith("xl/charts/chart") for n in package.namelist())


def test_the_vba_project_is_kept_module_by_module(tmp_path):
    book = rich_book(tmp_path, ".xlsm")
    before = vba_modules(book)
    assert "RunPython" in before["Module1.bas"]
    check(FileBook(book))
    FileBook(book).apply(xlcrm_edits())
    assert vba_modules(book) == before
    written = openpyxl.load_workbook(book, keep_vba=True)
    assert written.vba_archive is not None and written.code_name == "ThisWorkbook"
    with zipfile.ZipFile(book) as package:
        types = package.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "application/vnd.ms-office.vbaProject" in types


def vba_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.mark.libreoffice
def test_libreoffice_opens_what_was_written_and_shows_the_same(book, tmp_path):
    before = team_sheets_as_shown(book, tmp_path / "before")
    FileBook(book).apply(xlcrm_edits())
    check(FileBook(book))
    after = team_sheets_as_shown(book, tmp_path / "after")
    assert len(before[rich.CUSTOMERS]) == 8 and before[rich.ORDERS][1][0] == "SO-001"
    for sheet, rows in before.items():
        assert after[sheet] == rows, sheet
    assert "CRM设置" in sheets_as_csv(book, tmp_path / "again")


# --- a workbook another program wrote ----------------------------------------------------


@pytest.mark.libreoffice
def test_a_workbook_saved_by_libreoffice(tmp_path):
    """LibreOffice writes its own XML (comment parts elsewhere, Excel 2010 data bars): nothing is lost silently."""
    made = rich_book(tmp_path / "made", ".xlsx")
    book = convert(made, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    before, original = snapshot(book, OWN), book.read_bytes()
    result = check(FileBook(book))
    lost = [m.text("en") for m in result.saved.lost]
    # LibreOffice writes data bars with their Excel 2010 extension (openpyxl keeps only the plain bar)
    # and an Excel 2016 option in charts; openpyxl drops both, and nothing else.
    assert result.saved.elsewhere
    assert sorted(lost) == [f"1 × chart option: show #N/A as an empty cell in sheet '{rich.ORDERS}'",
                            f"1 × conditional formats of Excel 2010+ (data bars, icon sets) in sheet '{rich.CUSTOMERS}'"]
    assert book.read_bytes() == original
    elsewhere = Path(result.saved.target)
    assert elsewhere.name == f"{book.stem}.xlcrm.xlsx"
    assert_same(before, snapshot(elsewhere, OWN))  # everything else was carried over
    assert "CRM设置" in sheets_as_csv(elsewhere, tmp_path / "csv")


# --- parts openpyxl drops: refused, never lost silently ----------------------------------

DROPPED = {
    "text box": (lambda p: ooxml.add_text_box(p, rich.ORDERS),
                 "1 × shape or text box in sheet '订单记录'", "工作表“订单记录”中的 1 个形状或文本框"),
    "sparklines": (lambda p: ooxml.add_sparklines(p, rich.CUSTOMERS, f"{rich.CUSTOMERS}!H3:J3", "L3"),
                   "1 × sparklines in sheet '客户跟踪表'", "工作表“客户跟踪表”中的 1 个迷你图"),
    "threaded comment": (lambda p: ooxml.add_threaded_comment(p, rich.CUSTOMERS, "A3"),
                         "1 × threaded comment in sheet '客户跟踪表'", "工作表“客户跟踪表”中的 1 个批注会话"),
    "slicer": (lambda p: ooxml.add_table_slicer(p, rich.ORDERS, 1, 3, "客户名称"),
               "1 × slicers in sheet '订单记录'", "工作表“订单记录”中的 1 个切片器"),
    "ignored errors": (lambda p: ooxml.add_ignored_errors(p, rich.CUSTOMERS, "C3:C7"),
                       "1 × ignored error markers (green triangles) in sheet '客户跟踪表'",
                       "工作表“客户跟踪表”中的 1 个已忽略的错误标记(绿色三角)"),
    "chart labels from cells": (lambda p: ooxml.add_chart_label_range(p, rich.ORDERS, f"{rich.ORDERS}!$C$2:$C$5"),
                                "1 × chart data labels taken from cells in sheet '订单记录'",
                                "工作表“订单记录”中的 1 个取自单元格的图表数据标签"),
}


@pytest.mark.parametrize("kind", DROPPED)
@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_a_part_openpyxl_drops_makes_xlcrm_write_elsewhere(kind, suffix, tmp_path):
    inject, english, chinese = DROPPED[kind]
    book = rich_book(tmp_path, suffix)
    inject(book)
    original = book.read_bytes()
    result = check(FileBook(book))
    assert result.saved.elsewhere
    assert english in [m.text("en") for m in result.saved.lost]
    assert chinese in [m.text("zh") for m in result.saved.lost]
    assert book.read_bytes() == original
    assert not book.with_name(f"{book.stem}.backup{suffix}").exists()
    assert Path(result.saved.target) == book.with_name(f"{book.stem}.xlcrm{suffix}")
    message = "\n".join(result.lines("zh"))
    assert "未写入原工作簿" in message and chinese in message and f"{book.stem}.xlcrm{suffix}" in message
    assert "NOT saved into your workbook" in "\n".join(result.lines("en"))


@pytest.mark.libreoffice
def test_libreoffice_opens_the_file_written_elsewhere(tmp_path):
    book = rich_book(tmp_path, ".xlsx")
    ooxml.add_text_box(book, rich.ORDERS)
    result = check(FileBook(book))
    shown = sheets_as_csv(Path(result.saved.target), tmp_path / "csv")
    assert {"CRM设置", "数据问题", rich.CUSTOMERS} <= set(shown)


def test_a_loss_is_named_with_its_sheet_when_xlcrm_also_adds_a_report_chart(tmp_path):
    """The report sheet xlcrm writes (with its chart) is compared apart from the team's sheets."""
    book = rich_book(tmp_path, ".xlsx")
    ooxml.add_text_box(book, rich.ORDERS)
    saved = FileBook(book).apply(xlcrm_edits())
    assert saved.elsewhere
    assert "1 × shape or text box in sheet '订单记录'" in [m.text("en") for m in saved.lost]


# --- parts openpyxl keeps (checked, not assumed) -----------------------------------------


def test_a_pivot_table_is_kept(tmp_path):
    book = rich_book(tmp_path, ".xlsx")
    ooxml.add_pivot_table(book, rich.ORDERS, rich.LISTS)
    before = snapshot(book, OWN)
    assert before[f"sheet {rich.LISTS}"]["pivot tables"] == [("客户金额透视", "D3:E7")]
    result = check(FileBook(book))
    assert not result.saved.elsewhere, [m.text("en") for m in result.saved.lost]
    assert_same(before, snapshot(book, OWN))
    with zipfile.ZipFile(book) as package:
        names = package.namelist()
    assert any("pivotCacheDefinition" in n for n in names) and any("pivotCacheRecords" in n for n in names)


def test_an_external_link_is_kept(tmp_path):
    book = rich_book(tmp_path, ".xlsx")
    ooxml.add_external_link(book, rich.RATES, "C2")
    before = snapshot(book, OWN)
    assert before[f"cells {rich.RATES}"]["C2"]["value"] == "=[1]价格表!$B$2"
    result = check(FileBook(book))
    assert not result.saved.elsewhere, [m.text("en") for m in result.saved.lost]
    assert_same(before, snapshot(book, OWN))
    with zipfile.ZipFile(book) as package:
        link = next(n for n in package.namelist() if n.startswith("xl/externalLinks/_rels/"))
        assert "价格表.xlsx" in package.read(link).decode()


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_the_custom_ribbon_is_put_back(suffix, tmp_path):
    book = rich_book(tmp_path, suffix)
    ribbon = ooxml.add_ribbon(book)
    result = check(FileBook(book))
    assert not result.saved.elsewhere, [m.text("en") for m in result.saved.lost]
    with zipfile.ZipFile(book) as package:
        assert package.read("customUI/customUI14.xml") == ribbon
        root = package.read("_rels/.rels").decode()
        types = package.read("[Content_Types].xml").decode()
    assert f'Type="{ooxml.RIBBON_TYPE}"' in root and 'Target="customUI/customUI14.xml"' in root
    assert 'Extension="xml" ContentType="application/xml"' in types
    main = "sheet.macroEnabled.main+xml" if suffix == ".xlsm" else "spreadsheetml.sheet.main+xml"
    assert main in types
    check(FileBook(book))  # a second write keeps it too, without doubling the relationship
    with zipfile.ZipFile(book) as package:
        assert package.read("_rels/.rels").decode().count(ooxml.RIBBON_TYPE) == 1


@pytest.mark.libreoffice
def test_libreoffice_opens_the_macro_workbook_with_its_ribbon(tmp_path):
    book = rich_book(tmp_path, ".xlsm")
    ooxml.add_ribbon(book)
    check(FileBook(book))
    shown = sheets_as_csv(book, tmp_path / "csv")
    assert rich.CUSTOMERS in shown and "CRM设置" in shown
    ods = convert(book, "ods", tmp_path / "ods")
    with zipfile.ZipFile(ods) as package:
        assert any("Module1" in n for n in package.namelist()), "LibreOffice did not find the VBA modules"

