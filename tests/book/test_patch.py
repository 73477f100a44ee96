"""The package-level writer on workbooks as Excel and other tools write them (helpers/handmade.py).

Each test writes through FileBook.apply, then reads the result the way users' programs do:
openpyxl, calamine (xlcrm's own reader), LibreOffice, and the XML itself where the question
is about the file (element order, prefixes, what was left alone).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from helpers import handmade, ooxml
from helpers.libreoffice import sheets_as_csv
from helpers.workbooks import values
from xlcrm.actions.check import check
from xlcrm.book.file import sheet_xml
from xlcrm.book.file import FileBook
from xlcrm.core.edits import Chart, Formula, Highlight, PutSheet, SetCells, SetHighlights, is_tagged
from xlcrm.core.errors import XlcrmError

NS = {"m": handmade.MAIN}
CUSTOMERS = "客户"


def team_book(folder: Path, prefix: str = "", rows: str = handmade.CUSTOMER_ROWS, tail: str | None = None,
              **options) -> Path:
    sheets = {CUSTOMERS: handmade.sheet_xml(rows, prefix, tail=tail), "说明": handmade.sheet_xml("", tail="")}
    folder.mkdir(parents=True, exist_ok=True)
    return handmade.build(folder / "team.xlsx", sheets, **options)


def columns(first_row: int = 1, rows: int = 5, **options) -> SetCells:
    """Two xlcrm columns in D:E from the header row down, as column_edits writes them."""
    grid = [["客户等级", "下次跟进日"]] + [[f"等级{r}", dt.date(2026, 12, r)] for r in range(2, rows + 1)]
    return SetCells(CUSTOMERS, first_row, 4, grid, formats={1: "date"}, header=True, clear_below=True, **options)


def sheet_root(path: Path, sheet: str = CUSTOMERS) -> etree._Element:
    package = ooxml.Package(path)
    return etree.fromstring(package.entries[package.sheet_part(sheet)])


def cells_by_row(root: etree._Element) -> dict[int, list[str]]:
    """Row number -> the references of its cells (a row without a number follows the one before)."""
    found, number = {}, 0
    for row in root.iter(f"{{{handmade.MAIN}}}row"):
        number = int(row.get("r") or number + 1)
        found[number] = [c.get("r") for c in row.findall("m:c", NS)]
    return found


# --- cells in the team's sheet -------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "x"])
def test_cells_go_in_column_order_and_missing_rows_are_created_in_order(prefix, tmp_path):
    book = team_book(tmp_path, prefix)
    saved = FileBook(book).apply([columns(rows=6)])
    assert not saved.elsewhere and saved.target == str(book)
    root = sheet_root(book)
    rows = cells_by_row(root)
    assert list(rows) == [1, 2, 3, 4, 5, 6]  # row 5 created between 4 and 6
    assert rows[1] == ["A1", "B1", "D1", "E1", "F1"]  # before the team's column F
    assert rows[2] == ["A2", "B2", "C2", "D2", "E2", "F2"]
    assert rows[4] == ["D4", "E4"]  # the hidden self-closing row got cells and stayed hidden
    assert root.find("m:sheetData/m:row[@r='4']", NS).get("hidden") == "1"
    assert rows[5] == ["D5", "E5"]
    assert root.find("m:sheetData/m:row[@r='3']", NS).get("spans") == "1:5"
    assert root.find("m:dimension", NS).get("ref") == "A1:F6"
    shown = values(book)[CUSTOMERS]
    assert [row[3:5] for row in shown[:6]] == [["客户等级", "下次跟进日"]] + [[f"等级{r}", dt.date(2026, 12, r)]
                                                                        for r in range(2, 7)]
    assert shown[1][5] == 46301 and shown[0][5] == "备注"  # the team's column F as it was


def test_a_sheet_with_the_x_prefix_keeps_its_prefixes_and_mc_ignorable(tmp_path):
    book = team_book(tmp_path, "x")
    FileBook(book).apply([columns(), SetHighlights(CUSTOMERS, "A2:F6", [Highlight("=$E2<TODAY()", "F8CBAD")])])
    xml = ooxml.Package(book).entries["xl/worksheets/sheet1.xml"].decode()
    assert xml.startswith(handmade.DECLARATION + "<x:worksheet ")
    assert 'mc:Ignorable="x14ac xr"' in xml and f'xmlns:x14ac="{handmade.X14AC}"' in xml
    assert '<x:c r="D1" s="' in xml and "<c " not in xml and "<row" not in xml
    assert "<x:conditionalFormatting" in xml and 'xmlns="' not in xml
    sheet = openpyxl.load_workbook(book)[CUSTOMERS]
    assert sheet["D2"].value == "等级2" and sheet["E2"].value == dt.datetime(2026, 12, 2)
    assert sheet["E2"].number_format == "yyyy-mm-dd"


def test_cells_without_references_get_theirs_when_xlcrm_writes_beside_them(tmp_path):
    book = team_book(tmp_path, rows=handmade.UNNUMBERED_ROWS)
    FileBook(book).apply([SetCells(CUSTOMERS, 1, 3, [["等级"], ["A"], ["B"]], header=True)])
    shown = values(book)[CUSTOMERS]
    assert shown[0][:3] == ["客户名称", "负责人", "等级"]
    assert shown[1][:3] == ["杭州恒信", "张磊", "A"]  # C2 (the date) was replaced by xlcrm's column
    assert shown[2][:3] == ["上海华腾", "李娜", "B"]
    assert cells_by_row(sheet_root(book))[2] == ["A2", "B2", "C2"]


def test_text_that_looks_like_a_formula_stays_text_and_values_keep_their_types(tmp_path):
    book = team_book(tmp_path)
    grid = [["文本", "数字", "真假", "日期时间", "公式"],
            ["=1+1", 12.5, True, dt.datetime(2026, 11, 23, 14, 30), Formula("B3*2")],
            ["+86 138", 3, False, dt.date(1900, 2, 28), Formula("=SUM(B2:B3)")],
            ["-5", None, None, None, None],
            ["@sum  ", "_x0041_", "tab\tand\nnew line", "a\x07bell", "<b>&</b>"]]
    FileBook(book).apply([SetCells(CUSTOMERS, 10, 2, grid, header=True)])
    sheet = openpyxl.load_workbook(book)[CUSTOMERS]
    assert [sheet.cell(11, c).value for c in range(2, 7)] == [
        "=1+1", 12.5, True, dt.datetime(2026, 11, 23, 14, 30), "=B3*2"]
    assert sheet.cell(11, 2).data_type == "s" and sheet.cell(11, 6).data_type == "f"
    assert [sheet.cell(12, c).value for c in range(2, 6)] == ["+86 138", 3, False, dt.datetime(1900, 2, 28)]
    assert sheet.cell(13, 2).value == "-5" and sheet.cell(13, 3).value is None
    # Text Excel would read as its _xHHHH_ escapes is escaped in turn (openpyxl does not decode these; calamine,
    # like Excel and LibreOffice, does).
    assert values(book)[CUSTOMERS][13][1:6] == ["@sum  ", "_x0041_", "tab\tand\nnew line", "a\x07bell", "<b>&</b>"]
    assert sheet.cell(11, 5).number_format == "yyyy-mm-dd h:mm:ss" and sheet.cell(12, 5).number_format == "yyyy-mm-dd"
    header = sheet.cell(10, 2)
    assert header.font.b and header.fill.fgColor.rgb.endswith("DDEBF7")
    assert header.font.name == "等线"  # the workbook's own typeface, made bold


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_reads_xlcrms_values_and_computes_its_formulas(tmp_path):
    book = team_book(tmp_path)
    grid = [["文本", "数字", "日期", "公式"], ["=1+1", 12.5, dt.date(2026, 11, 23), Formula("C11*2")],
            ["@x", 3, dt.date(2026, 1, 5), Formula("SUM(C11:C12)")]]
    FileBook(book).apply([SetCells(CUSTOMERS, 10, 2, grid, {2: "date"}, header=True),
                          PutSheet("CRM概览", [["等级", "客户数"], ["A", 2], ["B", 3], ["合计", Formula("SUM(B2:B3)")]],
                                   row_styles={0: "header"}, first=True)])
    shown = sheets_as_csv(book, tmp_path / "csv")
    assert shown[CUSTOMERS][10][1:5] == ["=1+1", "12.5", "2026-11-23", "25"]
    assert shown[CUSTOMERS][11][1:5] == ["@x", "3", "2026-01-05", "15.5"]
    assert shown["CRM概览"] == [["等级", "客户数"], ["A", "2"], ["B", "3"], ["合计", "5"]]
    assert shown[CUSTOMERS][0][:2] == ["客户名称", "负责人"]


def test_an_empty_sheet_written_as_sheetdata_slash_gets_its_rows(tmp_path):
    book = handmade.build(tmp_path / "empty.xlsx", {"空表": handmade.sheet_xml("", tail="").replace(
        "<sheetData></sheetData>", "<sheetData/>")})
    FileBook(book).apply([SetCells("空表", 2, 2, [["a", 1], ["b", 2]])])
    assert values(book)["空表"] == [["", "", ""], ["", "a", 1], ["", "b", 2]]
    assert ooxml.integrity_problems(book) == []


def test_dates_follow_the_workbooks_1904_date_system(tmp_path):
    book = team_book(tmp_path, date1904=True)
    FileBook(book).apply([columns()])
    assert openpyxl.load_workbook(book)[CUSTOMERS]["E2"].value == dt.datetime(2026, 12, 2)
    assert "<v>44896</v>" in ooxml.Package(book).text("xl/worksheets/sheet1.xml")  # 2026-12-02 counted from 1904


def test_a_shorter_run_clears_xlcrms_old_cells_below_but_keeps_what_the_team_formatted(tmp_path):
    book = team_book(tmp_path)
    FileBook(book).apply([columns(rows=6)])
    package = ooxml.Package(book)  # the team puts a border style (their xf 1, bold) on one of xlcrm's cells
    xml = package.text("xl/worksheets/sheet1.xml")
    package.entries["xl/worksheets/sheet1.xml"] = re.sub(r'<c r="D6"( s="\d+")?', '<c r="D6" s="1"', xml).encode()
    package.save()
    FileBook(book).apply([columns(rows=3)])
    rows = cells_by_row(sheet_root(book))
    assert rows[3] == ["A3", "B3", "C3", "D3", "E3"]
    assert rows[4] == [] and rows[5] == []
    assert rows[6] == ["A6", "D6"]
    sheet = openpyxl.load_workbook(book)[CUSTOMERS]
    assert sheet["D6"].value is None and sheet["D6"].font.b  # the value went, the team's style stayed
    assert sheet["E6"].value is None and sheet["D3"].value == "等级3"


# --- highlights ----------------------------------------------------------------------------------


def test_highlights_replace_xlcrms_rules_keep_the_teams_and_sit_where_the_schema_wants(tmp_path):
    book = team_book(tmp_path)
    for fill in ("F8CBAD", "FFE699"):
        FileBook(book).apply([SetHighlights(CUSTOMERS, "A2:F6", [Highlight("=$E2<TODAY()", fill, "9C0006"),
                                                                Highlight("=$E2=TODAY()", "C6EFCE")])])
    root = sheet_root(book)
    order = [etree.QName(c).localname for c in root]
    assert order == ["dimension", "sheetViews", "sheetFormatPr", "sheetData", "mergeCells", "conditionalFormatting",
                     "conditionalFormatting", "dataValidations", "pageMargins"]
    rules = root.findall(".//m:cfRule", NS)
    assert [r.get("priority") for r in rules] == ["1", "2", "3"]
    assert rules[0].find("m:formula", NS).text == "46305"  # the team's
    assert [is_tagged(r.find("m:formula", NS).text) for r in rules] == [False, True, True]
    sheet = openpyxl.load_workbook(book)[CUSTOMERS]
    ours = [r for cf in sheet.conditional_formatting for r in cf.rules if any(is_tagged(f) for f in r.formula)]
    assert [r.dxf.fill.bgColor.rgb for r in ours] == ["FFFFE699", "FFC6EFCE"]
    assert ours[0].dxf.font.color.rgb == "FF9C0006"


# --- styles, sheets, the workbook ------------------------------------------------------------


def test_styles_are_appended_once_and_reused_on_the_next_run(tmp_path):
    book = team_book(tmp_path)
    edits = [columns(), SetHighlights(CUSTOMERS, "A2:F6", [Highlight("=$E2<TODAY()", "F8CBAD")]),
             PutSheet("CRM设置", [["设置", "值"], ["语言", "zh"]], row_styles={0: "header"}, widths={0: 18})]
    FileBook(book).apply(edits)
    first = ooxml.entries(book)
    original = etree.fromstring(handmade.STYLES.encode())
    styles = etree.fromstring(first["xl/styles.xml"])
    for name in ("fonts", "fills", "cellXfs", "dxfs"):
        before, after = original.find(f"m:{name}", NS), styles.find(f"m:{name}", NS)
        assert [etree.tostring(e) for e in after][:len(before)] == [etree.tostring(e) for e in before]
        assert after.get("count") == str(len(after))
    assert len(styles.find("m:cellXfs", NS)) > 3 and len(styles.find("m:dxfs", NS)) == 2
    FileBook(book).apply(edits)
    assert ooxml.entries(book) == first  # the same edits again: the same file, part for part


def test_a_rerun_writes_the_same_package_with_a_report_chart(tmp_path):
    book = team_book(tmp_path)
    report = PutSheet("CRM概览", [["等级", "客户数"], ["A", 2], ["B", 3]], row_styles={0: "header"}, first=True,
                      charts=(Chart("column", "客户等级", "D2", (1, 2, 3), ((2, 1, 3),)),))
    flagged = SetHighlights("CRM概览", "A2:B3", [Highlight("=$B2>2", "C6EFCE")])  # a rule on xlcrm's own sheet
    FileBook(book).apply([columns(), report, flagged])
    first = ooxml.entries(book)
    FileBook(book).apply([columns(), report, flagged])
    assert ooxml.entries(book) == first
    rules = [r for cf in openpyxl.load_workbook(book)["CRM概览"].conditional_formatting for r in cf.rules]
    assert [r.dxf.fill.bgColor.rgb for r in rules] == ["00C6EFCE"]
    assert sorted(n for n in first if n.startswith("xl/charts/")) == ["xl/charts/chart1.xml"]
    assert ooxml.integrity_problems(book) == []


def test_a_language_switch_renames_xlcrms_sheet_in_place_and_removes_its_old_chart(tmp_path):
    book = team_book(tmp_path, active=1)
    zh = PutSheet("CRM概览", [["等级", "客户数"], ["A", 2], ["B", 3]], aliases=("CRM Summary",), first=True,
                  charts=(Chart("pie", "客户等级", "D2", (1, 2, 3), ((2, 1, 3),)),))
    FileBook(book).apply([zh])
    en = PutSheet("CRM Summary", [["Class", "Customers"], ["A", 2]], aliases=("CRM概览",), first=True)
    FileBook(book).apply([en])
    written = openpyxl.load_workbook(book)
    assert written.sheetnames == ["CRM Summary", CUSTOMERS, "说明"]
    assert written.active.title == "说明"  # the team's active sheet stays active
    assert written["CRM Summary"]["A1"].value == "Class" and not written["CRM Summary"]._charts
    names = ooxml.entries(book)
    assert not any(n.startswith(("xl/charts/", "xl/drawings/")) for n in names)
    assert ooxml.integrity_problems(book) == []


def test_a_sheet_put_first_moves_the_teams_sheet_scoped_names_and_active_tab(tmp_path):
    names = (f'<definedName name="_xlnm.Print_Area" localSheetId="0">{CUSTOMERS}!$A$1:$F$6</definedName>'
             '<definedName name="说明区" localSheetId="1">说明!$A$1</definedName>'
             f'<definedName name="全部客户">{CUSTOMERS}!$A$2:$A$6</definedName>')
    book = team_book(tmp_path, active=1, names=names)
    FileBook(book).apply([PutSheet("CRM设置", [["a"]], first=True), PutSheet("_xlcrm", [["state"]], hidden=True)])
    workbook = ooxml.Package(book).text("xl/workbook.xml")
    assert re.findall(r'localSheetId="(\d)"', workbook) == ["1", "2"]
    assert 'activeTab="2"' in workbook
    written = openpyxl.load_workbook(book)
    assert written.sheetnames == ["CRM设置", CUSTOMERS, "说明", "_xlcrm"]
    assert written.active.title == "说明" and written["_xlcrm"].sheet_state == "hidden"
    assert written[CUSTOMERS].print_area == f"'{CUSTOMERS}'!$A$1:$F$6"
    assert not written["CRM设置"].views.sheetView[0].tabSelected
    assert ooxml.integrity_problems(book) == []


def test_the_calculation_chain_goes_and_formulas_are_computed_on_load(tmp_path):
    book = team_book(tmp_path)
    FileBook(book).apply([SetCells(CUSTOMERS, 2, 4, [[Formula("C2+7")]])])
    package = ooxml.Package(book)
    assert "xl/calcChain.xml" not in package.entries
    assert "calcChain" not in package.text("xl/_rels/workbook.xml.rels") + package.text("[Content_Types].xml")
    assert '<calcPr calcId="191029" fullCalcOnLoad="1"/>' in package.text("xl/workbook.xml")
    assert ooxml.integrity_problems(book) == []


def test_a_workbook_without_styles_gets_them(tmp_path):
    book = team_book(tmp_path, tail="", styles=False)
    FileBook(book).apply([columns()])
    sheet = openpyxl.load_workbook(book)[CUSTOMERS]
    assert sheet["D1"].font.b and sheet["E2"].number_format == "yyyy-mm-dd"
    assert ooxml.integrity_problems(book) == []


# --- streaming ---------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_rows_split_across_reads_come_out_the_same(chunk, tmp_path, monkeypatch):
    """A big sheet is read a megabyte at a time; tiny reads put every row and tag across a boundary."""
    expected = team_book(tmp_path / "whole")
    FileBook(expected).apply([columns(rows=6), SetHighlights(CUSTOMERS, "A2:F6", [Highlight("=$E2<TODAY()", "F8CBAD")])])
    monkeypatch.setattr(sheet_xml, "CHUNK", chunk)
    book = team_book(tmp_path / "split")
    FileBook(book).apply([columns(rows=6), SetHighlights(CUSTOMERS, "A2:F6", [Highlight("=$E2<TODAY()", "F8CBAD")])])
    assert ooxml.entries(book)["xl/worksheets/sheet1.xml"] == ooxml.entries(expected)["xl/worksheets/sheet1.xml"]


def test_comments_and_cdata_in_rows_do_not_confuse_the_row_reader(tmp_path):
    rows = ('<{p}row r="1"><!-- </{p}row> --><{p}c r="A1" t="inlineStr"><{p}is><{p}t><![CDATA[</{p}c></{p}row>]]>'
            '</{p}t></{p}is></{p}c></{p}row><!-- between --><{p}row r="2"><{p}c r="A2"><{p}v>1</{p}v></{p}c></{p}row>')
    book = team_book(tmp_path, rows=rows)
    FileBook(book).apply([SetCells(CUSTOMERS, 1, 2, [["x"], ["y"]])])
    shown = values(book)[CUSTOMERS]
    assert shown[0][:2] == ["</c></row>", "x"] and shown[1][:2] == [1, "y"]


def test_an_untouched_sheet_is_copied_as_stored(tmp_path):
    book = team_book(tmp_path)
    before = _stored(book, "xl/worksheets/sheet2.xml")
    FileBook(book).apply([columns()])
    assert _stored(book, "xl/worksheets/sheet2.xml") == before


def _stored(path: Path, name: str) -> bytes:
    """An entry's compressed bytes as they lie in the ZIP file."""
    with zipfile.ZipFile(path) as package, path.open("rb") as raw:
        info = package.getinfo(name)
        raw.seek(info.header_offset + 26)
        skip = int.from_bytes(raw.read(2), "little") + int.from_bytes(raw.read(2), "little")
        raw.seek(skip, 1)
        return raw.read(info.compress_size)


