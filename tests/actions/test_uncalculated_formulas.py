"""Formulas that were never calculated: a workbook written by a program (openpyxl writing '=A2&" "&B2') and never
opened in Excel holds the formulas but no values, so the cells read as empty. Where that leaves a needed cell
empty (the customer's name), the data problem says so, names the sheet, column and rows, shows the formula, and
says to open and save the workbook in Excel or LibreOffice; after that, the same run reads every customer.
The sheet is read again for this only when a name is missing, once per column."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from helpers.cli import run
from helpers.libreoffice import resave_all
from helpers.workbooks import values
from xlcrm.book.file import bounds

TODAY = "2026-03-10"
HEADERS = {"en": ["Brand", "Legal form", "Customer", "Contact", "Owner", "Last order", "Order count", "Total amount"],
           "zh": ["品牌", "后缀", "客户名称", "联系人", "负责人", "最近下单日期", "订单数", "累计成交金额"]}
SHEET = {"en": "Customers", "zh": "客户"}
COMPANIES = ["Acme", "Beta", "Chen", "Delta", "Echo"]


def scripted_book(path: Path, lang: str = "en", formulas: bool = True) -> Path:
    """What a script makes with openpyxl: the customer's name a formula joining two columns, never calculated."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET[lang]
    sheet.append(HEADERS[lang])
    for row, brand in enumerate(COMPANIES, start=2):
        name = f'=A{row}&" "&B{row}' if formulas else f"{brand} Ltd"
        sheet.append([brand, "Ltd", name, "Li", "Sam", f"2026-02-{row:02d}", 2, 1000 * row])
    book.save(path)
    return path


