"""The corpus (helpers/corpus.py) as LibreOffice, Google Sheets and WPS write it (helpers/corpus_writers.py):
check, refresh and followups read the same mapping as from openpyxl's file, and every original part and cell
comes out as it went in."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import TODAY
from helpers import corpus_writers
from helpers.corpus import CASES
from helpers.libreoffice import resave_all
from helpers.ooxml import entries, integrity_problems
from helpers.snapshot import differences, snapshot
from xlcrm.actions.check import check
from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook

# The workbook-level parts xlcrm rewrites (sheets added, styles appended, the calculation chain dropped).
WORKBOOK_PARTS = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
IDS = [c.name for c in CASES]


@pytest.fixture(scope="session")
def originals(tmp_path_factory) -> dict[str, Path]:
    """Each case as openpyxl writes it, once per session (the writers only read these)."""
    folder = tmp_path_factory.mktemp("corpus-openpyxl")
    return {case.name: case.write(folder) for case in CASES}


@pytest.fixture(scope="session")
def libreoffice_saved(originals, tmp_path_factory) -> dict[str, Path]:
    """Each case opened and saved by LibreOffice, in one LibreOffice run per session."""
    written = resave_all(list(originals.values()), tmp_path_factory.mktemp("corpus-libreoffice"))
    return {name: written[path] for name, path in originals.items()}


def as_read(path: Path, folder: Path):
    """What check reads from a copy of path: the customers' sheet, the mapping (field -> header) of customers
    and orders, the number of customers, whether the sheet is its own orders."""
    folder.mkdir(parents=True, exist_ok=True)
    session = check(FileBook(Path(shutil.copy(path, folder / path.name)))).session
    customers = session.customers
    orders = session.orders

    def mapped(source):
        return {f: source.table.header_of(c) for f, c in source.mapping.columns.items()} if source else None

    return (customers.table.sheet, mapped(customers), mapped(orders), customers.records["key"].nunique(),
            orders is not None and orders.table is customers.table)


def sheet_parts(path: Path) -> dict[str, str]:
    """Worksheet name -> its part, from the workbook and its relationships."""
    with zipfile.ZipFile(path) as package:
        book = etree.fromstring(package.read("xl/workbook.xml"))
        rels = etree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    parts = {}
    for sheet in book.iter("{*}sheet"):
        target = targets[sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")]
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def unchanged_but_written(path: Path, before_parts: dict[str, bytes], before: dict, team_sheets: list[str]) -> None:
    """Every original part byte for byte, but the workbook-level ones and the team sheets xlcrm writes beside;
    in those, every original cell and sheet setting as it was; and every XML part still parses."""
    after_parts = entries(path)
    written_sheets = {p for name, p in sheet_parts(path).items() if name in team_sheets}
    changed = sorted(n for n, data in before_parts.items()
                     if n not in WORKBOOK_PARTS | written_sheets and after_parts.get(n) != data)
    assert not changed, f"parts changed or gone: {changed}"
    for name, data in after_parts.items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(data)  # raises on a namespace prefix left undeclared or broken XML
    assert not integrity_problems(path)
    for name in (n for n in WORKBOOK_PARTS if n in before_parts):  # rewritten, yet nothing of the original lost
        gone = links(before_parts[name]) - links(after_parts[name])
        assert not gone, f"{name} lost {sorted(gone)}"
    after = snapshot(path)
    for sheet in team_sheets:
        cells, settings = before[f"cells {sheet}"], before[f"sheet {sheet}"]
        assert {ref: after[f"cells {sheet}"].get(ref) for ref in cells} == cells, sheet
        now = dict(after[f"sheet {sheet}"], columns={k: v for k, v in after[f"sheet {sheet}"]["columns"].items()
                                                     if k in settings["columns"]})  # xlcrm's columns beside
        found = differences(settings, now)
        assert not found, "\n".join(found)
    assert after["workbook"]["custom properties"] == before["workbook"]["custom properties"]


def links(xml: bytes) -> set[tuple]:
    """A package part's relationships, content types and namespace declarations, as comparable facts."""
    root = etree.fromstring(xml)
    facts = {("namespace", prefix, uri) for prefix, uri in root.nsmap.items()}
    facts |= {(e.get("Type"), e.get("Target")) for e in root.iter("{*}Relationship")}
    facts |= {(e.get("PartName") or e.get("Extension"), e.get("ContentType"))
              for e in root.iter("{*}Override", "{*}Default")}
    return facts | {(k, v) for k, v in root.attrib.items()}  # mc:Ignorable and the like


def run_every_action_and_keep_everything(path: Path) -> None:
    before_parts, before = entries(path), snapshot(path)
    team_sheets = before["sheet order"]
    has_orders = check(FileBook(path)).session.orders is not None  # refresh scores purchases: it needs them
    unchanged_but_written(path, before_parts, before, team_sheets)
    for action in (refresh, followups) if has_orders else (followups,):
        result = action(FileBook(path), TODAY)
        assert not result.saved.elsewhere, [m.text("en") for m in result.saved.lost]
        unchanged_but_written(path, before_parts, before, team_sheets)


def expected(original: Path, tmp_path: Path, rename=lambda sheet: sheet):
    """What check reads from openpyxl's file, its sheet named as the other writer names it."""
    sheet, *rest = as_read(original, tmp_path / "openpyxl")
    return (rename(sheet), *rest)


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_resaved_by_libreoffice_reads_the_same_and_keeps_every_part(case, originals, libreoffice_saved, tmp_path):
    path = Path(shutil.copy(libreoffice_saved[case.name], tmp_path / f"{case.name}.xlsx"))
    with zipfile.ZipFile(path) as package:
        assert "xl/sharedStrings.xml" in package.namelist()  # really LibreOffice's package, not openpyxl's
    assert as_read(path, tmp_path / "read") == expected(originals[case.name], tmp_path)
    run_every_action_and_keep_everything(path)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_google_sheets_export_reads_the_same_and_keeps_every_part(case, originals, tmp_path):
    path = corpus_writers.google_sheets_export(originals[case.name], tmp_path / "google")
    names = entries(path)
    assert "docProps/app.xml" not in names and "xl/sharedStrings.xml" not in names
    renamed = corpus_writers.google_sheets_name
    assert as_read(path, tmp_path / "read") == expected(originals[case.name], tmp_path, renamed)
    run_every_action_and_keep_everything(path)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_wps_workbook_reads_the_same_and_keeps_every_part(case, originals, tmp_path):
    path = corpus_writers.wps_like(originals[case.name], tmp_path / "wps")
    names = entries(path)
    assert {"docProps/custom.xml", "customXml/item1.xml", "xl/sharedStrings.xml"} <= set(names)
    assert as_read(path, tmp_path / "read") == expected(originals[case.name], tmp_path)
    run_every_action_and_keep_everything(path)
    workbook = entries(path)["xl/workbook.xml"].decode()
    assert 'mc:Ignorable="x14ac etc"' in workbook  # WPS's declarations stay where WPS put them
