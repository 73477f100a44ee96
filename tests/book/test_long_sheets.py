"""xlcrm's own long sheets (a due list, the state sheet): their plain rows are written as XML directly,
not through openpyxl (book/file/plain_rows.py). What a user sees must not tell the two apart."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl

from helpers import handmade
from helpers.workbooks import values
from xlcrm.book.file import FileBook, plain_rows
from xlcrm.core.edits import Chart, Formula, PutSheet

ROWS = 1_500


def long_sheet() -> PutSheet:
    """A title, then two sections (each a section row and a header) over many rows of every kind of value."""
    rows, styles = [["待跟进 (2026-11-23)"], ["张磊"], ["客户", "下次跟进", "天数", "金额", "备注", "时间"]], {
        0: "title", 1: "section", 2: "header"}
    for i in range(ROWS):
        if i == ROWS // 2:
            styles.update({len(rows): "section", len(rows) + 1: "header"})
            rows += [["李娜"], ["客户", "下次跟进", "天数", "金额", "备注", "时间"]]
        rows.append([f"客户{i}", dt.date(2026, 11, 1) + dt.timedelta(days=i % 60), i if i % 7 else float("nan"),
                     [1200.5, "", None, -3, True][i % 5], ["=不是公式", Formula("=1+1"), "  空格 ", LOOKALIKE][i % 4],
                     dt.datetime(2026, 11, 23, 9, 30) if i % 3 == 0 else None])
        if i == ROWS // 3:
            rows.append([])  # an empty row amid the values: only its aligned and wrapped cells
            empty = len(rows) - 1
    rows.append([])  # an empty row at the end: no cell
    return PutSheet("待跟进", rows, row_styles=styles, formats={1: "date", 2: "int", 3: "money"},
                    align={2: "right", 6: "center"}, wrap=(4,),  # column G: past every row's values
                    widths={0: 20}, merges=("A1:F1",), freeze="A4", range_formats=(("D10:D12", "percent"),),
                    heights={2: 30.0, 5: 45.0, 8: 22.5, empty: 60.0, len(rows) - 2: 15.75},  # a header's, plain rows'

                    charts=(Chart("bar", "金额", "H2", (1, 4, 8), ((4, 3, 8),)),))


LOOKALIKE = "a_x0041_b"  # text that looks like an XML escape: openpyxl writes it so that Excel shows "aAb"


def look(path: Path) -> list:
    """Each cell's value and what shows it: number format, bold, fill, alignment; and the sheet's used range."""
    sheet = openpyxl.load_workbook(path)["待跟进"]
    heights = sorted((number, row.height) for number, row in sheet.row_dimensions.items() if row.height)
    return [sheet.dimensions, heights] + [(c.coordinate, c.value, c.number_format, c.font.b, c.fill.fgColor.rgb,
                                  c.alignment.horizontal, c.alignment.wrap_text)
                                 for row in sheet.iter_rows() for c in row if "_x0041_" not in str(c.value)]


def text_values(path: Path) -> list:
    return [[v for v in row if v not in (LOOKALIKE, "aAb")] for row in values(path)["待跟进"]]


def test_a_long_own_sheet_reads_as_if_openpyxl_had_drawn_every_row(tmp_path, monkeypatch):
    source = handmade.build(tmp_path / "team.xlsx", {"客户": handmade.sheet_xml(handmade.CUSTOMER_ROWS)})
    quick, drawn = tmp_path / "quick.xlsx", tmp_path / "drawn.xlsx"
    shutil.copy(source, quick)
    shutil.copy(source, drawn)
    assert plain_rows.split(long_sheet())[1] is not None  # the quick way is taken
    FileBook(quick).apply([long_sheet()])
    monkeypatch.setattr(plain_rows, "LONG", 10 ** 9)  # every row through openpyxl, as before
    FileBook(drawn).apply([long_sheet()])
    assert look(quick) == look(drawn)
    with zipfile.ZipFile(quick) as package:  # each row once: Excel repairs a sheet with a row written twice
        numbers = re.findall(rb'<row r="(\d+)"', package.read("xl/worksheets/sheet2.xml"))
    assert len(numbers) == len(set(numbers)) == ROWS + 7  # with the section, headers and empty rows
    assert text_values(quick) == text_values(drawn)
    assert values(quick)["待跟进"][14][4] == LOOKALIKE  # as typed (escaped as Excel reads it), not "aAb"
    shown = openpyxl.load_workbook(quick)["待跟进"]  # row 4 + i holds the i-th value row (first section)
    assert shown["B20"].number_format == "yyyy-mm-dd" and shown["C18"].value is None  # NaN: an empty cell
    assert shown["C18"].number_format == "0"  # formatted like its column all the same
    assert shown["E16"].value == "=不是公式" and shown["E16"].data_type == "s"  # customer text stays text
    assert shown["E13"].value == "=1+1"
    assert shown["C18"].alignment.horizontal == "right" and shown["E18"].alignment.wrap_text  # empty or not
    assert shown["G18"].alignment.horizontal == "center" and shown["G18"].number_format == "General"

def test_a_short_own_sheet_is_drawn_by_openpyxl_alone():
    edit = PutSheet("概览", [["a", 1]] * (plain_rows.LONG - 1))
    assert plain_rows.split(edit) == (edit, None)


def test_a_long_sheet_read_whole_is_not_kept_but_reads_the_same_again(tmp_path):
    """A long sheet's rows are not kept for the run once read (a million orders would stay in memory beside the
    table made of them): its head is served from what is kept, and reading it whole again gives the same rows."""
    path = tmp_path / "long.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "订单"
    sheet.append(["订单号", "日期", "金额"])
    for i in range(2_500):
        sheet.append([f"D{i:05d}", dt.datetime(2026, 1, 1) + dt.timedelta(days=i % 300), i * 1.5 if i % 9 else None])
    book.save(path)
    reader = FileBook(path)
    whole = reader.read_sheet("订单")
    assert len(whole) == 2_501 and whole[2_500] == ["D02499", dt.date(2026, 1, 1) + dt.timedelta(days=2499 % 300),
                                                    2499 * 1.5]
    assert reader.read_sheet("订单", 30) == whole[:30]
    again = reader.read_sheet("订单")
    assert again == whole and again is not whole