def rewrite_sheet(path: Path, change) -> None:
    """Change the first sheet's XML as another program would have written it."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    part = "xl/worksheets/sheet1.xml"
    parts[part] = change(parts[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def problems(path: Path) -> list[list]:
    rows = values(path)["Data problems" if "Data problems" in values(path) else "数据问题"]
    return [row[:5] for row in rows[1:] if row[1]]


def test_a_never_calculated_customer_name_says_to_open_and_save_the_workbook(tmp_path):
    path = scripted_book(tmp_path / "scripted.xlsx")
    result = run("refresh", path, "--today", TODAY, lang="en")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "formula" in line)
    assert "Customers (C Customer)" in line and "rows: 2, 3, 4, 5, 6" in line
    assert "never calculated" in line and "open the workbook in Excel or LibreOffice and save it" in line
    assert "no customer name" not in result.output
    listed = problems(path)
    assert [(sheet, row, column, value) for sheet, row, column, value, _ in listed] == [
        ("Customers", float(row), "C Customer", f'=A{row}&" "&B{row}') for row in range(2, 7)]
    cell = openpyxl.load_workbook(path)["Data problems"]["D2"]
    assert cell.data_type == "s", "the formula is shown as text, not run"


def test_the_message_is_in_the_workbooks_language(tmp_path):
    path = scripted_book(tmp_path / "脚本.xlsx", "zh")
    result = run("refresh", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "公式" in line)
    assert "客户(C 客户名称)" in line and "从未计算" in line and "Excel 或 LibreOffice 打开" in line


@pytest.mark.slow
def test_after_libreoffice_opens_and_saves_it_every_customer_is_read(tmp_path):
    scripted = scripted_book(tmp_path / "scripted.xlsx")
    saved = resave_all([scripted], tmp_path / "saved")[scripted]
    result = run("refresh", saved, "--today", TODAY, lang="en")
    assert result.exit_code == 0, result.output
    assert "Scored 5 customers" in result.output and "Data problems: 0" in result.output
    assert [row[2] for row in values(saved)["Customers"][1:]] == [f"{brand} Ltd" for brand in COMPANIES]


def test_a_formula_calculated_to_empty_text_is_a_missing_name_and_a_shared_formula_is_found_too(tmp_path):
    path = scripted_book(tmp_path / "scripted.xlsx")

    def change(xml: str) -> str:
        # row 3: Excel's own empty result of =IF(...,"") (t="str", an empty value); row 4: a shared formula's later
        # cell, no formula text of its own and no value; rows 2, 5, 6 stay openpyxl's
        xml = re.sub(r'<c r="C3"[^>]*>.*?</c>', '<c r="C3" t="str"><f>IF(A3="","",A3)</f><v></v></c>', xml)
        return re.sub(r'<c r="C4"[^>]*>.*?</c>', '<c r="C4"><f t="shared" si="0"/></c>', xml)

    rewrite_sheet(path, change)
    result = run("refresh", path, "--today", TODAY, lang="en")
    assert result.exit_code == 0, result.output
    by_row = {int(row): (value, why) for _, row, _, value, why in problems(path)}
    assert by_row[3] == ("", "row has data but no customer name")
    assert by_row[4][0] == "" and "never calculated" in by_row[4][1]
    assert by_row[2][0] == '=A2&" "&B2' and "never calculated" in by_row[2][1]


def test_the_sheet_is_read_again_only_when_a_name_is_missing_and_once(tmp_path, monkeypatch):
    asked = []
    real = bounds.uncalculated
    monkeypatch.setattr(bounds, "uncalculated", lambda *args: asked.append(args[1:]) or real(*args))

    typed = scripted_book(tmp_path / "typed.xlsx", formulas=False)  # names typed, totals as formulas
    book = openpyxl.load_workbook(typed)
    book.active["J1"], book.active["J2"] = "Sum", "=SUM(H2:H6)"
    book.save(typed)
    assert run("refresh", typed, "--today", TODAY, lang="en").exit_code == 0
    assert asked == [], "no name is missing: the sheet is read once, as before"

    nameless = scripted_book(tmp_path / "nameless.xlsx", formulas=False)
    book = openpyxl.load_workbook(nameless)
    book.active["C4"] = None
    book.save(nameless)
    result = run("refresh", nameless, "--today", TODAY, lang="en")
    assert "Customers!C4 (C Customer): row has data but no customer name" in result.output
    assert [column for _, column in asked] == [2], "the customer column, once"

    asked.clear()
    assert run("refresh", scripted_book(tmp_path / "scripted.xlsx"), "--today", TODAY, lang="en").exit_code == 0
    assert [column for _, column in asked] == [2]


def test_formula_cells_without_a_value_are_found_however_the_xml_spells_them(tmp_path):
    """As other programs write sheets: a namespace prefix, a shared formula, spaces, Excel's calculated empty text;
    only the asked column's cells with a formula and no value are named."""
    cells = ['<x:c r="C2"><x:f>A2&amp;"-"&amp;B2</x:f></x:c>',  # no value at all
             '<x:c r="C3" s="4"><x:f t="shared" ref="C3:C5" si="0">A3</x:f><x:v/></x:c>',
             '<x:c r="C4"><x:f t="shared" si="0"/></x:c>',
             '<x:c r="C5" t="str"><x:f t="shared" si="0"/><x:v></x:v></x:c>',  # calculated: empty text
             '<x:c r="C6"><x:f>A6</x:f><x:v>Acme</x:v></x:c>',  # calculated
             '<x:c r="D7"><x:f>A7</x:f></x:c>', '<x:c r="C8" t="s"><x:v>3</x:v></x:c>']
    rows = "".join(f'<x:row r="{n}">{cell}</x:row>' for n, cell in enumerate(cells, start=2))
    xml = (f'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>{rows}'
           '</x:sheetData></x:worksheet>')
    path = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    assert bounds.uncalculated(path, "xl/worksheets/sheet1.xml", 2) == {2: '=A2&"-"&B2', 3: "=A3", 4: None}
    assert bounds.uncalculated(path, "xl/worksheets/sheet1.xml", 3) == {7: "=A7"}
    assert bounds.uncalculated(path, "xl/worksheets/missing.xml", 2) == {}
