"""`xlcrm build`: xlcrm.xlam and a ready CRM workbook (.xlsm) made from text sources, on any OS.

Sources: workbook/customUI14.xml (the CRM tab), macros/*.bas (its callbacks) and xlwings'
own VBA module and Dictionary class, taken from the installed xlwings package. pyopenvba
writes the VBA project (source-only modules Excel compiles on open) starting from an
Office-made template. The ribbon goes in by ZIP assembly as the very last step, because
openpyxl drops it on save; entries get the build day as their time stamp, so the same
sources on the same day give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pyopenvba import ExcelFile, VBAModuleKind

from xlcrm import __version__
from xlcrm.book import Book
from xlcrm.book import file as file_book
from xlcrm.core.sample import make_sample

ADDIN = "xlcrm.xlam"
WORKBOOKS = {"zh": "CRM-zh.xlsm", "en": "CRM-en.xlsm"}
PROJECT_NAME = "xlcrm"  # xlwings reads its settings from ~/.xlcrm/xlcrm.conf (see install.py)
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@dataclass(frozen=True)
class Module:
    name: str
    source: str  # as the VBA editor holds it: CRLF line ends, attribute lines included
    kind: VBAModuleKind = VBAModuleKind.standard


def ribbon_xml() -> bytes:
    return resources.files("xlcrm.workbook").joinpath("customUI14.xml").read_bytes()


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _xlwings_file(*parts: str) -> str:
    """A file of the installed xlwings package, found without importing it."""
    spec = importlib.util.find_spec("xlwings")
    assert spec is not None and spec.origin is not None  # a dependency of xlcrm
    return _crlf(Path(spec.origin).parent.joinpath(*parts).read_text(encoding="utf-8"))


XLWINGS_SHOWS_TRACEBACK = "Call ShowError(LOG_FILE)"  # where RunPython shows Python's stderr in a popup
OUR_ERROR_MESSAGE = "Call CrmPythonFailed(LOG_FILE)"  # macros/xlcrm_ribbon.bas: one sentence, details kept
# Every call of xlwings' ShowError (its raw popup) and xlcrm's instead; a call written any other way fails the build.
SHOW_ERROR_CALLS = {
    XLWINGS_SHOWS_TRACEBACK: OUR_ERROR_MESSAGE,  # ExecuteWindows (exit code), CleanUp (Mac: after Python ran)
    "ShowError (LOG_FILE)": "Call CrmPythonFailed(LOG_FILE, Started:=False)",  # ExecuteMac: the shell's own errors
    'ShowError "", Err.Description': 'Call CrmPythonFailed("", Err.Description)',  # the UDF server's RunPython
    'ShowError "", errorMsg': 'Call CrmPythonFailed("", errorMsg)',  # ImportPythonUDFs
}
# ExecuteMac when AppleScriptTask fails: xlwings' English advice names its own CLI; xlcrm's names `xlcrm install`.
XLWINGS_NO_SCRIPT = ('MsgBox "To enable RunPython, please run \'xlwings runpython install\' in a terminal once and '
                     'try again.", vbCritical')
OUR_NO_SCRIPT = 'Call CrmNoRunScript("xlwings-" & XLWINGS_VERSION & ".applescript")'
# xlwings' Mac AppleScript starts `PythonInterpreter -B -u ...` through `do shell script` with the path as it is:
# a Python under "~/Documents/My CRM" would be split at the space. The VBA hands it over as one POSIX shell word:
# in single quotes, each ' in it written '\'' (whatever else it holds, spaces and $ included, stays as it is).
XLWINGS_MAC_PYTHON = 'ParameterString = ParameterString + "|" + PythonInterpreter'
_SHELL_QUOTED = r"""Replace(PythonInterpreter, "'", "'\''")"""  # the path with each ' as '\'', put in '...' below
OUR_MAC_PYTHON = XLWINGS_MAC_PYTHON.replace("PythonInterpreter", f"\"'\" + {_SHELL_QUOTED} + \"'\"")
# GetConfig reads a setting from the first of: an xlcrm.conf sheet in the active workbook, an xlcrm.conf file
# beside it, the user's ~/.xlcrm/xlcrm.conf (what `xlcrm install` writes). The first two come with any workbook
# received from outside, and name the Python (and sys.path) the trusted add-in runs: only the user's file counts.
# No caller passes a source, so the default decides; the body must still honour it (checked below).
GETCONFIG_ANY_SOURCE = 'Function GetConfig(configKey As String, Optional default As String = "", ' \
                       'Optional source As String = "") As Variant'
GETCONFIG_USER_ONLY = GETCONFIG_ANY_SOURCE.replace('source As String = ""', 'source As String = "user"')
GETCONFIG_SOURCES = ('If source = "" Or source = "sheet" Then', 'If source = "" Or source = "directory" Then',
                     'If source = "" Or source = "user" Then')


def _replaced(source: str, old: str, new: str, once: bool = True) -> str:
    """old replaced by new; xlwings' VBA without old (or, once, with it more than once) fails the build."""
    if old not in source or (once and source.count(old) > 1):
        raise RuntimeError(f"xlwings' VBA no longer has {old!r}{' exactly once' if once else ''}: "
                           "adapt workbook/build.py")
    return source.replace(old, new)


