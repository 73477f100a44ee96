"""What `pip install xlcrm` ships: every subpackage, the VBA and ribbon sources, the console script."""

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

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
