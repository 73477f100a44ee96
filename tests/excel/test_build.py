"""`xlcrm build` on Linux: the add-in and the CRM workbook as Excel will find them, checked with
independent readers (olevba for the VBA project, LibreOffice for the workbook, zipfile/XML)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from helpers.cli import run
from helpers.libreoffice import convert
from helpers.workbooks import values, vba_modules
from xlcrm import ribbon
from xlcrm.core.sheets import sheet_name
from xlcrm.workbook import build as builder

TODAY = dt.date(2026, 11, 23)
UI = "{http://schemas.microsoft.com/office/2009/07/customui}"
MAIN_TYPES = {".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
              ".xlam": "application/vnd.ms-excel.addin.macroEnabled.main+xml"}
MACROS = Path(builder.__file__).parents[1] / "macros"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    paths = builder.build(tmp_path_factory.mktemp("dist"), TODAY, customers=30)
    return {p.name: p for p in paths}


@pytest.fixture(scope="module", params=["xlcrm.xlam", "CRM-zh.xlsm", "CRM-en.xlsm"])
def artefact(request, built) -> Path:
    return built[request.param]


def body(source: str) -> list[str]:
    """A module's code without the class preamble and attribute lines (the VBA editor's metadata)."""
    lines = source.replace("\r\n", "\n").split("\n")
    if lines[0].startswith("VERSION"):
        lines = lines[lines.index("END") + 1:]
    return [line for line in lines if not line.startswith("Attribute VB_")]


def ribbon_of(path: Path) -> ElementTree.Element:
    with zipfile.ZipFile(path) as package:
        return ElementTree.fromstring(package.read(builder.RIBBON_PART))


def test_the_ribbon_part_is_registered_and_the_content_types_are_macro_enabled(artefact):
    with zipfile.ZipFile(artefact) as package:
        rels = package.read("_rels/.rels").decode()
        types = package.read("[Content_Types].xml").decode()
        assert package.testzip() is None
        assert builder.RIBBON_PART in package.namelist() and "xl/vbaProject.bin" in package.namelist()
    assert f'Type="{builder.RIBBON_TYPE}" Target="{builder.RIBBON_PART}"' in rels
    assert f'PartName="/xl/workbook.xml" ContentType="{MAIN_TYPES[artefact.suffix]}"' in types
    assert 'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    assert 'Extension="xml" ContentType="application/xml"' in types  # the ribbon part's type
    assert ribbon_of(artefact).find(f"{UI}ribbon/{UI}tabs/{UI}tab").get("label") == "CRM"


def test_olevba_reads_every_module_back_unchanged(artefact):
    found = vba_modules(artefact)
    for module in builder.modules(addin=artefact.suffix == ".xlam"):
        assert module.name in found, module.name
        assert body(found[module.name]) == body(module.source), module.name
    ours = (MACROS / "xlcrm_ribbon.bas").read_text(encoding="utf-8")
    assert body(found["xlcrm_ribbon"]) == body(ours)
    assert 'PROJECT_NAME As String = "xlcrm"' in found["xlwings"]
    assert ("Set wb = ActiveWorkbook" in found["xlwings"]) == (artefact.suffix == ".xlam")  # add-in: any workbook


def _arguments(code: str, start: int) -> list[str]:
    """The arguments of the call whose opening parenthesis is at code[start], split at top-level commas."""
    depth, quoted, current, found = 0, False, "", []
    for char in code[start:]:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
            if depth == 1:
                continue
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                return [a for a in found + [current.strip()] if a]
        elif not quoted and char == "," and depth == 1:
            found.append(current.strip())
            current = ""
            continue
        current += char
    raise AssertionError(f"unbalanced call at {code[start - 10:start + 40]!r}")


def _condition(text: str, source: str) -> bool | None:
    """A block If's condition: on `source` evaluated, any other unknown (None: both ways)."""
    if "source" not in text:
        return None
    terms = [re.fullmatch(r'source = "(\w*)"', term.strip()) for term in text.split(" Or ")]
    assert all(terms), f"GetConfig checks its source in a new way: {text!r}; adapt this test"
    return any(term.group(1) == source for term in terms if term)


