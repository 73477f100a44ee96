"""`xlcrm install` and `xlcrm uninstall` as they run on Windows and macOS, carried out into a stand-in home
folder, and the config file read back the way xlwings' VBA reads it (`Input #`, in the ANSI code page)."""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path

import pytest

from helpers.cli import run
from helpers.workbooks import vba_modules
from xlcrm.core.errors import XlcrmError
from xlcrm.workbook.install import MAC, WINDOWS, Target, install, uninstall

PYTHON = r"C:\Users\张三\AppData\Local\Programs\Python\Python312\python.exe"
MAC_PYTHON = "/Users/zhangsan/.venvs/xlcrm/bin/python"
# xlwings' RunPython passes this setting first to xlwings.utils.prepare_sys_path, which puts the workbook's
# folder on sys.path only when it reads "true" (its default)
WORKBOOK_FOLDER_OFF_THE_PATH = {"ADD_WORKBOOK_TO_PYTHONPATH": "false"}


def windows(home: Path, codepage: str = "cp936", python: str = PYTHON) -> Target:
    return Target(WINDOWS, home, python, codepage)


def mac(home: Path, python: str = MAC_PYTHON) -> Target:
    return Target(MAC, home, python, "ascii")


def xlstart(home: Path) -> Path:
    return home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"


def files(home: Path) -> set[str]:
    return {p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file()}


def read_as_vba(path: Path, codepage: str) -> dict[str, str]:
    """What `Input #file, name, value` yields per line: quoted fields, the bytes decoded in the ANSI code page."""
    text = path.read_bytes().decode(codepage)
    return {name: value for name, value in csv.reader(io.StringIO(text))}


def test_on_windows_only_the_addin_and_the_config_are_placed(tmp_path):
    lines = install(windows(tmp_path))
    assert {"xlwings", "Dictionary", "xlcrm_ribbon"} <= vba_modules(xlstart(tmp_path) / "xlcrm.xlam").keys()
    assert files(tmp_path) == {"AppData/Roaming/Microsoft/Excel/XLSTART/xlcrm.xlam", ".xlcrm/xlcrm.conf",
                               ".xlcrm/xlcrm-installed.txt"}  # no xlwings.xlam, no xlwings tab
    assert "Quit Excel completely" in lines[-1].text("en")


@pytest.mark.parametrize("codepage, python", [
    ("cp936", PYTHON),  # a Chinese Windows: the user name 张三 as VBA reads it back
    ("cp1252", r"C:\Users\José\AppData\Local\Programs\Python\Python312\python.exe"),  # a Western one
    ("cp65001", PYTHON),  # Windows set to "Use Unicode UTF-8 for worldwide language support"
])
def test_the_config_reads_back_as_the_same_python_in_the_ansi_code_page(tmp_path, codepage, python):
    install(windows(tmp_path, codepage, python))
    assert read_as_vba(tmp_path / ".xlcrm" / "xlcrm.conf", codepage) == {"INTERPRETER_WIN": python,
                                                                         **WORKBOOK_FOLDER_OFF_THE_PATH}
    if codepage != "cp65001":  # not the UTF-8 that VBA read as C:\Users\寮犱笁
        assert python.encode("utf-8") not in (tmp_path / ".xlcrm" / "xlcrm.conf").read_bytes()


def test_the_config_keeps_the_workbooks_folder_off_pythons_path(tmp_path, monkeypatch):
    """What xlwings' Python does with the setting the VBA reads from the config: a planted module beside a
    downloaded workbook is not importable."""
    import xlwings.utils

    install(windows(tmp_path))
    setting = read_as_vba(tmp_path / ".xlcrm" / "xlcrm.conf", "cp936")["ADD_WORKBOOK_TO_PYTHONPATH"]
    downloads = tmp_path / "Downloads"
    monkeypatch.setattr(sys, "path", list(sys.path))
    xlwings.utils.prepare_sys_path(f"{setting};{downloads / 'attachment.xlsx'};{downloads / 'xlcrm.xlam'};;;;")
    assert str(downloads) not in sys.path and os.path.normcase(str(downloads)) not in sys.path
    xlwings.utils.prepare_sys_path(f"true;{downloads / 'attachment.xlsx'};;;;;")  # xlwings' default, for contrast
    assert os.path.normcase(str(downloads)) in sys.path


def test_a_path_the_code_page_cannot_hold_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(XlcrmError) as error:
        install(windows(tmp_path, "cp1252", PYTHON))
    assert "cp1252" in error.value.text("en") and "张三" in error.value.text("en")
    assert "张三" in error.value.text("zh") and "编码" in error.value.text("zh")
    assert files(tmp_path) == set()


