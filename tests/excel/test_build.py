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