def getconfig_lines(xlwings_module: str, source: str) -> list[str]:
    """The lines of GetConfig that run on Windows Excel for a call with that source (the #If App branch of
    Excel, the Windows branch of #If Mac; a condition on anything but the source may go either way)."""
    body = re.search(r"^Function GetConfig\(.*?^End Function", xlwings_module.replace("\r\n", "\n"),
                     re.MULTILINE | re.DOTALL)
    assert body, "xlwings' module has no GetConfig"
    compiled, blocks, reached = [True], [], []
    for line in body.group(0).split("\n")[1:]:
        code = line.split("'")[0].strip()  # no quote mark in GetConfig's strings
        directive = re.fullmatch(r"#If (.*) Then", code)
        if directive:
            assert directive.group(1) in ('App = "Microsoft Excel"', "Mac"), code
            compiled.append(directive.group(1) != "Mac")
            continue
        if code in ("#Else", "#End If"):
            compiled[-1:] = [not compiled[-1]] if code == "#Else" else []
            continue
        if not all(compiled) or not code:
            continue
        assert not code.startswith(("ElseIf", "Else", "Select")), f"adapt this test to {code!r}"
        if code == "End If":
            blocks.pop()
            continue
        if False not in blocks:
            reached.append(code)  # a block If's condition runs too
        opened = re.fullmatch(r"If (.*) Then", code)
        if opened:
            blocks.append(_condition(opened.group(1), source))
    assert not blocks and compiled == [True], "GetConfig's Ifs do not balance"
    return reached


def test_the_addins_settings_come_only_from_the_users_config_file(artefact):
    """A workbook received from outside can carry an xlcrm.conf sheet, or come with an xlcrm.conf file beside it
    (a download folder, an unpacked mail attachment): GetConfig must not read either, or that workbook names the
    Python (and sys.path) the trusted add-in runs on a click."""
    modules = {name: code.replace("\r\n", "\n") for name, code in vba_modules(artefact).items()}
    default = re.search(r'^Function GetConfig\(.*Optional source As String = "(\w*)"\) As Variant$',
                        modules["xlwings"], re.MULTILINE)
    assert default, "GetConfig's signature changed"
    for name, code in modules.items():  # every call takes the default source
        for call in re.finditer(r"(?<![\w.])GetConfig\(", code):
            if not code[:call.start()].endswith("Function "):
                assert len(_arguments(code, call.end() - 1)) <= 2, (name, code[call.start():call.start() + 80])
    reads = getconfig_lines(modules["xlwings"], default.group(1))
    sheet, directory, user = ("GetConfigFromSheet(", "GetDirectoryConfigFilePath(", "GetConfigFilePath(")
    assert not [line for line in reads if sheet in line or directory in line], reads
    assert [line for line in reads if "GetConfigFromFile(GetConfigFilePath()" in line], reads
    everything = getconfig_lines(modules["xlwings"], "")  # xlwings' own default: sheet, folder, then the user's
    assert [s for s in (sheet, directory, user) if any(s in line for line in everything)] == [sheet, directory, user]


@pytest.mark.parametrize("changed", [builder.GETCONFIG_ANY_SOURCE, builder.GETCONFIG_SOURCES[0]])
def test_the_build_fails_when_xlwings_getconfig_is_no_longer_what_it_patches(monkeypatch, changed):
    original = builder._xlwings_file
    monkeypatch.setattr(builder, "_xlwings_file", lambda *parts: original(*parts).replace(changed, "' gone"))
    with pytest.raises(RuntimeError, match="adapt workbook/build.py"):
        builder.xlwings_module(addin=True)


def test_every_callback_exists_and_every_runpython_target_is_callable(artefact):
    code = vba_modules(artefact)["xlcrm_ribbon"]
    subs = dict(re.findall(r"^Public Sub (\w+)\(([^)]*)\)", code, re.MULTILINE))
    tree = ribbon_of(artefact)
    actions = {e.get("onAction") for e in tree.iter() if e.get("onAction")}
    visibles = {e.get("getVisible") for e in tree.iter() if e.get("getVisible")}
    assert actions and visibles
    for name in actions:
        assert subs.get(name) == "control As IRibbonControl", name
    for name in visibles:
        assert subs.get(name) == "control As IRibbonControl, ByRef visible", name
    targets = set(re.findall(r'CrmRun "(\w+)', code))
    assert targets == set(ribbon.BUTTONS)
    assert 'RunPython "import xlcrm.ribbon; xlcrm.ribbon." & entry' in code
    for target in targets:
        assert callable(getattr(ribbon, target)), target


