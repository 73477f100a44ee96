"""What new users really hand xlcrm: old and foreign file formats, locked, read-only and encrypted
workbooks, two runs at once, templates written the way a Chinese team writes them, a language
switched after the first run. Each gets a message saying what to do, exit code 1, and the
workbook as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from conftest import make_book
from helpers import pause_at
from helpers.cli import run
from helpers.libreoffice import convert
from helpers.workbooks import values
from xlcrm.book.file import FileBook
from xlcrm.cli import main
from xlcrm.core.edits import SetCells
from xlcrm.core.errors import XlcrmError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def both_languages(output: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in output) and any(w in output for w in ("the ", "is ", "xlcrm"))


# -- files that are not a workbook xlcrm can write ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind, words", [("xls", ("Excel 97-2003", "另存为")), ("ods", ("OpenDocument", "另存为")),
                                         ("csv", ("CSV", "另存为"))])
def test_a_workbook_in_another_format_says_how_to_save_it_as_xlsx_in_both_languages(tmp_path, kind, words):
    original = convert(make_book(tmp_path / "src"), kind, tmp_path)
    before = digest(original)
    result = run("check", original, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1
    assert all(w in result.output for w in words) and "Save As" in result.output, result.output
    assert "Unexpected" not in result.output and digest(original) == before


@pytest.mark.slow
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


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A workbook and what an uninterrupted `check` saves it as: (the workbook's bytes, the saved cell values)."""
    book = make_book(tmp_path_factory.mktemp("checked"))
    original = book.read_bytes()
    assert run("--lang", "en", "check", book).exit_code == 0
    return original, values(book)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a process, as Ctrl-C does in a POSIX terminal")
@pytest.mark.parametrize("point, expected", [("writing", "original"), ("backup", "original"),
                                             ("replacing", "original"), ("replaced", "saved")])
