"""What the wheel ships (every subpackage, the VBA and ribbon sources, the console script), and the README's
install as a user on Windows or a Mac does it: that wheel into a clean environment."""

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_python_package_of_the_addin_is_listed_for_packaging():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {"xlcrm." + ".".join(p.parent.relative_to(ROOT / "addin" / "xlcrm").parts)
             for p in (ROOT / "addin" / "xlcrm").rglob("__init__.py")}
    found = {name.rstrip(".") for name in found}
    assert found <= set(config["packages"])
    for package, folder in config["package-dir"].items():
        assert (ROOT / folder).is_dir(), package


def test_the_wheel_carries_the_vba_and_ribbon_sources_and_the_report_templates(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    names = zipfile.ZipFile(next(tmp_path.glob("xlcrm-*.whl"))).namelist()
    assert "xlcrm/macros/xlcrm_ribbon.bas" in names
    assert "xlcrm/workbook/customUI14.xml" in names
    assert "xlcrm/workbook/build.py" in names and "xlcrm/core/parse.py" in names
    assert {"xlcrm/reports/report.html.j2", "xlcrm/reports/report.css", "xlcrm/reports/html.py"} <= set(names)
    assert any(n.endswith("entry_points.txt") for n in names)


@pytest.mark.slow
def test_the_wheel_installs_into_a_clean_environment_and_builds_the_addin(tmp_path):
    """The README's install steps: build the wheel, install it with its dependencies into a new virtual
    environment (nothing of this checkout on its path), run the commands a user runs first."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("xlcrm-*-py3-none-any.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    bin_dir = tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # clean: not this checkout's code
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True, env=env, timeout=900)
    run = lambda *args: subprocess.run([str(bin_dir / "xlcrm"), "--lang", "en", *args], capture_output=True,
                                       text=True, env=env, cwd=tmp_path, timeout=300)
    version = run("--version")
    assert version.returncode == 0 and "0." in version.stdout, version.stderr
    built = run("build", "--out", str(tmp_path / "built"))
    assert built.returncode == 0, built.stderr
    assert {p.name for p in (tmp_path / "built").iterdir()} >= {"xlcrm.xlam", "CRM-zh.xlsm", "CRM-en.xlsm"}
    plan = run("install", "--dry-run", "--platform", "windows")
    assert plan.returncode == 0 and "XLSTART" in plan.stdout, plan.stderr
