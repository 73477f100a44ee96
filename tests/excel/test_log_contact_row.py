"""Log contact logs the row the user was asked about: the VBA passes that row and its sheet with the two answers,
and Python logs it whatever is selected when it starts (on a Mac, seconds later: the user may have clicked the
next customer meanwhile). Here the VBA's own RunPython command, evaluated from the .bas source, is run against
a workbook open in 'Excel' (xlwings' remote Book) whose selection has moved on."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
import xlwings as xw

from helpers.remote import remote_book, replay
from helpers.tracking import tracking_book
from helpers.workbooks import sheet_rows
from test_platform_vba import WINDOWS, compiled, procedure
from test_vba_guards import BUILTINS, python_expression
from xlcrm import ribbon
from xlcrm.workbook import build as builder

CODE = compiled((Path(builder.__file__).parents[1] / "macros" / "xlcrm_ribbon.bas").read_text(encoding="utf-8"),
                **WINDOWS)
NAME = "上海恒信电子有限公司"
TODAY = dt.datetime.combine(dt.date.today(), dt.time())


@pytest.fixture
def namesakes(tmp_path, monkeypatch):
    """Rows 4 and 5: two customers of one name, told apart by their phones, and a notes sheet; saved in tmp_path."""
    from xlcrm import bootstrap
    from xlcrm.book.live import LiveBook

    monkeypatch.setattr(ribbon, "LOG_FILE", tmp_path / "logs" / "xlcrm.log")
    rows = [["杭州恒信机械有限公司", "王伟", "13800000001", "张磊", dt.datetime(2026, 10, 1)],
            [NAME, "李芳", "13800000002", "李娜", dt.datetime(2026, 11, 1)],
            [NAME, "李四", "13900000000", "王芳", dt.datetime(2026, 9, 1)]]
    path = tracking_book(tmp_path / "team.xlsx", rows, ["客户名称", "联系人", "手机", "负责人", "最近联系日期"],
                         extra_sheets={"备忘": [["本周重点客户"], [NAME]]})
    monkeypatch.setattr(bootstrap, "live_book", lambda xw_book: LiveBook(xw_book, folder=path.parent))
    yield path
    logger = logging.getLogger("xlcrm.ribbon")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def code_units(text: str) -> str:
    """What the VBA's CodeUnits gives: the text's UTF-16 code units as a Python list."""
    raw = text.encode("utf-16-le")
    return "[" + ",".join(str(raw[i] | raw[i + 1] << 8) for i in range(0, len(raw), 2)) + "]"


def statements(name: str) -> list[str]:
    joined = re.sub(r" _\n\s*", " ", procedure(CODE, name))
    lines = [line.split(" '", 1)[0].strip() for line in joined.split("\n")[1:-1]]
    return [line for line in lines if line and not line.startswith("'")]


def python_command(entry_statement: str, **answers: object) -> str:
    """The command RunPython gets: CrmLogContact's CrmRun argument with these values, as CrmRun completes it."""
    values = {**BUILTINS, "CodeUnits": code_units, **answers}
    entry = eval(python_expression(entry_statement.removeprefix("CrmRun ")), {}, {"_": values})
    run_python = next(line for line in statements("CrmRun") if line.startswith("RunPython "))
    assert next(line for line in statements("CrmRun") if line.startswith("If Right$(entry, 2)")) == \
        'If Right$(entry, 2) <> ", " Then entry = entry & "("'
    return eval(python_expression(run_python.removeprefix("RunPython ")), {},
                {"_": {**values, "entry": entry, "CrmLang": lambda: "zh"}})


def clicked_with(path: Path, command: str, selection: str, active: int = 0):
    """command run as Python runs it for a click in the workbook at path, whose selection is now `selection`."""
    book = remote_book(path, selection, active)
    book.set_mock_caller()
    try:
        exec(command, {})
    finally:
        del xw.Book._mock_caller
    return replay(book, path)


def test_the_vba_asks_about_one_row_and_passes_that_row_and_its_sheet():
    steps = statements("CrmLogContact")
    first_question = min(i for i, line in enumerate(steps) if "Application.InputBox" in line)
    assert steps.index("sheet = Selection.Worksheet.Name") < first_question
    assert steps.index("row = Selection.Row") < first_question
    assert [line for line in steps if re.match(r"(row|sheet) =", line)] == ["sheet = Selection.Worksheet.Name",
                                                                           "row = Selection.Row"]
    assert '"{row}", CStr(row)), title' in steps[first_question]  # the question names that row
    assert steps[-1] == ('CrmRun "log_contact(" & CodeUnits(CStr(channel)) & ", " & CodeUnits(CStr(note)) & ", " & '
                         'CodeUnits(sheet) & ", " & CStr(row) & ", "')
    assert steps[-2] == "If Not ActiveWorkbook Is book Then book.Activate"  # the book asked about runs Python
    assert steps.index("Set book = ActiveWorkbook") < first_question


def test_the_row_asked_about_is_logged_when_the_selection_has_moved_to_the_next_customer(namesakes):
    asked = statements("CrmLogContact")[-1]
    command = python_command(asked, channel="电话", note="回访 'x'); import os #", sheet="客户跟踪表", row=5)
    assert command.startswith("import xlcrm.ribbon; xlcrm.ribbon.log_contact([") and command.endswith(", 5, 'zh')")
    excel = clicked_with(namesakes, command, selection="C4")  # the user has clicked row 4 meanwhile
    (prompt, _, _, mode, _), = excel.alerts
    assert mode == "info" and f"{NAME} (13900000000)(第 5 行)" in prompt
    log = sheet_rows(namesakes, "跟进记录")
    assert log[1][1] == f"{NAME} (13900000000)" and log[1][6] == "回访 'x'); import os #"
    customers = sheet_rows(namesakes, "客户跟踪表")
    assert customers[4][4] == TODAY and customers[3][4] == dt.datetime(2026, 11, 1)  # row 5 moved on, row 4 not


def test_the_row_asked_about_is_logged_when_another_sheet_is_selected_by_then(namesakes):
    command = python_command(statements("CrmLogContact")[-1], channel="拜访", note="", sheet="客户跟踪表", row=4)
    excel = clicked_with(namesakes, command, selection="A2", active=1)  # the notes sheet, by now
    (prompt, _, _, mode, _), = excel.alerts
    assert mode == "info" and f"{NAME} (13800000002)(第 4 行)" in prompt
    assert sheet_rows(namesakes, "客户跟踪表")[3][4] == TODAY


def test_with_no_cells_selected_python_says_where_to_select(namesakes):
    nothing = next(line for line in statements("CrmLogContact") if line.startswith('CrmRun "log_contact([]'))
    excel = clicked_with(namesakes, python_command(nothing), selection="C4")
    (prompt, _, _, mode, _), = excel.alerts
    assert mode == "critical" and "请先在工作表“客户跟踪表”中选中一个客户所在的行" in prompt
    assert len(sheet_rows(namesakes, "客户跟踪表")) == 5 and sheet_rows(namesakes, "客户跟踪表")[4][4] == \
        dt.datetime(2026, 9, 1)  # nothing logged
