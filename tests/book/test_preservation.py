"""Nothing in the team's workbook is lost when xlcrm writes it.

A rich team workbook (helpers/rich.py) goes through `check` and through the file
back-end's apply; afterwards every sheet that is not xlcrm's own must be identical cell by
cell and setting by setting (helpers/snapshot.py), the chart, the picture and the VBA
project must still be there, and LibreOffice must open what was written. Parts openpyxl
cannot keep are injected as raw OOXML (helpers/ooxml.py): the write patches the package
instead of re-saving it, so those parts must come out byte for byte as they went in, and
the user's own workbook is updated. The loss check stays as a safety net: a write that
would lose something is still refused, and the results go to NAME.xlcrm.xlsx.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from helpers import ooxml, rich
from helpers.libreoffice import convert, sheets_as_csv
from helpers.snapshot import differences, snapshot
from helpers.workbooks import vba_modules
from xlcrm.actions.check import check
from xlcrm.book.file import patch as file_patch
from xlcrm.book.file import FileBook
from xlcrm.book.file.part_inventory import inventory, lost_parts
from xlcrm.core.edits import Chart, Formula, Highlight, PutSheet, SetCells, SetHighlights

OWN = {"CRM设置", "数据问题", "CRM概览"}
OWN_COLUMN = 14  # N: right of the team's columns and their picture
# The workbook-level parts xlcrm rewrites (sheets added, styles appended, the calculation chain dropped).
WORKBOOK_PARTS = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}


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


def assert_parts_kept(before: dict[str, bytes], path: Path, rewritten: set[str] = frozenset()) -> None:
    """Every part of the original is in the written file, byte for byte, but the ones xlcrm rewrites."""
    after = ooxml.entries(path)
    changed = sorted(n for n, data in before.items() if n not in WORKBOOK_PARTS | rewritten and after.get(n) != data)
    assert not changed, f"parts changed or gone: {changed}"


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
    assert "RunPython" in before["Module1"]
    check(FileBook(book))
    FileBook(book).apply(xlcrm_edits())
    assert vba_modules(book) == before
    written = openpyxl.load_workbook(book, keep_vba=True)
    assert written.vba_archive is not None and written.code_name == "ThisWorkbook"
    with zipfile.ZipFile(book) as package:
        types = package.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "application/vnd.ms-office.vbaProject" in types


@pytest.mark.slow
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


@pytest.mark.slow
@pytest.mark.libreoffice
def test_a_workbook_saved_by_libreoffice(tmp_path):
    """LibreOffice writes its own XML (Excel 2010 data bars, an Excel 2016 chart option): all of it is kept."""
    made = rich_book(tmp_path / "made", ".xlsx")
    book = convert(made, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    before, parts = snapshot(book, OWN), ooxml.entries(book)
    customers = ooxml.Package(book).sheet_part(rich.CUSTOMERS)
    assert "{78C0D931-6437-407d-A8EE-F0AAD7539E65}" in parts[customers].decode()  # the data bar's extension
    result = check(FileBook(book))
    assert not result.saved.elsewhere, [m.text("en") for m in result.saved.lost]
    assert result.saved.target == str(book)
    assert_parts_kept(parts, book)
    saved = FileBook(book).apply(xlcrm_edits())
    assert not saved.elsewhere, [m.text("en") for m in saved.lost]
    assert_parts_kept(parts, book, {customers})
    assert "{78C0D931-6437-407d-A8EE-F0AAD7539E65}" in ooxml.entries(book)[customers].decode()
    assert_same(before, snapshot(book, OWN, {rich.CUSTOMERS: {OWN_COLUMN, OWN_COLUMN + 1}}))
    shown = sheets_as_csv(book, tmp_path / "csv")
    assert shown["CRM概览"][3][:2] == ["合计", "5"]
    assert shown[rich.CUSTOMERS][1][OWN_COLUMN - 1:OWN_COLUMN + 1] == ["客户等级", "最近购买距今(天)"]


# --- parts openpyxl drops: kept byte for byte, the workbook itself updated -----------------

DROPPED = {
    "text box": lambda p: ooxml.add_text_box(p, rich.ORDERS),
    "sparklines": lambda p: ooxml.add_sparklines(p, rich.CUSTOMERS, f"{rich.CUSTOMERS}!H3:J3", "L3"),
    "threaded comment": lambda p: ooxml.add_threaded_comment(p, rich.CUSTOMERS, "A3"),
    "slicer": lambda p: ooxml.add_table_slicer(p, rich.ORDERS, 1, 3, "客户名称"),
    "ignored errors": lambda p: ooxml.add_ignored_errors(p, rich.CUSTOMERS, "C3:C7"),
    "chart labels from cells": lambda p: ooxml.add_chart_label_range(p, rich.ORDERS, f"{rich.ORDERS}!$C$2:$C$5"),
    "chart style and colours": lambda p: ooxml.add_chart_style(p, rich.ORDERS),
}


@pytest.mark.parametrize("kind", DROPPED)
@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_a_part_openpyxl_drops_is_kept_and_the_workbook_itself_updated(kind, suffix, tmp_path):
    book = rich_book(tmp_path, suffix)
    DROPPED[kind](book)
    parts, before = ooxml.entries(book), inventory(book)
    result = check(FileBook(book))
    assert not result.saved.elsewhere, [m.text("en") for m in result.saved.lost]
    assert result.saved.target == str(book)
    assert ooxml.entries(Path(result.saved.backup)) == parts
    assert not book.with_name(f"{book.stem}.xlcrm{suffix}").exists()
    assert_parts_kept(parts, book)
    assert lost_parts(before, inventory(book)) == []
    assert f"已保存 {book}" in "\n".join(result.lines("zh"))
    FileBook(book).apply(xlcrm_edits())  # xlcrm's columns and rules on the team's sheet, a report put first
    assert_parts_kept(parts, book, {ooxml.Package(book).sheet_part(rich.CUSTOMERS)})
    assert lost_parts(before, inventory(book), {"CRM概览"}) == []


def test_every_part_openpyxl_drops_at_once_in_a_macro_workbook(tmp_path):
    book = rich_book(tmp_path, ".xlsm")
    for inject in DROPPED.values():
        inject(book)
    ooxml.add_ribbon(book)
    parts, before = ooxml.entries(book), snapshot(book, OWN)
    for _ in range(2):
        assert not check(FileBook(book)).saved.elsewhere
        assert not FileBook(book).apply(xlcrm_edits()).elsewhere
    assert_parts_kept(parts, book, {ooxml.Package(book).sheet_part(rich.CUSTOMERS)})
    assert_same(before, snapshot(book, OWN, {rich.CUSTOMERS: {OWN_COLUMN, OWN_COLUMN + 1}}))


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook_with_a_text_box_and_a_chart_style(tmp_path):
    book = rich_book(tmp_path, ".xlsx")
    ooxml.add_text_box(book, rich.ORDERS)
    ooxml.add_chart_style(book, rich.ORDERS)
    result = check(FileBook(book))
    assert result.saved.target == str(book)
    shown = sheets_as_csv(book, tmp_path / "csv")
    assert {"CRM设置", "数据问题", rich.CUSTOMERS} <= set(shown)
    assert shown[rich.ORDERS][1][0] == "SO-001"


# --- the loss check: still there, as a safety net ----------------------------------------


def test_the_loss_check_names_what_a_write_lost_by_sheet(tmp_path):
    """Before/after inventories of real files: a lost text box is named with its sheet, even though
    xlcrm's own report sheet (compared apart) gained a chart."""
    book = rich_book(tmp_path, ".xlsx")
    ooxml.add_text_box(book, rich.ORDERS)
    before = inventory(book)
    assert not FileBook(book).apply(xlcrm_edits()).elsewhere
    assert lost_parts(before, inventory(book), {"CRM概览"}) == []
    _drop_text_box(book)
    lost = lost_parts(before, inventory(book), {"CRM概览"})
    assert [m.text("en") for m in lost] == ["1 × shape or text box in sheet '订单记录'"]
    assert [m.text("zh") for m in lost] == ["工作表“订单记录”中的 1 个形状或文本框"]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_a_write_that_would_lose_something_goes_elsewhere(suffix, tmp_path, monkeypatch):
    """If the patch ever lost a part (here a write made to lose the text box), the workbook is left alone."""
    book = rich_book(tmp_path, suffix)
    ooxml.add_text_box(book, rich.ORDERS)
    original = book.read_bytes()
    real_patch = file_patch.patch_workbook

    def losing_patch(source, target, edits):
        real_patch(source, target, edits)
        _drop_text_box(target)

    monkeypatch.setattr(file_patch, "patch_workbook", losing_patch)
    result = check(FileBook(book))
    assert result.saved.elsewhere
    assert result.saved.lost and [m.text("en") for m in result.saved.lost] == ["1 × shape or text box in sheet '订单记录'"]
    assert book.read_bytes() == original
    assert not book.with_name(f"{book.stem}.backup{suffix}").exists()
    assert Path(result.saved.target) == book.with_name(f"{book.stem}.xlcrm{suffix}")
    message = "\n".join(result.lines("zh"))
    assert "未写入原工作簿" in message and "工作表“订单记录”中的 1 个形状或文本框" in message
    assert f"{book.stem}.xlcrm{suffix}" in message
    assert "NOT saved into your workbook" in "\n".join(result.lines("en"))