# --- what cannot be written ---------------------------------------------------------------------


def test_an_edit_of_a_sheet_that_is_not_there_is_a_clear_error_and_writes_nothing(tmp_path):
    book = team_book(tmp_path)
    original = book.read_bytes()
    with pytest.raises(XlcrmError) as raised:
        FileBook(book).apply([columns(), SetCells("客户表2", 1, 1, [["x"]])])
    assert "客户表2" in raised.value.text("zh") and "客户表2" in raised.value.text("en")
    assert book.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.xlsx"]


def test_a_strict_open_xml_workbook_is_refused_with_a_way_out(tmp_path):
    book = team_book(tmp_path)
    package = ooxml.Package(book)
    package.entries["xl/workbook.xml"] = package.text("xl/workbook.xml").replace(
        handmade.MAIN, "http://purl.oclc.org/ooxml/spreadsheetml/main").encode()
    package.save()
    with pytest.raises(XlcrmError) as raised:
        FileBook(book).apply([columns()])
    assert "Strict Open XML" in raised.value.text("en")


def test_check_twice_on_the_sample_writes_the_same_workbook(zh_book):
    check(FileBook(zh_book))
    first = ooxml.entries(zh_book)
    check(FileBook(zh_book))
    assert ooxml.entries(zh_book) == first
    assert ooxml.integrity_problems(zh_book) == []