def test_on_macos_the_applescript_goes_where_excel_may_run_it(tmp_path):
    install(mac(tmp_path))
    sandbox = tmp_path / "Library" / "Containers" / "com.microsoft.Excel" / "Data"
    startup = tmp_path / "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
    assert sorted(p.name for p in startup.iterdir()) == ["xlcrm.xlam"]
    assert read_as_vba(sandbox / "xlcrm.conf", "mac_roman") == {"INTERPRETER_MAC": MAC_PYTHON,
                                                                 **WORKBOOK_FOLDER_OFF_THE_PATH}
    scripts = list((tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel").glob("xlwings-*.applescript"))
    assert len(scripts) == 1


def test_on_macos_a_python_in_a_folder_with_spaces_is_installed_as_it_is(tmp_path):
    """xlwings' AppleScript runs the path in a shell; the built VBA hands it over quoted (test_platform_vba.py)."""
    python = "/Users/zhangsan/Documents/My CRM/.venv/bin/python"
    lines = [line.text("en") for line in install(mac(tmp_path, python), dry_run=True)]
    assert any("xlcrm.conf" in line and python in line for line in lines)
    install(mac(tmp_path, python))
    sandbox = tmp_path / "Library" / "Containers" / "com.microsoft.Excel" / "Data"
    assert read_as_vba(sandbox / "xlcrm.conf", "mac_roman")["INTERPRETER_MAC"] == python


@pytest.mark.parametrize("python", ["/Users/zhangsan/CRM|team/bin/python", "/Users/zhangsan/CRM\\bin/python"])
def test_on_macos_a_path_the_applescript_cannot_pass_on_is_refused_before_anything_is_written(tmp_path, python):
    with pytest.raises(XlcrmError) as error:
        install(mac(tmp_path, python))
    odd = "|" if "|" in python else "\\"
    assert python in error.value.text("en") and odd in error.value.text("en") and "Spaces" in error.value.text("en")
    assert python in error.value.text("zh") and "空格" in error.value.text("zh")
    assert files(tmp_path) == set()
    install(windows(tmp_path, python=r"C:\Users\CRM team\python.exe"))  # on Windows neither matters


@pytest.mark.parametrize("target", [windows, mac])
def test_uninstall_removes_exactly_what_install_placed(tmp_path, target):
    theirs = {"AppData/Roaming/Microsoft/Excel/XLSTART/their-macros.xlam", ".xlcrm/xlcrm.log",
              "Library/Application Scripts/com.microsoft.Excel/their.scpt", "Documents/客户跟踪表.xlsx"}
    for name in theirs:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("theirs")
    install(target(tmp_path))
    assert len(files(tmp_path)) > len(theirs)
    lines = [line.text("en") for line in uninstall(target(tmp_path))]
    assert files(tmp_path) == theirs
    assert "CRM tab is gone" in lines[-1]
    assert uninstall(target(tmp_path))[0].text("en") == "Nothing of xlcrm is installed in Excel here."


def test_an_applescript_already_there_is_not_overwritten_nor_removed(tmp_path):
    scripts = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel"
    install(mac(tmp_path))
    script = next(scripts.glob("xlwings-*.applescript"))
    uninstall(mac(tmp_path))
    script.write_text("their own xlwings")
    install(mac(tmp_path))
    uninstall(mac(tmp_path))
    assert script.read_text() == "their own xlwings"


def test_xlwings_addin_from_an_earlier_install_is_named_and_left_alone(tmp_path):
    (xlstart(tmp_path)).mkdir(parents=True)
    (xlstart(tmp_path) / "xlwings.xlam").write_text("xlwings")
    lines = [line.text("en") for line in install(windows(tmp_path))]
    assert any("xlwings.xlam stays" in line for line in lines)
    uninstall(windows(tmp_path))
    assert (xlstart(tmp_path) / "xlwings.xlam").read_text() == "xlwings"


def test_a_dry_run_says_where_everything_would_go_and_writes_nothing(tmp_path):
    lines = [line.text("en") for line in install(windows(tmp_path), dry_run=True)]
    assert lines[0] == "xlcrm install would:"
    assert any("XLSTART" in line and "xlcrm.xlam" in line for line in lines)
    assert any("xlcrm.conf" in line and PYTHON in line and "cp936" in line for line in lines)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_excel_holds_is_a_readable_error(tmp_path):
    (tmp_path / ".xlcrm").write_text("a file where the config folder goes")
    with pytest.raises(XlcrmError) as error:
        install(windows(tmp_path))
    assert "Quit Excel" in error.value.text("en") and "退出 Excel" in error.value.text("zh")


@pytest.mark.parametrize("command", ["install", "uninstall"])
@pytest.mark.parametrize("platform, where", [("windows", r"%APPDATA%\Microsoft\Excel\XLSTART\xlcrm.xlam"),
                                             ("mac", "~/Library/Group Containers/UBF8T346G9.Office")])
def test_the_plan_for_either_system_shows_from_any_system(tmp_path, command, platform, where):
    result = run("--lang", "en", command, "--dry-run", "--platform", platform)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"xlcrm {command} would:") and where in result.output
    if command == "install":
        assert "xlwings.xlam" not in result.output and "xlcrm.conf" in result.output
    zh = run("--lang", "zh", command, "--dry-run", "--platform", platform)
    assert zh.exit_code == 0 and f"xlcrm {command} 将会" in zh.output


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="what install says on Linux")
def test_on_linux_install_explains_that_excel_is_needed_and_how_to_see_the_plan():
    for args in (["install"], ["install", "--dry-run"], ["uninstall"], ["install", "--platform", "windows"]):
        result = run("--lang", "en", *args)
        assert result.exit_code == 1 and "Excel" in result.output, args
        assert "--dry-run" in result.output and "Traceback" not in result.output