def _code(line: str) -> str:
    """A VBA line without its string literals' text and its comment (a ' in a string starts none)."""
    return re.sub(r'"[^"]*"', '""', line).split("'", 1)[0]


def xlwings_module(addin: bool) -> Module:
    """xlwings' RunPython module; the add-in's variant works on the active workbook. A failed Python run
    shows xlcrm's short message in the user's language instead of xlwings' raw popups, a Mac passes the
    Python's path to the shell quoted, and the settings come from the user's own config file only, never
    from the workbook or its folder."""
    source = _xlwings_file("xlwings_custom_addin.bas" if addin else "xlwings.bas")
    source = re.sub(r'(Public Const PROJECT_NAME As String = )"\w+"', rf'\1"{PROJECT_NAME}"', source, count=1)
    for call, ours in SHOW_ERROR_CALLS.items():
        source = _replaced(source, call, ours, once=call != XLWINGS_SHOWS_TRACEBACK)
    left = [line for line in source.splitlines() if re.search(r"\bShowError\b", _code(line))
            and not line.startswith("Sub ShowError(")]
    if left:
        raise RuntimeError(f"xlwings' VBA calls ShowError in a new way: {left}: adapt workbook/build.py")
    source = _replaced(source, XLWINGS_NO_SCRIPT, OUR_NO_SCRIPT)
    source = _replaced(source, XLWINGS_MAC_PYTHON, OUR_MAC_PYTHON)
    for guard in GETCONFIG_SOURCES:  # the default picks the user's file only while each source checks it
        _replaced(source, guard, guard)
    return Module("xlwings", _replaced(source, GETCONFIG_ANY_SOURCE, GETCONFIG_USER_ONLY))


def macro_modules() -> list[Module]:
    folder = resources.files("xlcrm.macros")
    return [Module(f.name.removesuffix(".bas"), _crlf(f.read_text(encoding="utf-8")))
            for f in sorted(folder.iterdir(), key=lambda f: f.name) if f.name.endswith(".bas")]


def modules(addin: bool) -> list[Module]:
    """Every VBA module the artefact holds besides the workbook's own document modules."""
    dictionary = Module("Dictionary", _xlwings_file("addin", "Dictionary.cls"), VBAModuleKind.other)
    return [xlwings_module(addin), dictionary, *macro_modules()]


def build(out: str | Path, today: dt.date | None = None, customers: int = 60) -> list[Path]:
    """Write xlcrm.xlam and the CRM workbooks into out; returns their paths."""
    today = today or dt.date.today()
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    written = [build_addin(target, today)]
    with tempfile.TemporaryDirectory(prefix="xlcrm-build-") as scratch:
        for lang, name in WORKBOOKS.items():
            project = _workbook_project(Path(scratch), lang, today, customers)
            written.append(_assemble(project, target / name, today, "xlcrm CRM workbook"))
    return written