def test_each_button_is_there_in_both_languages_with_an_icon():
    tree = ElementTree.fromstring(builder.ribbon_xml())
    buttons = {b.get("id"): b for b in tree.iter(f"{UI}button")}
    labels = {b.get("onAction"): set() for b in buttons.values()}
    for identifier, button in buttons.items():
        twin = buttons[identifier[:-2] + ("En" if identifier.endswith("Zh") else "Zh")]
        assert (twin.get("onAction"), twin.get("imageMso")) == (button.get("onAction"), button.get("imageMso"))
        assert button.get("imageMso") and button.get("supertip")
        labels[button.get("onAction")].add(button.get("label"))
    expected = {f"Crm{''.join(w.title() for w in name.split('_'))}": {m.en, m.zh}
                for name, m in ribbon.BUTTONS.items()}
    assert labels == expected
    for group in tree.iter(f"{UI}group"):
        assert group.get("getVisible") == "CrmShowGroup" and group.get("id")[-2:] in ("Zh", "En")


def test_the_same_sources_and_day_give_the_same_bytes(built, tmp_path):
    again = builder.build(tmp_path, TODAY, customers=30)
    for path in again:
        assert path.read_bytes() == built[path.name].read_bytes(), path.name


def test_the_crm_workbook_holds_the_sample_and_the_settings(built):
    sheets = values(built["CRM-zh.xlsm"])
    assert {"客户跟踪表", "订单记录", "CRM设置", "数据问题"} <= set(sheets)
    assert "CRM Settings" in values(built["CRM-en.xlsm"])


def test_the_crm_workbook_is_the_sample_after_a_first_run(built):
    """As the README says ("after a first run"): the settings, the scores' summary, the due list and the report."""
    for name, lang in (("CRM-zh.xlsm", "zh"), ("CRM-en.xlsm", "en")):
        sheets = set(values(built[name]))
        assert {sheet_name(s, lang) for s in ("settings", "problems", "summary", "due", "report")} <= sheets, name



@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook_and_its_export_lists_the_vba_modules(built, tmp_path):
    exported = convert(built["CRM-zh.xlsm"], "ods", tmp_path)
    with zipfile.ZipFile(exported) as package:
        names = package.namelist()
        content = package.read("content.xml").decode()
    for module in ("xlwings", "Dictionary", "xlcrm_ribbon"):
        assert f"Basic/VBAProject/{module}.xml" in names, module
    assert 'table:name="客户跟踪表"' in content and 'table:name="CRM设置"' in content


@pytest.mark.libreoffice
def test_the_addin_package_loaded_as_a_macro_workbook_opens_in_libreoffice_with_its_modules(built, tmp_path):
    """LibreOffice refuses .xlam by its content type; the same parts with the .xlsm main type must open."""
    as_workbook = tmp_path / "xlcrm-addin.xlsm"
    as_workbook.write_bytes(builder._rezipped(built["xlcrm.xlam"].read_bytes(), {"[Content_Types].xml": lambda xml:
                                              xml.replace(MAIN_TYPES[".xlam"].encode(), MAIN_TYPES[".xlsm"].encode())}))
    with zipfile.ZipFile(as_workbook) as copy, zipfile.ZipFile(built["xlcrm.xlam"]) as addin:
        changed = [n for n in addin.namelist() if addin.read(n) != copy.read(n)]
    assert changed == ["[Content_Types].xml"]  # every other part byte for byte the add-in's
    exported = convert(as_workbook, "ods", tmp_path)
    with zipfile.ZipFile(exported) as package:
        names = package.namelist()
        ribbon_module = package.read("Basic/VBAProject/xlcrm_ribbon.xml").decode() if \
            "Basic/VBAProject/xlcrm_ribbon.xml" in names else ""
    for module in ("xlwings", "Dictionary", "xlcrm_ribbon"):
        assert f"Basic/VBAProject/{module}.xml" in names, module
    assert "Public Sub CrmPythonFailed" in ribbon_module and "Private Function CrmReady" in ribbon_module


@pytest.mark.parametrize("command", ["check", "refresh"])
def test_a_command_line_run_on_the_built_workbook_keeps_the_ribbon_and_the_macros(built, tmp_path, command):
    book = tmp_path / "CRM-zh.xlsm"
    shutil.copy(built["CRM-zh.xlsm"], book)
    before = vba_modules(book)
    result = run("--lang", "en", command, book)
    assert result.exit_code == 0, result.output  # 3 would mean: saved elsewhere, something would be lost
    assert ribbon_of(book).find(f"{UI}ribbon") is not None
    with zipfile.ZipFile(book) as package:
        assert f'Target="{builder.RIBBON_PART}"' in package.read("_rels/.rels").decode()
    assert vba_modules(book) == before
    assert not book.with_name("CRM-zh.xlcrm.xlsm").exists()
