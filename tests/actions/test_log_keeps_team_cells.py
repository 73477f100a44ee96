"""`xlcrm log` never writes over what the team keeps in the last-contact cell: a formula stays a formula (the run
says so, naming the sheet and cell; the contact still goes into the contact log and counts), and a date format of
their own stays theirs."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from helpers.cli import run
from helpers.libreoffice import sheets_as_csv
from helpers.workbooks import sheet_rows

TODAY = dt.date(2026, 12, 3)
OWN_FORMAT = 'yyyy"年"m"月"d"日"'


def formula_book(path):
    """The last-contact column worked out by the team's formulas over their own call sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "负责人", "最近联系日期"])
    sheet.append(["甲公司", "张三", "=MAX(通话!B2:B3)"])
    sheet.append(["乙公司", "李四", "=DATE(2026,11,2)"])
    for row in (2, 3):
        sheet.cell(row, 3).number_format = "yyyy-mm-dd"
    calls = book.create_sheet("通话")
    calls.append(["客户", "日期"])
    calls.append(["甲公司", dt.date(2026, 11, 1)])
    calls.append(["甲公司", dt.date(2026, 11, 5)])
    book.save(path)
    return path


def styled_book(path):
    """Last-contact dates in the team's own format, filled and bold."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "负责人", "最近联系日期"])
    sheet.append(["甲公司", "张三", dt.date(2026, 11, 1)])
    sheet.append(["乙公司", "李四", dt.date(2026, 11, 2)])
    for row in (2, 3):
        cell = sheet.cell(row, 3)
        cell.number_format, cell.fill = OWN_FORMAT, PatternFill("solid", fgColor="FFFF00")
        cell.font = Font(b=True, color="FF0000")
    book.save(path)
    return path


@pytest.mark.parametrize("lang, said", [("zh", ["“客户”", "C2", "公式", "跟进记录"]),
                                        ("en", ["'客户'", "C2", "formula", "'跟进记录'"])])
def test_logging_over_a_formula_keeps_it_records_the_contact_and_says_so(tmp_path, lang, said):
    path = formula_book(tmp_path / "team.xlsx")
    result = run("log", path, "--customer", "甲公司", "--today", TODAY.isoformat(), lang=lang)
    assert result.exit_code == 0, result.output
    note = next(line for line in result.output.splitlines() if "C2" in line)
    assert all(word in note for word in said), note
    sheet = openpyxl.load_workbook(path)["客户"]
    assert sheet["C2"].value == "=MAX(通话!B2:B3)" and sheet["C3"].value == "=DATE(2026,11,2)"
    log = sheet_rows(path, "跟进记录")
    assert log[1][:2] == [dt.datetime.combine(TODAY, dt.time()), "甲公司"]
    shown = sheets_as_csv(path, tmp_path / "csv")["客户"]  # LibreOffice calculates the team's formula as before
    assert shown[1][2] == "2026-11-05" and shown[2][2] == "2026-11-02"


def test_logging_over_a_plain_date_says_nothing_of_formulas(tmp_path):
    path = styled_book(tmp_path / "team.xlsx")
    result = run("log", path, "--customer", "乙公司", "--today", TODAY.isoformat(), lang="en")
    assert result.exit_code == 0, result.output
    assert "formula" not in result.output
    assert openpyxl.load_workbook(path)["客户"]["C3"].value.date() == TODAY


def test_logging_keeps_the_teams_date_format_fill_and_font(tmp_path):
    path = styled_book(tmp_path / "team.xlsx")
    assert run("log", path, "--customer", "乙公司", "--today", TODAY.isoformat()).exit_code == 0
    cell = openpyxl.load_workbook(path)["客户"]["C3"]
    assert cell.value.date() == TODAY and cell.number_format == OWN_FORMAT
    assert cell.fill.fgColor.rgb.endswith("FFFF00") and cell.font.b and cell.font.color.rgb.endswith("FF0000")
