"""The first click on a real PC, as far as it can be checked without Excel: each callback checks for a
workbook and a Python before RunPython, says so in the status bar before Python starts, and a failed
Python run shows xlcrm's sentence in the UI language instead of xlwings' traceback popup; the Python
side a button imports is only what that button needs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from xlcrm import ribbon
from xlcrm.workbook import build as builder

MACROS = Path(builder.__file__).parents[1] / "macros"
CODE = (MACROS / "xlcrm_ribbon.bas").read_text(encoding="utf-8")
HEAVY = ("pandas", "numpy", "openpyxl", "lxml", "matplotlib", "jinja2", "yagmail", "holidays", "python_calamine")


def procedure(name: str) -> list[str]:
    """The statements of a Sub or Function of the ribbon module, comments and blank lines left out."""
    match = re.search(rf"^(?:Public |Private )?(?:Sub|Function) {name}\(.*?$(.*?)^End (?:Sub|Function)", CODE,
                      re.MULTILINE | re.DOTALL)
    assert match, name
    lines = [uncommented(line).strip() for line in match.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("Dim ")]


def uncommented(line: str) -> str:
    """The line without its comment: from the first ' that is not inside a string."""
    inside = False
    for index, char in enumerate(line):
        inside ^= char == '"'
        if char == "'" and not inside:
            return line[:index]
    return line


def joined(code: str) -> str:
    """VBA's string continuations ("..." & _ newline "...") joined into one literal."""
    return re.sub(r'"\s*&\s*_\s*\n\s*"', "", code)


@pytest.mark.parametrize("callback", sorted(set(re.findall(r'onAction="(\w+)"', builder.ribbon_xml().decode()))))
def test_every_button_checks_for_a_workbook_and_a_python_before_anything_else(callback):
    first = procedure(callback)[0]
    assert first in ("If Not CrmReady() Then Exit Sub",) or first.startswith('CrmRun "'), (callback, first)
    run = procedure("CrmRun")
    assert run[0] == "If Not CrmReady() Then Exit Sub"


def test_the_checks_cover_no_workbook_protected_view_a_chart_sheet_and_no_python():
    ready = "\n".join(procedure("CrmReady"))
    for condition, said in [("CrmProtectedView()", "protected_view"), ("ActiveWorkbook Is Nothing", "no_workbook"),
                            ('TypeName(ActiveSheet) <> "Worksheet"', "not_a_worksheet"), ('python = ""', "no_python"),
                            ("CrmPythonGone(python)", "python_gone")]:
        assert condition in ready and f'CrmSaid("{said}")' in ready, said
    # Protected View first: there ActiveWorkbook is Nothing too, and the advice differs
    assert ready.index("CrmProtectedView()") < ready.index("ActiveWorkbook Is Nothing")
    # CrmPython runs only once there is a worksheet to run on
    assert ready.index('TypeName(ActiveSheet) <> "Worksheet"') < ready.index("CrmPython()")


def test_the_status_bar_speaks_before_python_starts():
    run = procedure("CrmRun")
    status = next(i for i, line in enumerate(run) if line.startswith("Application.StatusBar = CrmSaid"))
    assert status < next(i for i, line in enumerate(run) if line.startswith("RunPython "))


def test_what_vba_says_is_what_the_python_side_says_in_both_languages():
    code = joined(CODE)
    assert code.isascii()  # the VBA project stores source in the ANSI code page
    literals = {re.sub(r"\\u([0-9A-F]{4})", lambda m: chr(int(m.group(1), 16)), s)  # as U() decodes them
                for s in re.findall(r'"((?:[^"]|"")*)"', code)}
    for key, said in ribbon.PROMPTS.items():
        assert said.zh in literals, key
        assert said.en.replace('"', '""') in code, key
    for key in re.findall(r'CrmSaid\("(\w+)"\)', code):
        assert key in ribbon.PROMPTS and f'Case "{key}"' in code, key


def test_every_text_vba_says_is_one_the_python_side_holds():
    """Each CrmText(english, chinese) of the VBA is a prompt of xlcrm.ribbon.PROMPTS or a button's title: no text
    lives in the VBA alone, where the Python side's copy (and its tests) would not see it."""
    code = joined(CODE)
    said = r'"((?:[^"]|"")*)"'
    gap = r"\s*(?:_\s*\n\s*)?"  # a line continuation, or none
    pairs = re.findall(rf"\bCrmText\({gap}{said}\s*,{gap}{said}\s*\)", code)
    calls = len(re.findall(r"\bCrmText\(", code)) - len(re.findall(r"\bFunction CrmText\(", code))
    assert pairs and len(pairs) == calls  # every call read: none with an argument of another form
    held = {(m.en, m.zh) for m in ribbon.PROMPTS.values()}
    held |= {(ribbon.TITLE(button=b).text("en"), ribbon.TITLE(button=b).text("zh")) for b in ribbon.BUTTONS.values()}
    for english, chinese in pairs:
        decoded = re.sub(r"\\u([0-9A-F]{4})", lambda m: chr(int(m.group(1), 16)), chinese)  # as U() decodes it
        assert (english.replace('""', '"'), decoded.replace('""', '"')) in held, english


@pytest.fixture(scope="module", params=[True, False], ids=["xlcrm.xlam", "CRM workbook"])
def xlwings_vba(request) -> str:
    return builder.xlwings_module(addin=request.param).source


def test_a_failed_python_run_shows_our_sentence_not_xlwings_traceback_popup(xlwings_vba):
    assert builder.XLWINGS_SHOWS_TRACEBACK not in xlwings_vba
    assert xlwings_vba.count(builder.OUR_ERROR_MESSAGE) == 2  # Windows (exit code) and Mac (CleanUp)
    assert re.search(r"^Public Sub CrmPythonFailed\(LogFile As String[,)]", CODE, re.MULTILINE)
    failed = "\n".join(procedure("CrmPythonFailed"))
    assert "No module named 'xlcrm" in failed and 'CrmSaid("not_installed")' in failed
    assert 'CrmSaid("python_failed")' in failed and "FileCopy LogFile, kept" in failed  # the details are kept
    for function in ("GetConfig", "FileExists", "ReadFile"):  # xlwings' helpers the ribbon module calls
        assert re.search(rf"^(?:Public )?Function {function}\(", xlwings_vba, re.MULTILINE), function


def imported_by(*modules: str) -> set[str]:
    script = ("import importlib, sys\n"
              f"for name in {modules!r}: importlib.import_module(name)\n"
              f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_importing_the_ribbon_loads_no_data_library():
    assert imported_by("xlcrm.ribbon") == set()


def test_a_scores_click_loads_what_scoring_needs_and_not_the_mail_or_the_report():
    loaded = imported_by("xlcrm.ribbon", "xlcrm.book.live.excel", "xlcrm.book.live", "xlcrm.actions.refresh")
    assert "pandas" in loaded
    assert not loaded & {"openpyxl", "lxml", "matplotlib", "jinja2", "yagmail", "python_calamine"}


def test_the_acceptance_check_walks_through_every_button_and_every_message():
    walk = (Path(builder.__file__).parents[1] / "docs" / "excel-acceptance.md").read_text(encoding="utf-8")
    for button in ribbon.BUTTONS.values():
        assert f"{button.zh} / {button.en}" in walk, button.en
    for command in ("xlcrm install --dry-run", "xlcrm install", "xlcrm uninstall", "xlcrm build"):
        assert command in walk, command
    for situation in ("Protected View", "chart sheet", "Could not find Interpreter", "xlcrm-python.log",
                      "xlcrm: starting Python ..."):
        assert situation in walk, situation
