"""The rules of the house (DESIGN.md), checked on the source: a pure core, one package per outside world."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "addin" / "xlcrm"
SOURCES = sorted([*PACKAGE.rglob("*.py"), *(ROOT / "workbook").glob("*.py"), *(ROOT / "reports").glob("*.py")])

# library -> the only places that may import it
ONLY_IN = {
    "xlwings": ("book/", "workbook/"),
    "openpyxl": ("book/",),
    "python_calamine": ("book/",),
    "lxml": ("book/",),
    "yagmail": ("mail/",),
    "smtplib": ("mail/",),
    "keyring": ("mail/",),
    "jinja2": ("mail/", "reports/"),
    "matplotlib": ("reports/",),
}
CORE_MAY_NOT = ("xlcrm.book", "xlcrm.mail", "xlcrm.actions", "xlcrm.ribbon", "xlcrm.cli", "xlcrm.bootstrap",
                "xlcrm.workbook", "xlcrm.reports")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def where(path: Path) -> str:
    relative = path.relative_to(PACKAGE if PACKAGE in path.parents else ROOT).as_posix()
    return relative


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_outside_libraries_are_imported_only_where_they_belong(path):
    place = where(path)
    for name in imports(path):
        top = name.split(".")[0]
        if top in ONLY_IN:
            assert place.startswith(ONLY_IN[top]), f"{place} imports {name}; only {ONLY_IN[top]} may"


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").rglob("*.py")), ids=lambda p: p.name)
def test_the_core_imports_no_adapter(path):
    bad = [name for name in imports(path) if name.startswith(CORE_MAY_NOT)]
    assert not bad, f"core/{path.name} imports {bad}"