def build_addin(out: Path, today: dt.date | None = None) -> Path:
    """Only xlcrm.xlam (what `xlcrm install` needs)."""
    with tempfile.TemporaryDirectory(prefix="xlcrm-build-") as scratch:
        return _assemble(_addin_project(Path(scratch)), Path(out) / ADDIN, today or dt.date.today(), "xlcrm")


def _addin_project(work: Path) -> Path:
    path = work / ADDIN
    with ExcelFile.create_new(path) as book:
        project = book.vba_project()
        project.delete_module("Module1")
        _add(project, modules(addin=True))
        book.save()
    return path


def _workbook_project(work: Path, lang: str, today: dt.date, customers: int) -> Path:
    sample = file_book.create(work / lang / "CRM.xlsx", make_sample(customers, lang, seed=1, today=today))
    _set_up(file_book.FileBook(sample), today)
    path = work / lang / "CRM.xlsm"
    path.write_bytes(_rezipped(sample.read_bytes(), {"[Content_Types].xml": lambda xml: xml.replace(
        XLSX_MAIN.encode(), XLSM_MAIN.encode())}))
    with ExcelFile(path) as book:
        project = book.add_vba_project()
        _add(project, modules(addin=False))
        book.save()
    return path


def _add(project, wanted: list[Module]) -> None:
    for module in wanted:
        project.add_module(module.name, module.source, kind=module.kind)


def _set_up(book: Book, today: dt.date) -> None:
    """The sample as a team would have it after a first run: settings, mapping, scores, due list, report."""
    from xlcrm.actions.check import check
    from xlcrm.actions.followups import followups
    from xlcrm.actions.refresh import refresh
    from xlcrm.actions.report import report

    check(book)
    refresh(book, today)
    followups(book, today)
    report(book, today=today)


def _rezipped(package: bytes, edits: dict, added: dict[str, bytes] | None = None,
              stamp: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)) -> bytes:
    """The package with parts edited (name -> bytes -> bytes) and added, every entry stamped alike."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        names = source.namelist()
        ordered = ["[Content_Types].xml"] + [n for n in names if n != "[Content_Types].xml"]
        for name in ordered:
            data = source.read(name)
            out.writestr(zipfile.ZipInfo(name, stamp), edits[name](data) if name in edits else data,
                         zipfile.ZIP_DEFLATED)
        for name, data in (added or {}).items():
            out.writestr(zipfile.ZipInfo(name, stamp), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _assemble(project: Path, target: Path, today: dt.date, title: str) -> Path:
    """The last step: the ribbon part and its relationship added, the properties and time stamps fixed."""
    def with_ribbon(rels: bytes) -> bytes:
        relationship = f'<Relationship Id="xlcrmRibbon" Type="{RIBBON_TYPE}" Target="{RIBBON_PART}"/>'
        return rels.replace(b"</Relationships>", relationship.encode() + b"</Relationships>")

    def with_xml_type(types: bytes) -> bytes:
        if b'Extension="xml"' in types:
            return types
        return types.replace(b"<Override", b'<Default Extension="xml" ContentType="application/xml"/><Override', 1)

    edits = {"_rels/.rels": with_ribbon, "[Content_Types].xml": with_xml_type,
             "docProps/core.xml": lambda _: core_properties(title, today)}
    stamp = (today.year, today.month, today.day, 0, 0, 0)
    target.write_bytes(_rezipped(project.read_bytes(), edits, {RIBBON_PART: ribbon_xml()}, stamp))
    return target


def core_properties(title: str, today: dt.date) -> bytes:
    stamp = f"{today:%Y-%m-%d}T00:00:00Z"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{title}</dc:title><dc:description>Built by xlcrm {__version__}</dc:description>"
        "<dc:creator>xlcrm</dc:creator><cp:lastModifiedBy>xlcrm</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    ).encode()
