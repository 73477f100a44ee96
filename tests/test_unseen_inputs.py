"""What new users really hand xlcrm: old and foreign file formats, locked, read-only and encrypted
workbooks, two runs at once, templates written the way a Chinese team writes them, a language
switched after the first run. Each gets a message saying what to do, exit code 1, and the
workbook as it was."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import make_book
from helpers.libreoffice import convert
from xlcrm.book.file import FileBook
from xlcrm.cli import main
from xlcrm.core.edits import SetCells
from xlcrm.core.errors import XlcrmError


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def both_languages(output: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in output) and any(w in output for w in ("the ", "is ", "xlcrm"))


# -- files that are not a workbook xlcrm can write ------------------------------------------------------------


@pytest.mark.parametrize("kind, words", [("xls", ("Excel 97-2003", "另存为")), ("ods", ("OpenDocument", "另存为")),
                                         ("csv", ("CSV", "另存为"))])
def test_a_workbook_in_another_format_says_how_to_save_it_as_xlsx_in_both_languages(tmp_path, kind, words):
    original = convert(make_book(tmp_path / "src"), kind, tmp_path)
    before = digest(original)
    result = run("check", original, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1
    assert all(w in result.output for w in words) and "Save As" in result.output, result.output
    assert "Unexpected" not in result.output and digest(original) == before


def test_an_xls_file_renamed_to_xlsx_is_named_for_what_it_is(tmp_path):
    renamed = tmp_path / "客户 '跟进' 表.xlsx"
    renamed.write_bytes(convert(make_book(tmp_path / "src"), "xls", tmp_path).read_bytes())
    result = run("check", renamed, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1 and "Excel 97-2003" in result.output and "客户 '跟进' 表.xlsx" in result.output


def test_a_password_protected_workbook_says_to_remove_the_password(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_book(tmp_path / "src")
    locked = tmp_path / "加密.xlsx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    before = digest(locked)
    result = run("check", locked, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1
    assert "password" in result.output and "密码" in result.output and "Unexpected" not in result.output
    assert digest(locked) == before


def test_a_damaged_workbook_says_how_to_repair_it_and_is_left_alone(tmp_path):
    whole = make_book(tmp_path)
    damaged = tmp_path / "half.xlsx"
    damaged.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    before = digest(damaged)
    result = run("check", damaged, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1 and "repair" in result.output and "修复" in result.output
    assert digest(damaged) == before and not list(tmp_path.glob("half.backup*"))


def test_a_folder_or_a_missing_path_is_exit_code_1_in_both_languages(tmp_path):
    folder = tmp_path / "book.xlsx"
    folder.mkdir()
    result = run("check", folder, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1 and "folder" in result.output and "文件夹" in result.output
    result = run("check", tmp_path / "nope.xlsx", env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1 and "not found" in result.output and "找不到" in result.output


# -- the workbook on disk: read-only, locked, changed meanwhile --------------------------------------------------


def test_a_read_only_workbook_is_not_replaced(tmp_path):
    book = make_book(tmp_path)
    book.chmod(0o444)
    before = digest(book)
    result = run("--lang", "en", "check", book)
    assert result.exit_code == 1 and "read-only" in result.output
    assert digest(book) == before and stat.S_IMODE(book.stat().st_mode) == 0o444


def test_a_saved_workbook_keeps_its_permissions(tmp_path):
    book = make_book(tmp_path)
    book.chmod(0o660)  # shared with the team's group, not with everyone
    assert run("check", book).exit_code == 0
    assert stat.S_IMODE(book.stat().st_mode) == 0o660


def test_a_stale_excel_lock_file_tells_the_user_to_delete_it(tmp_path):
    book = make_book(tmp_path)
    (tmp_path / f"~${book.name}").write_bytes(b"\x00" * 165)
    before = digest(book)
    result = run("--lang", "zh", "check", book)
    assert result.exit_code == 1 and f"删除同一文件夹中的隐藏文件 ~${book.name}" in result.output
    assert digest(book) == before


def test_a_change_made_while_xlcrm_works_is_not_overwritten(tmp_path):
    path = make_book(tmp_path)
    first, second = FileBook(path), FileBook(path)
    sheet = first.sheet_names()[0]
    first.read_sheet(sheet, 5), second.read_sheet(sheet, 5)
    first.apply([SetCells(sheet, 60, 30, [["first run"]])])
    with pytest.raises(XlcrmError) as refused:
        second.apply([SetCells(sheet, 61, 30, [["second run"]])])
    assert "changed by someone else" in refused.value.text("en")
    column = [row[29] if len(row) > 29 else None for row in FileBook(path).read_sheet(sheet)]
    assert "first run" in column and "second run" not in column


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of its own: the disk can really fill up (needs root; skipped otherwise)."""
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                                           capture_output=True).returncode:
        pytest.skip("filling a disk for real needs root to mount a small tmpfs")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_leaves_the_workbook_and_the_previous_backup_whole(tmp_path, small_disk):
    page = 4096
    book = make_book(tmp_path)
    trial = tmp_path / "trial.xlsx"
    trial.write_bytes(book.read_bytes())
    assert run("check", trial).exit_code == 0
    on_disk = small_disk / book.name
    on_disk.write_bytes(book.read_bytes())
    previous = small_disk / f"{book.stem}.backup.xlsx"
    previous.write_bytes(b"yesterday's backup")
    free = os.statvfs(small_disk).f_bavail * page
    room = (trial.stat().st_size // page + 1 + book.stat().st_size // page // 2) * page  # the result, half a backup
    (small_disk / "filler").write_bytes(b"\0" * (free - room))
    before = digest(on_disk)
    result = run("--lang", "en", "check", on_disk)
    assert result.exit_code == 1 and "No space left" in result.output and "unchanged" in result.output
    assert digest(on_disk) == before and previous.read_bytes() == b"yesterday's backup"
    assert sorted(p.name for p in small_disk.iterdir()) == sorted([book.name, previous.name, "filler"])


def test_ctrl_c_while_saving_leaves_the_workbook_whole_and_says_so(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    book = make_book(tmp_path, customers=3000)
    before = digest(book)
    process = subprocess.Popen([sys.executable, "-m", "xlcrm.cli", "--lang", "en", "check", str(book)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".~xlcrm-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    if process.poll() is not None:
        pytest.skip("the save finished before it could be interrupted on this machine")
    process.send_signal(signal.SIGINT)  # mid-save: the new workbook is being written beside the old one
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1 and "not half-written" in err and "Traceback" not in err, err
    assert digest(book) == before and not list(tmp_path.glob(".~xlcrm-*"))
    assert FileBook(book).sheet_names()
