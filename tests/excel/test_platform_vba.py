"""What the built VBA does on each platform, read with VBA's conditional compilation (#If Mac / VBA7): on
Windows every message box of xlcrm's is Windows' Unicode MessageBoxW (VBA's MsgBox turns Chinese into "???"
where the ANSI code page lacks it), every popup of xlwings' goes to xlcrm's CrmPythonFailed, and on a Mac
the Python's path reaches the shell of xlwings' AppleScript as one word, spaces and all."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.workbooks import vba_modules
from xlcrm.workbook import build as builder
from xlcrm.workbook import install as installer

MACROS = Path(builder.__file__).parents[1] / "macros"
WINDOWS, WINDOWS_VBA6, MAC = {"Mac": False, "VBA7": True}, {"Mac": False, "VBA7": False}, {"Mac": True, "VBA7": True}
# VBA's MsgBox flags and answers are the numbers of Windows' MB_* flags and ID* answers (winuser.h)
VB_IS_WIN32 = {"vbOKOnly": 0x0, "vbOKCancel": 0x1, "vbYesNo": 0x4, "vbCritical": 0x10, "vbQuestion": 0x20,
               "vbExclamation": 0x30, "vbInformation": 0x40, "vbOK": 1, "vbCancel": 2, "vbYes": 6, "vbNo": 7}
DECLARES = {  # joined from its continuation lines
    True: 'Private Declare PtrSafe Function MessageBoxW Lib "user32" (ByVal hWnd As LongPtr, ByVal lpText As '
          'LongPtr, ByVal lpCaption As LongPtr, ByVal uType As Long) As Long',
    False: 'Private Declare Function MessageBoxW Lib "user32" (ByVal hWnd As Long, ByVal lpText As Long, '
           'ByVal lpCaption As Long, ByVal uType As Long) As Long',
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, str]]:
    """The VBA modules of every built artefact (olevba reads them back)."""
    paths = builder.build(tmp_path_factory.mktemp("dist"), dt.date(2026, 11, 23), customers=10)
    return {p.name: {name: code.replace("\r\n", "\n") for name, code in vba_modules(p).items()} for p in paths}


def compiled(code: str, **constants: object) -> str:
    """The code VBA compiles with these compiler constants (#If/#ElseIf/#Else/#End If), lines joined at ' _'."""
    values = type("Constants", (dict,), {"__missing__": lambda self, key: 0})(constants)  # undefined: Empty
    kept, frames = [], []  # per open #If: [this branch compiles, a branch was taken]
    for line in re.sub(r" _\n\s*", " ", code.replace("\r\n", "\n")).split("\n"):
        directive = re.fullmatch(r"\s*#(If|ElseIf) (.+) Then\s*", line)
        stripped = line.strip()
        if directive:
            condition = re.sub(r"(?<![<>])=", "==", directive.group(2).replace("<>", "!="))
            value = bool(eval(re.sub(r"\b(Not|And|Or)\b", lambda m: m.group(1).lower(), condition), {}, values))
            if directive.group(1) == "If":
                frames.append([value, value])
            else:
                frames[-1] = [value and not frames[-1][1], value or frames[-1][1]]
        elif stripped == "#Else":
            frames[-1] = [not frames[-1][1], True]
        elif stripped == "#End If":
            frames.pop()
        elif all(frame[0] for frame in frames):
            kept.append(line)
    assert not frames, "the #If blocks do not balance"
    return "\n".join(kept)


def procedure(code: str, name: str) -> str:
    match = re.search(rf"^(?:Public |Private )?(?:Sub|Function) {name}\(.*?^End (?:Sub|Function)", code,
                      re.MULTILINE | re.DOTALL)
    assert match, name
    return match.group(0)


def calls(code: str, name: str) -> list[str]:
    """Every use of name in code, comments and the text of strings left out."""
    return [line.strip() for line in code.split("\n") if re.search(rf"\b{name}\b", builder._code(line))]


@pytest.mark.parametrize("artefact", ["xlcrm.xlam", "CRM-zh.xlsm"])
@pytest.mark.parametrize("vba7", [True, False], ids=["VBA7", "VBA6"])
def test_on_windows_xlcrms_message_boxes_are_unicode(built, artefact, vba7):
    ribbon = built[artefact]["xlcrm_ribbon"]
    windows = compiled(ribbon, Mac=False, VBA7=vba7, Win64=vba7)
    assert [line.strip() for line in windows.split("\n") if "Declare " in line] == [DECLARES[vba7]]
    helper = procedure(windows, "CrmMsgBox")
    assert "CrmMsgBox = MessageBoxW(owner, StrPtr(text), StrPtr(title), buttons)" in helper
    assert "owner = Application.Hwnd" in helper  # owned by Excel's window (0, task-modal, where there is none)
    assert not calls(windows, "MsgBox")


@pytest.mark.parametrize("artefact", ["xlcrm.xlam", "CRM-en.xlsm"])
def test_on_a_mac_the_message_boxes_stay_msgbox(built, artefact):
    mac = compiled(built[artefact]["xlcrm_ribbon"], **MAC)
    assert not calls(mac, "Declare") and not calls(mac, "MessageBoxW") and not calls(mac, "Hwnd")  # no user32
    assert calls(mac, "MsgBox") == ["CrmMsgBox = MsgBox(text, buttons, title)"]


def test_no_module_of_xlcrm_calls_msgbox_but_the_helper():
    for path in sorted(MACROS.glob("*.bas")):
        code = path.read_text(encoding="utf-8")
        assert code.isascii(), path.name  # VBA keeps source in the ANSI code page: Chinese only as \u escapes
        helper = procedure(code, "CrmMsgBox")
        outside = code.replace(helper, "")
        assert not calls(outside, "MsgBox"), path.name
        assert calls(helper, "MsgBox") == ["CrmMsgBox = MsgBox(text, buttons, title)"]
        for use in calls(outside, "CrmMsgBox"):  # the same flags and answers as MsgBox took and gave
            names = set(re.findall(r"\bvb\w+", use))
            assert names and names <= VB_IS_WIN32.keys(), use


@pytest.mark.parametrize("artefact", ["xlcrm.xlam", "CRM-zh.xlsm"])
def test_every_popup_of_xlwings_goes_to_crmpythonfailed(built, artefact):
    xlwings = built[artefact]["xlwings"]
    assert [c for c in calls(xlwings, "ShowError") if not c.startswith("Sub ShowError(")] == []
    assert "xlwings runpython install" not in xlwings
    ours = calls(xlwings, "CrmPythonFailed")
    assert sorted(ours) == sorted(builder.SHOW_ERROR_CALLS[c] for c in builder.SHOW_ERROR_CALLS
                                  for _ in range(2 if c == builder.XLWINGS_SHOWS_TRACEBACK else 1))
    # each call binds to the signature of CrmPythonFailed (positional first, then by name)
    signature = re.search(r"^Public Sub CrmPythonFailed\((.*?)\)$", compiled(built[artefact]["xlcrm_ribbon"]),
                          re.MULTILINE)
    assert signature
    parameters = [re.search(r"(\w+) As \w+", p).group(1) for p in signature.group(1).split(",")]
    for call in ours:
        arguments = [a.strip() for a in re.search(r"\((.*)\)", call).group(1).split(",")]
        named = [a.split(":=")[0] for a in arguments if ":=" in a]
        assert len(arguments) <= len(parameters) and set(named) <= set(parameters[len(arguments) - len(named):])
    # on a Mac: the shell's own errors (Python never started) and a script Excel cannot run, in xlcrm's words
    execute_mac = compiled(procedure(xlwings, "ExecuteMac"), **MAC)
    assert "Call CrmPythonFailed(LOG_FILE, Started:=False)" in execute_mac
    assert 'Call CrmNoRunScript("xlwings-" & XLWINGS_VERSION & ".applescript")' in execute_mac
    assert builder.OUR_MAC_PYTHON in execute_mac and builder.XLWINGS_MAC_PYTHON + "\n" not in execute_mac
    assert "\nPublic Sub CrmNoRunScript(ByVal script As String)" in built[artefact]["xlcrm_ribbon"]


@pytest.mark.parametrize("change", [
    ("ShowError (LOG_FILE)", "ShowError(LOG_FILE)"),  # a call written a new way
    ('ShowError "", errorMsg', "ShowError errorMsg"),
    ("ShowError (LOG_FILE)", "Call ShowError(LOG_FILE)"),  # a call form it expects missing, even when routed
    (builder.XLWINGS_NO_SCRIPT, "MsgBox \"xlwings runpython install\""),
    (builder.XLWINGS_MAC_PYTHON, 'ParameterString = ParameterString & "|" & PythonInterpreter'),
])
def test_the_build_fails_loudly_when_xlwings_vba_changes_what_it_routes(monkeypatch, change):
    original = builder._xlwings_file
    monkeypatch.setattr(builder, "_xlwings_file", lambda *parts: original(*parts).replace(*change))
    with pytest.raises(RuntimeError, match="adapt workbook/build.py"):
        builder.xlwings_module(addin=True)


def applescript_shell_command(parameters: str) -> str:
    """The ShellCommand xlwings' installed AppleScript builds from the ParameterString VBA hands it."""
    script = (installer._xlwings_dir() / installer._applescript()).read_text(encoding="utf-8")
    names = re.search(r"set \{(.*?)\} to SplitString\(ParameterString, \"\|\"\)", script).group(1).split(", ")
    values = dict(zip(names, parameters.split("|"), strict=True))
    expression = re.search(r"set ShellCommand to (.*?)\n\ttry", script.replace("¬\n", ""), re.DOTALL).group(1)
    parts = re.findall(r'"((?:\\.|[^"\\])*)"|(\w+)', expression)
    assert re.sub(r'"(?:\\.|[^"\\])*"|\w+|[\s&]', "", expression) == "", expression  # only literals, names, &
    return "".join(re.sub(r"\\(.)", r"\1", literal) if literal else values[name] for literal, name in parts)


def _top_level(text: str, separators: str) -> list[str]:
    """text split at the separators that are outside string literals and parentheses."""
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        quoted ^= char == '"'
        depth += (char == "(") - (char == ")") if not quoted else 0
        if char in separators and not quoted and depth == 0:
            parts, current = parts + [current.strip()], ""
        else:
            current += char
    return parts + [current.strip()]


def vba_string(expression: str, variables: dict[str, str]) -> str:
    """The value of a VBA string expression: literals, variables and Replace(...), joined by + or &."""
    terms = _top_level(expression, "+&")
    if len(terms) > 1:
        return "".join(vba_string(term, variables) for term in terms)
    if expression.startswith('"'):
        assert re.fullmatch(r'"(?:[^"]|"")*"', expression), expression
        return expression[1:-1].replace('""', '"')
    replace = re.fullmatch(r"Replace\((.*)\)", expression)
    if replace:
        text, old, new = (vba_string(a, variables) for a in _top_level(replace.group(1), ","))
        return text.replace(old, new)
    return variables[expression]


def passed_on_by_execute_mac(interpreter: str) -> str:
    """What the built ExecuteMac puts into ParameterString for the Python xlcrm.conf names (a POSIX path)."""
    line = next(line for line in builder.xlwings_module(addin=True).source.splitlines()
                if "PythonInterpreter" in line and line.strip().startswith("ParameterString = "))
    expression = line.split('ParameterString = ParameterString + "|" + ', 1)[1]
    return vba_string(expression, {"PythonInterpreter": interpreter})


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell, as `do shell script` runs on a Mac")
@pytest.mark.parametrize("folder", ["My CRM", "Bob's CRM $HOME"])
def test_on_a_mac_a_python_in_a_folder_with_spaces_starts(tmp_path, folder):
    python = tmp_path / folder / "bin" / "python"  # a stand-in interpreter: this Python under that path
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    marker, log = tmp_path / "ran.txt", tmp_path / "xlwings.log"

    def start(interpreter: str) -> None:  # ExecuteMac's ParameterString, then the script's `do shell script`
        command = f"import pathlib; pathlib.Path(r'{marker}').write_text('ran')"
        parameters = "|".join([f"false;{tmp_path / 'CRM.xlsx'};{tmp_path / 'xlcrm.xlam'};;;;" + ";", interpreter,
                               command, "CRM.xlsx", "/Applications/Microsoft Excel.app", str(log)])
        subprocess.run(["/bin/sh", "-c", applescript_shell_command(parameters)], check=True, cwd=tmp_path)
        for _ in range(200):  # the command runs in the background (`&`), as on the Mac
            if marker.exists() or (log.exists() and log.read_text()):
                return
            time.sleep(0.05)

    if " " in folder and "'" not in folder:
        start(str(python))  # as xlwings' own VBA passes it, for contrast: the shell splits the path at the space
        assert not marker.exists() and f"{tmp_path}/My" in log.read_text()  # "...My: not found"
        log.unlink()
    start(passed_on_by_execute_mac(str(python)))
    assert marker.read_text() == "ran", log.read_text() if log.exists() else "no log"