def test_a_rule_lost_from_the_sheet_xlcrm_writes_into_is_found(tmp_path, monkeypatch):
    """The loss check reads again only the sheets a write changed (the others are stored alike, so they count
    alike): a conditional format rule of the team's lost from the customers sheet xlcrm writes into is named."""
    book = rich_book(tmp_path, ".xlsx")
    original = book.read_bytes()
    real_patch = file_patch.patch_workbook

    def losing_patch(source, target, edits):
        real_patch(source, target, edits)
        _cut(target, lambda package: package.sheet_part(rich.CUSTOMERS), "<conditionalFormatting",
             "</conditionalFormatting>")

    monkeypatch.setattr(file_patch, "patch_workbook", losing_patch)
    saved = FileBook(book).apply(xlcrm_edits())
    assert saved.elsewhere and book.read_bytes() == original
    assert [m.text("en") for m in saved.lost] == [f"1 × conditional format rule in sheet '{rich.CUSTOMERS}'"]


def _drop_text_box(path: Path) -> None:
    _cut(path, lambda package: ooxml.drawing_of(package, rich.ORDERS),
         '<xdr:twoCellAnchor xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"',
         "</xdr:twoCellAnchor>")


def _cut(path: Path, part_of, opening: str, closing: str) -> None:
    """The first element from `opening` to its `closing` tag taken out of a part (part_of names it)."""
    package = ooxml.Package(path)
    part = part_of(package)
    xml = package.text(part)
    start = xml.index(opening)
    package.entries[part] = (xml[:start] + xml[xml.index(closing, start) + len(closing):]).encode()
    package.save()


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
def test_the_custom_ribbon_is_kept(suffix, tmp_path):
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


@pytest.mark.slow
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