def test_ctrl_c_while_saving_leaves_the_workbook_whole_and_says_so(checked, tmp_path, point, expected):
    """Ctrl-C at each step of a save (helpers/pause_at.py stops the save there until the signal comes): the
    workbook is the original or the fully saved one, never half; no temporary file stays; a backup is whole."""
    original, saved = checked
    book = tmp_path / "客户跟踪表.xlsx"
    book.write_bytes(original)
    marker = tmp_path / "reached"
    process = subprocess.Popen([sys.executable, str(Path(pause_at.__file__)), point, str(marker),
                                "--lang", "en", "check", str(book)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (marker.exists() and marker.read_text() == point):
            assert process.poll() is None, f"the save never reached {point!r}: {process.communicate()}"
            assert time.monotonic() < deadline, f"the save did not reach {point!r} in two minutes"
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 1 and "not half-written" in err and "Traceback" not in err, err
    if expected == "original":
        assert book.read_bytes() == original
    else:
        assert values(book) == saved
    assert FileBook(book).sheet_names()
    assert not list(tmp_path.glob(".~xlcrm-*"))
    backup = book.with_name(f"{book.stem}.backup{book.suffix}")
    assert not backup.exists() or backup.read_bytes() == original


# -- mail templates as a Chinese team writes them -----------------------------------------------------------------


@pytest.fixture(scope="module")
def templated(tmp_path_factory):
    """A workbook after a first preview: its templates sheet holds the default templates."""
    folder = tmp_path_factory.mktemp("templated")
    book = make_book(folder)
    assert run("remind", book, "--today", "2026-11-23").exit_code == 0
    return book


def with_template(templated: Path, folder: Path, subject: str, body: str, customers: dict | None = None) -> Path:
    """A copy whose first template ('跟进问候', due today) has the given subject and body."""
    book = folder / templated.name
    book.write_bytes(templated.read_bytes())
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["邮件模板"]
    assert sheet["A2"].value == "跟进问候"
    sheet["G2"], sheet["H2"] = subject, body
    for ref, value in (customers or {}).items():
        workbook[workbook.sheetnames[0]][ref] = value
    workbook.save(book)
    return book


def preview(book: Path, template: str = "跟进问候") -> list[dict]:
    rows = list(openpyxl.load_workbook(book)["邮件预览"].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:] if dict(zip(rows[0], row))["模板"] == template]


def test_full_width_braces_typed_with_a_chinese_input_method_are_fields(templated, tmp_path):
    book = with_template(templated, tmp_path, "｛｛客户名称｝｝您好", "尊敬的｛｛ 联系人 ｝｝：\n{{ signature }}")
    assert run("remind", book, "--today", "2026-11-23").exit_code == 0
    going = [row for row in preview(book) if row["状态"] == "待发送"]
    assert going and all(row["主题"] == f"{row['客户']}您好" for row in going)
    assert not any("｛" in row["正文"] or "{" in row["正文"] for row in going)


def test_a_header_that_is_not_a_name_can_be_a_field(templated, tmp_path):
    book = with_template(templated, tmp_path, "{{ 客户名称 }}", "渠道:{{ 客户来源 (渠道) }}", {"I2": "客户来源 (渠道)"})
    result = run("remind", book, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    sources = {row[1]: row[8] for row in openpyxl.load_workbook(book)["客户跟踪表"].iter_rows(min_row=3, values_only=True)}
    going = [row for row in preview(book) if row["状态"] == "待发送"]
    assert going and all(row["正文"].strip() == f"渠道:{sources[row['客户']]}" for row in going)


@pytest.mark.parametrize("subject, body, words", [
    ("{{ 客户名 }} 您好", "x", ("第 2 行", "主题", "{{ 客户名 }}", "是否想写 {{ 客户名称 }}")),
    ("x", "{{ 联系人 | upperr }}", ("第 2 行", "正文", "upperr", "是否想写“| upper”", "使用该模板的邮件均未发送")),
    ("x", "{% if 称呼 %}{{ 称呼 }}", ("第 2 行", "正文", "{% endif %}", "使用该模板的邮件均未发送")),
])
def test_a_template_mistake_names_the_row_the_part_and_the_fix(templated, tmp_path, subject, body, words):
    """One broken template keeps its messages back and says why; the other templates' messages go on."""
    book = with_template(templated, tmp_path, subject, body)
    result = run("remind", book, "--today", "2026-11-23")
    assert result.exit_code == 0 and "Unexpected error" not in result.output, result.output
    assert all(w in result.output for w in words), result.output
    assert_only_that_template_held(book, tmp_path, subject, body)


def assert_only_that_template_held(book: Path, folder: Path, subject: str, body: str) -> None:
    held = preview(book)
    assert held and {row["状态"] for row in held} <= {"拒绝生成", "跳过"}
    assert {row["模板"] for row in preview_all(book) if row["状态"] == "待发送"}  # the others are going
    assert len(list(folder.glob("*.outbox/*.eml"))) == sum(row["状态"] == "待发送" for row in preview_all(book))
    template = openpyxl.load_workbook(book)["邮件模板"]
    assert (template["G2"].value, template["H2"].value) == (subject, body)  # what the team typed is kept


def preview_all(book: Path) -> list[dict]:
    rows = list(openpyxl.load_workbook(book)["邮件预览"].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_a_blank_field_the_text_needs_refuses_that_message_never_dear_blank(templated, tmp_path):
    blank = {f"C{row}": None for row in range(3, 60)}  # nobody's contact person is known
    book = with_template(templated, tmp_path, "{{ 客户名称 }}", "尊敬的{{ 联系人 }}：\n{% if 称呼 %}{{ 称呼 }}{% endif %}",
                         blank)
    result = run("remind", book, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    rows = preview(book)
    assert rows and not [row for row in rows if row["状态"] == "待发送"]
    refused = [row for row in rows if row["状态"] == "拒绝生成"]
    assert refused and all("{{ 联系人 }}" in row["原因"] and "为空" in row["原因"] for row in refused)
    messages = [p.read_bytes() for p in tmp_path.glob("*.outbox/*.eml")]
    assert not any("尊敬的：".encode() in m for m in messages)


def test_a_huge_loop_stops_early_naming_the_template_row(templated, tmp_path):
    body = "{% for i in range(100000) %}{% for j in range(20) %}{{ 联系人 }}{% endfor %}{% endfor %}"
    book = with_template(templated, tmp_path, "x", body)
    started = time.monotonic()
    result = run("remind", book, "--today", "2026-11-23")
    assert time.monotonic() - started < 30
    assert result.exit_code == 0 and "第 2 行" in result.output and "循环套循环" in result.output, result.output
    assert_only_that_template_held(book, tmp_path, "x", body)


# -- the language switched after xlcrm wrote its columns and sheets ---------------------------------------------------


def set_language(book: Path, value: str) -> None:
    workbook = openpyxl.load_workbook(book)
    settings = next(workbook[n] for n in ("CRM设置", "CRM Settings") if n in workbook.sheetnames)
    row = next(r for r in settings.iter_rows() if r[0].value == "language")
    row[2].value = value
    workbook.save(book)


def run_all(book: Path) -> None:
    for command in ("refresh", "followups", "remind"):
        result = run(command, book, "--today", "2026-11-23")
        assert result.exit_code == 0, result.output


def test_switching_the_language_back_and_forth_renames_xlcrms_columns_and_sheets_never_duplicates(tmp_path):
    book = make_book(tmp_path)
    team = [row[:21] for row in openpyxl.load_workbook(book)["客户跟踪表"].iter_rows(values_only=True)]
    run_all(book)
    zh_sheets = openpyxl.load_workbook(book).sheetnames
    zh_width = openpyxl.load_workbook(book)["客户跟踪表"].max_column
    for lang in ("en", "zh"):
        set_language(book, lang)
        run_all(book)
        workbook = openpyxl.load_workbook(book)
        headers = [c.value for c in workbook["客户跟踪表"][2]]
        assert workbook["客户跟踪表"].max_column == zh_width and len(set(headers)) == len(headers)
        assert len(workbook.sheetnames) == len(zh_sheets)
        assert ("Segment" in headers) == (lang == "en") and ("客户分群" in headers) == (lang == "zh")
        assert [row[:21] for row in workbook["客户跟踪表"].iter_rows(values_only=True)] == team
    assert openpyxl.load_workbook(book).sheetnames == zh_sheets


def test_a_misspelt_language_in_the_settings_is_said_not_silently_ignored(tmp_path):
    book = make_book(tmp_path)
    assert run("check", book).exit_code == 0
    set_language(book, "englsh")
    result = run("check", book)
    assert result.exit_code == 0 and "“englsh”" in result.output and "zh 或 en" in result.output


# -- the command line ----------------------------------------------------------------------------------------------


def test_the_command_list_shows_each_commands_whole_sentence():
    listing = " ".join(run("--help").output.split())
    for command in main.commands.values():
        first = " ".join(command.get_short_help_str(limit=1000).split())
        assert first in listing, first


def test_today_accepts_the_year_first_spellings_of_the_sheets_and_refuses_a_typo_in_both_languages(tmp_path):
    book = make_book(tmp_path)
    for spelling in ("2026-11-23", "2026/11/23", "2026.11.23", "2026年11月23日"):
        result = run("followups", book, "--today", spelling)
        assert result.exit_code == 0 and "2026-11-23" in result.output, (spelling, result.output)
    before = digest(book)
    for typo in ("2026-13-01", "2026-02-30", "23/11/2026"):
        result = run("refresh", book, "--today", typo, env={"XLCRM_LANG": "", "LANG": "C"})
        assert result.exit_code == 2 and "2026-11-23" in result.output and "年份在前" in result.output, result.output
        assert "%Y" not in result.output
    assert digest(book) == before


def test_a_workbook_whose_name_starts_with_a_tilde_is_a_file_not_a_home_folder(tmp_path, monkeypatch):
    book = make_book(tmp_path).rename(tmp_path / "~草稿 '二' .xlsx")
    monkeypatch.chdir(tmp_path)
    result = run("check", "~草稿 '二' .xlsx")
    assert result.exit_code == 0, result.output
    assert "CRM设置" in openpyxl.load_workbook(book).sheetnames


def test_pointing_at_excels_lock_file_names_the_workbook_to_use(tmp_path, monkeypatch):
    book = make_book(tmp_path)
    (tmp_path / f"~${book.name}").write_bytes(b"\x07owner" + b"\x20" * 50)
    monkeypatch.chdir(tmp_path)
    result = run("--lang", "en", "check", f"~${book.name}")
    assert result.exit_code == 1 and f"run xlcrm on {book.name}" in result.output, result.output


def test_a_workbook_in_a_folder_nobody_may_write_says_what_may_hold_it(tmp_path):
    import subprocess

    folder = tmp_path / "locked"
    folder.mkdir()
    book = make_book(folder)
    if os.geteuid() == 0:  # root writes anywhere: an immutable folder stands for one the user may not write
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("chattr +i is not supported on this file system, and root may write any folder")
    else:
        folder.chmod(0o555)
    try:
        before = digest(book)
        result = run("--lang", "en", "check", book)
        assert result.exit_code == 1 and "WPS" in result.output and "folder you can write" in result.output
        assert digest(book) == before and sorted(p.name for p in folder.iterdir()) == [book.name]
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_an_html_page_saved_as_xls_is_named_for_what_it_is(tmp_path):
    export = tmp_path / "客户导出.xls"
    export.write_text("<html><body><table><tr><td>客户名称</td></tr></table></body></html>", encoding="utf-8")
    result = run("--lang", "zh", "check", export)
    assert result.exit_code == 1 and "网页(HTML)" in result.output and "另存为" in result.output


def test_a_template_written_without_a_name_is_pointed_at_not_silently_ignored(templated, tmp_path):
    book = with_template(templated, tmp_path, "{{ greeting_name }}，近来一切可好？", "{{ greeting_name }}，您好！")
    workbook = openpyxl.load_workbook(book)
    row = workbook["邮件模板"].max_row + 2
    workbook["邮件模板"][f"G{row}"], workbook["邮件模板"][f"H{row}"] = "新品上市", "{{ 客户名称 }}，新品上市了"
    workbook.save(book)
    before = digest(book)
    result = run("remind", book, "--today", "2026-11-23")
    assert result.exit_code == 1 and f"邮件模板!A{row}" in result.output and "没有模板名称" in result.output
    assert digest(book) == before


def test_the_send_hint_is_a_command_that_works_for_any_file_name(templated, tmp_path):
    import shlex

    book = tmp_path / "销售 \"客户\" $1 表.xlsx"
    book.write_bytes(templated.read_bytes())
    result = run("remind", book, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    hint = next(line for line in result.output.splitlines() if "xlcrm remind" in line and "--send" in line)
    command = hint[hint.index("xlcrm remind"):hint.index("--send")]
    named = Path(shlex.split(command)[2])
    assert named.name == book.name and named.resolve() == book.resolve()  # pasted from this folder, it finds the file


def test_chinese_quotes_in_a_tag_are_the_templates_quotes(templated, tmp_path):
    blank = {f"C{row}": None for row in range(3, 60)}
    book = with_template(templated, tmp_path, "{{ 客户名称 }}", "尊敬的{{ 联系人 or “客户” }}：\n您好!", blank)
    result = run("remind", book, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    going = [row for row in preview(book) if row["状态"] == "待发送"]
    assert going and all(row["正文"].startswith("尊敬的客户：") for row in going)
