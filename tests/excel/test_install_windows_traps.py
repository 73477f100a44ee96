"""`xlcrm install` on two Windows set-ups where it used to say Done and leave a CRM tab that cannot work: a user
folder (or TEMP) whose name the ANSI code page cannot hold, which Excel's macros read through it, and the
Microsoft Store's Python, whose writes into AppData Windows redirects to a private copy Excel never reads.
Both are refused before anything is written, saying what to do."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from xlcrm.core.errors import XlcrmError
from xlcrm.workbook.install import WINDOWS, Target, install

PROGRAM_FILES_PYTHON = r"C:\Program Files\Python312\python.exe"  # where NOT_READABLE sends a Python
STORE_ALIAS = (r"C:\Users\wang\AppData\Local\Microsoft\WindowsApps\PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0"
               r"\python.exe")
STORE_PACKAGE = r"C:\Program Files\WindowsApps\PythonSoftwareFoundation.Python.3.12_3.12.2032.0_x64__qbz5n2kfra8p0"


def written(home: Path) -> set[str]:
    return {p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file()}


def as_vba_reads(path: str, codepage: str) -> str:
    """A path as VBA's Environ gives it: through the ANSI code page, '?' for what it lacks."""
    return path.encode(codepage, "replace").decode(codepage)


@pytest.mark.parametrize("user, codepage", [("张三", "cp1252"), ("Łukasz", "cp1252"), ("Nguyễn", "cp936")])
def test_a_user_folder_the_code_page_cannot_hold_is_refused_with_what_to_do(tmp_path, user, codepage):
    home = tmp_path / user
    assert as_vba_reads(str(home), codepage) != str(home)  # where VBA would look for xlcrm.conf: not there
    with pytest.raises(XlcrmError) as error:
        install(Target(WINDOWS, home, PROGRAM_FILES_PYTHON, codepage))
    en, zh = error.value.text("en"), error.value.text("zh")
    assert str(home) in en and codepage in en and "xlcrm.conf is missing" in en
    assert "system locale" in en and "UTF-8" in en and "user account" in en  # two ways out
    assert str(home) in zh and "非 Unicode 程序的语言" in zh and "UTF-8" in zh
    lacking = "".join(c for c in user if as_vba_reads(c, codepage) != c)
    assert f"has no {lacking}," in en and written(tmp_path) == set()


def test_a_temp_folder_the_code_page_cannot_hold_is_refused_with_what_to_do(tmp_path):
    temp = PureWindowsPath(r"D:\临时")
    with pytest.raises(XlcrmError) as error:
        install(Target(WINDOWS, tmp_path, PROGRAM_FILES_PYTHON, "cp1252", temp=temp))
    en, zh = error.value.text("en"), error.value.text("zh")
    assert str(temp) in en and "TEMP" in en and "临时" in en and r"C:\Temp" in en
    assert str(temp) in zh and "TEMP" in zh and "环境变量" in zh
    assert written(tmp_path) == set()


@pytest.mark.parametrize("codepage, temp", [("cp936", r"C:\Users\张三\AppData\Local\Temp"),
                                            ("cp65001", r"C:\Users\Nguyễn\AppData\Local\Temp"),
                                            ("cp1252", r"C:\Users\José\AppData\Local\Temp")])
def test_folders_the_code_page_holds_install_as_before(tmp_path, codepage, temp):
    home = tmp_path / PureWindowsPath(temp).parts[2]  # the same user's folder
    lines = install(Target(WINDOWS, home, PROGRAM_FILES_PYTHON, codepage, temp=PureWindowsPath(temp)))
    assert "Quit Excel completely" in lines[-1].text("en")
    assert ".xlcrm/xlcrm.conf" in written(home)


def store(home: Path, python: str, base: str | None) -> Target:
    return Target(WINDOWS, home, python, "cp936", **({"base": PureWindowsPath(base)} if base else {}))


@pytest.mark.parametrize("python, base", [
    (STORE_ALIAS, None),  # the Store's Python itself (its path says so)
    (STORE_ALIAS, STORE_PACKAGE),  # as this_computer() describes it
    (r"C:\Users\wang\crm\.venv\Scripts\python.exe", STORE_PACKAGE),  # a virtual environment made from it
])
def test_the_microsoft_store_python_is_refused_pointing_to_python_org(tmp_path, python, base):
    with pytest.raises(XlcrmError) as error:
        install(store(tmp_path, python, base))
    en, zh = error.value.text("en"), error.value.text("zh")
    assert python in en and "Microsoft Store" in en and "https://www.python.org/downloads/windows/" in en
    assert python in zh and "Microsoft Store" in zh and "python.org" in zh
    with pytest.raises(XlcrmError):
        install(store(tmp_path, python, base), dry_run=True)
    assert written(tmp_path) == set()


def test_a_python_org_python_and_its_venv_install(tmp_path):
    base = PureWindowsPath(r"C:\Users\wang\AppData\Local\Programs\Python\Python312")
    for python in (str(base / "python.exe"), r"C:\Users\wang\crm\.venv\Scripts\python.exe"):
        assert "Quit Excel completely" in install(Target(WINDOWS, tmp_path, python, "cp936", base=base))[-1].text("en")
