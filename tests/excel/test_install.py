"""`xlcrm install` as it runs on Windows and macOS, carried out into a stand-in home folder."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from helpers.cli import run
from helpers.workbooks import vba_modules
from xlcrm.core.errors import XlcrmError
from xlcrm.workbook.install import install

XLWINGS = Path(importlib.util.find_spec("xlwings").origin).parent
PYTHON = "/opt/python/bin/python3"


def test_on_windows_the_addins_go_to_xlstart_and_the_interpreter_to_xlcrms_config(tmp_path):
    lines = install(platform="win32", home=tmp_path, python=PYTHON)
    xlstart = tmp_path / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    assert {"xlwings", "Dictionary", "xlcrm_ribbon"} <= vba_modules(xlstart / "xlcrm.xlam").keys()
    assert (xlstart / "xlwings.xlam").read_bytes() == (XLWINGS / "addin" / "xlwings.xlam").read_bytes()
    assert (tmp_path / ".xlcrm" / "xlcrm.conf").read_text() == f'"INTERPRETER_WIN","{PYTHON}"\n'
    assert (tmp_path / ".xlwings" / "xlwings.conf").exists()
    assert "Quit Excel completely" in lines[-1].text("en")


def test_on_macos_the_applescript_goes_where_excel_may_run_it_and_an_xlwings_config_stays(tmp_path):
    sandbox = tmp_path / "Library" / "Containers" / "com.microsoft.Excel" / "Data"
    sandbox.mkdir(parents=True)
    (sandbox / "xlwings.conf").write_text('"INTERPRETER_MAC","/their/python"\n')
    install(platform="darwin", home=tmp_path, python=PYTHON)
    startup = tmp_path / "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
    assert (startup / "xlcrm.xlam").exists() and (startup / "xlwings.xlam").exists()
    assert (sandbox / "xlcrm.conf").read_text() == f'"INTERPRETER_MAC","{PYTHON}"\n'
    assert (sandbox / "xlwings.conf").read_text() == '"INTERPRETER_MAC","/their/python"\n'  # theirs, untouched
    scripts = list((tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel").glob("xlwings-*.applescript"))
    assert len(scripts) == 1


def test_a_dry_run_says_where_everything_would_go_and_writes_nothing(tmp_path):
    lines = [line.text("en") for line in install(dry_run=True, platform="win32", home=tmp_path, python=PYTHON)]
    assert lines[0] == "xlcrm install would:"
    assert any("XLSTART" in line and "xlcrm.xlam" in line for line in lines)
    assert any("xlcrm.conf" in line and PYTHON in line for line in lines)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_excel_holds_is_a_readable_error(tmp_path):
    (tmp_path / ".xlcrm").write_text("a file where the config folder goes")
    with pytest.raises(XlcrmError) as error:
        install(platform="win32", home=tmp_path, python=PYTHON)
    assert "Quit Excel" in error.value.text("en") and "退出 Excel" in error.value.text("zh")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="what install says on Linux")
def test_on_linux_install_explains_that_excel_is_needed():
    for args in (["install"], ["install", "--dry-run"]):
        result = run("--lang", "en", *args)
        assert result.exit_code == 1 and "Excel" in result.output and "Windows and macOS" in result.output
        assert "Traceback" not in result.output
