"""The rules of the house (DESIGN.md, docs/ARCHITECTURE.md), checked on the source.

Floors, lowest first: core (pure) <- book, mail, reports, store (the outside worlds) <- actions <- the
workbook build <- cli, ribbon, bootstrap (the entry points). A module imports only from its own package
or a floor below; bootstrap is imported by the entry points alone; no import circle anywhere, imports
inside functions included; no module over 400 lines; no import by string.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "addin" / "xlcrm"
# The packaged folders that live at the top of the repository (pyproject's package-dir).
OUTSIDE = {"xlcrm.workbook": ROOT / "workbook", "xlcrm.reports": ROOT / "reports", "xlcrm.macros": ROOT / "macros"}
MAX_LINES = 400

# library -> the only places that may import it
ONLY_IN = {
    "xlwings": ("xlcrm.book", "xlcrm.workbook"),
    "openpyxl": ("xlcrm.book",),
    "python_calamine": ("xlcrm.book",),
    "lxml": ("xlcrm.book",),
    "yagmail": ("xlcrm.mail",),
    "smtplib": ("xlcrm.mail",),
    "keyring": ("xlcrm.mail",),
    "jinja2": ("xlcrm.mail", "xlcrm.reports"),
    "matplotlib": ("xlcrm.reports",),
    "sqlalchemy": ("xlcrm.store",),
    "psycopg": ("xlcrm.store",),
}

# module prefix -> floor; the longest matching prefix decides.
FLOORS = {
    "xlcrm": 0,  # the package itself: its version
    "xlcrm.files": 1,  # whole-or-nothing file writes, used by every outside world
    "xlcrm.core": 1,
    "xlcrm.book": 2, "xlcrm.mail": 2, "xlcrm.reports": 2, "xlcrm.store": 2,
    "xlcrm.actions": 3,
    "xlcrm.workbook": 3.5,  # the build: a ready CRM workbook is the sample after a first run of the actions
    "xlcrm.cli": 4, "xlcrm.cli_mail": 4, "xlcrm.cli_team": 4, "xlcrm.ribbon": 4, "xlcrm.bootstrap": 4, "xlcrm.__main__": 4,
}
# Inside the core: the shared ground, then the features, then the one module that assembles every feature's settings.
CORE_FEATURES = ("xlcrm.core.scores", "xlcrm.core.followups", "xlcrm.core.mailmerge", "xlcrm.core.report")
CORE_ASSEMBLY = ("xlcrm.core.all_settings",)
ENTRY_POINTS = ("xlcrm.cli", "xlcrm.cli_mail", "xlcrm.cli_team", "xlcrm.ribbon", "xlcrm.__main__")


def module_name(path: Path) -> str:
    for name, folder in OUTSIDE.items():
        if folder in path.parents:
            parts = [name, *path.relative_to(folder).with_suffix("").parts]
            break
    else:
        parts = ["xlcrm", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = {module_name(p): p for p in sorted([*PACKAGE.rglob("*.py"), *ROOT.joinpath("workbook").rglob("*.py"),
                                               *ROOT.joinpath("reports").rglob("*.py")])}


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


@cache
def imports(module: str) -> frozenset[str]:
    """Every module `module` imports, at the top or inside a function; `from pkg import sub` names pkg.sub."""
    path = SOURCES[module]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, path.name == "__init__.py")
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in SOURCES)
    return frozenset(found)


def own_imports(module: str) -> set[str]:
    return {name for name in imports(module) if name in SOURCES and name != module}


def floor(module: str) -> int:
    prefix = max((p for p in FLOORS if module == p or module.startswith(p + ".")), key=len)
    return FLOORS[prefix]


def package_of(module: str) -> str:
    """The unit whose modules may import each other: xlcrm.core, xlcrm.book, xlcrm.actions ..."""
    return ".".join(module.split(".")[:2])


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("module", SOURCES)
def test_outside_libraries_are_imported_only_where_they_belong(module):
    for name in imports(module):
        top = name.split(".")[0]
        if top in ONLY_IN:
            assert _in(module, ONLY_IN[top]), f"{module} imports {name}; only {ONLY_IN[top]} may"


@pytest.mark.parametrize("module", SOURCES)
def test_a_module_imports_only_its_own_package_or_a_floor_below(module):
    top = floor(module) == max(FLOORS.values())  # the entry points and their wiring
    up = sorted(name for name in own_imports(module) if name != "xlcrm" and (
        floor(name) > floor(module) or (floor(name) == floor(module) and package_of(name) != package_of(module)
                                        and not top)))
    assert not up, f"{module} (floor {floor(module)}) imports {up} from its own floor or above"


@pytest.mark.parametrize("module", [m for m in SOURCES if m.startswith("xlcrm.core.")])
def test_the_shared_ground_knows_no_feature_and_features_no_assembly(module):
    names = own_imports(module)
    if not _in(module, CORE_FEATURES + CORE_ASSEMBLY):
        assert not [n for n in names if _in(n, CORE_FEATURES + CORE_ASSEMBLY)], f"{module} imports a feature"
    elif _in(module, CORE_FEATURES):
        assert not [n for n in names if _in(n, CORE_ASSEMBLY)], f"{module} imports {CORE_ASSEMBLY}"


def test_only_the_entry_points_use_the_wiring():
    users = sorted(m for m in SOURCES if "xlcrm.bootstrap" in imports(m))
    assert set(users) <= set(ENTRY_POINTS), f"bootstrap is imported by {users}; only {ENTRY_POINTS} may"


def test_no_import_circle_anywhere():
    circles = [c for c in _strongly_connected(SOURCES, own_imports) if len(c) > 1]
    assert not circles, "import circles: " + "; ".join(" <-> ".join(sorted(c)) for c in circles)


def _strongly_connected(nodes, edges) -> list[list[str]]:
    """Tarjan's algorithm over the import graph (iterative: the graph is a few hundred modules deep)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