def test_columns_are_widened_for_xlcrms_dates_never_narrowed_and_ranges_split():
    from lxml import etree

    from xlcrm.book.file.sheet_patch import widen_columns

    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    root = etree.fromstring(
        f'<x:worksheet xmlns:x="{ns}"><x:cols><x:col min="1" max="5" width="9" style="3"/>'
        f'<x:col min="7" max="7" width="30" customWidth="1"/></x:cols><x:sheetData/></x:worksheet>'.encode())
    widen_columns(root, {3: 12, 7: 11, 9: 12})
    cols = [(c.get("min"), c.get("max"), c.get("width"), c.get("style")) for c in root[0]]
    assert cols == [("1", "2", "9", "3"), ("3", "3", "12", "3"), ("4", "5", "9", "3"), ("7", "7", "30", None),
                    ("9", "9", "12", None)]
    assert b"<x:col " in etree.tostring(root) and b"ns0" not in etree.tostring(root)
    bare = etree.fromstring(f'<worksheet xmlns="{ns}"><sheetFormatPr/><sheetData/></worksheet>'.encode())
    widen_columns(bare, {2: 12})
    assert [etree.QName(c).localname for c in bare] == ["sheetFormatPr", "cols", "sheetData"]


def test_a_write_that_fails_in_the_writers_thread_is_raised_to_the_caller_and_nothing_is_left_open(tmp_path):
    """The zip is written by a second thread (book/file/package_writer.py): a full disk there must reach the
    save as the OSError it is (which FileBook turns into 'cannot write, unchanged'), not vanish or hang."""
    import sys
    import threading

    from xlcrm.book.file.patch import patch_workbook

    book = team_book(tmp_path)
    edits = [columns(rows=5), PutSheet("xlcrm 表", [["a", 1]] * 20_000)]
    switching = sys.getswitchinterval()
    with pytest.raises(OSError) as failed:
        patch_workbook(book, Path("/dev/full"), edits)  # every write there: ENOSPC
    assert "No space left" in str(failed.value)
    assert not [t for t in threading.enumerate() if t.name == "xlcrm-zip-writer"]
    assert sys.getswitchinterval() == switching  # the GIL's hand-over, quicker while the writer ran, as it was
    patch_workbook(book, tmp_path / "done.xlsx", edits)  # and the same edits, written where there is room
    assert sys.getswitchinterval() == switching
    sheet = openpyxl.load_workbook(tmp_path / "done.xlsx", read_only=True)["xlcrm 表"]
    assert sheet.max_row == 20_000 and [c.value for c in next(sheet.iter_rows(min_row=20_000))] == ["a", 1]