def test_the_circle_finder_finds_a_circle():
    """The check above can fail: a made-up graph with a circle is found, and only that circle."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    circles = [sorted(c) for c in _strongly_connected(graph, graph.__getitem__) if len(c) > 1]
    assert circles == [["a", "b", "c"]]


@pytest.mark.parametrize("module", SOURCES)
def test_no_module_over_400_lines(module):
    lines = len(SOURCES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by what its parts hold"


@pytest.mark.parametrize("module", SOURCES)
def test_no_import_by_string(module):
    """importlib or __import__ of a module by name hides it from every tool that follows imports."""
    for node in ast.walk(ast.parse(SOURCES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            target = node.args[0] if node.args else None
            ours = not isinstance(target, ast.Constant) or str(target.value).startswith("xlcrm")
            assert not (name in ("import_module", "__import__") or (name == "find_spec" and ours)), \
                f"{module} imports by string at line {node.lineno}"


def test_the_map_names_every_package():
    """docs/ARCHITECTURE.md is the newcomer's map: every package of the product appears in it."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    packages = {m for m, p in SOURCES.items() if p.name == "__init__.py"} - {"xlcrm"}
    missing = sorted(m for m in packages if m.removeprefix("xlcrm.").replace(".", "/") + "/" not in text)
    assert not missing, f"docs/ARCHITECTURE.md does not mention {missing}"


DATA_LIBRARIES = ("pandas", "numpy", "openpyxl", "python_calamine", "lxml", "matplotlib", "jinja2", "yagmail",
                  "xlwings", "holidays", "tqdm")


def test_the_command_line_loads_no_data_library_before_a_command_runs():
    """`xlcrm --help` (and a mistyped option) answers at once: each command imports its action when it runs."""
    script = ("import sys; from click.testing import CliRunner; import xlcrm.cli as cli\n"
              "assert CliRunner().invoke(cli.main, ['--help']).exit_code == 0\n"
              f"print(' '.join(m for m in {DATA_LIBRARIES!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []
