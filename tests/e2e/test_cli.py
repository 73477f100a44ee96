"""The command line as a user meets it: exit codes, readable errors, every command documented."""

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import run
from xlcrm.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def test_sample_then_check_from_the_command_line(tmp_path):
    book = tmp_path / "team.xlsx"
    result = run("sample", book, "--customers", 12, "--seed", 2, "--today", "2026-11-23")
    assert result.exit_code == 0 and book.exists()
    result = run("check", book)
    assert result.exit_code == 0, result.output
    assert "客户跟踪表" in result.output and "数据问题" in result.output


def test_messages_follow_the_lang_option(tmp_path):
    book = tmp_path / "team.xlsx"
    run("sample", book, "--customers", 5)
    result = run("--lang", "en", "check", book)
    assert "Customers: sheet '客户跟踪表', header in row 2" in result.output


def test_a_missing_workbook_is_one_readable_line_and_exit_code_1(tmp_path):
    result = run("--lang", "en", "check", tmp_path / "nope.xlsx")
    assert result.exit_code == 1
    assert "Workbook not found" in result.output and "Traceback" not in result.output


def test_commands_run_in_one_process_leave_the_garbage_collector_running(tmp_path):
    """A command pauses Python's cyclic collector; a process that runs several (Excel's, clicking the ribbon)
    has it back after each, whether the command succeeded or failed."""
    book = tmp_path / "team.xlsx"
    run("sample", book, "--customers", 5)
    assert run("check", book).exit_code == 0 and gc.isenabled()
    assert run("check", tmp_path / "nope.xlsx").exit_code == 1 and gc.isenabled()


def test_the_program_runs_its_command_and_exits_cleanly(tmp_path):
    """`python -m xlcrm` keeps the collector paused to its end and freezes what is left at exit: the command's
    output is all there and the process ends with the command's exit code."""
    book = tmp_path / "team.xlsx"
    run("sample", book, "--customers", 8)
    done = subprocess.run([sys.executable, "-m", "xlcrm", "--lang", "en", "check", str(book)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("Saved ") and "Traceback" not in done.stderr


def test_a_file_that_is_not_a_workbook_is_a_readable_error(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    result = run("--lang", "en", "check", fake)
    assert result.exit_code == 1 and "cannot be read" in result.output
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("--lang", "zh", "check", legacy)
    assert result.exit_code == 1 and ".xlsx" in result.output


def test_every_command_is_documented_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"xlcrm ([a-z]+)", readme))
    missing = set(main.commands) - documented
    assert not missing, f"commands missing from README.md: {missing}"


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    import subprocess
    import sys

    book = tmp_path / "team.xlsx"
    run("sample", book, "--customers", 300)
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    # each line printed 2000 times: far more than the pipe holds once the reader has gone
    script = ("import sys, click, xlcrm.cli as cli; echo = click.echo;"
              "click.echo = lambda *a, **k: [echo(*a, **k) for _ in range(2000)];"
              "cli.main(['check', sys.argv[1]])")
    writer = subprocess.run([sys.executable, "-c", script, str(book)], stdout=reader.stdin,
                            stderr=subprocess.PIPE, text=True)
    reader.stdin.close()
    reader.wait()
    assert writer.returncode == 0, writer.stderr
    assert "Unexpected error" not in writer.stderr and "意外错误" not in writer.stderr


@pytest.mark.parametrize("module", ["xlcrm", "xlcrm.cli"])
def test_every_command_is_there_when_run_as_a_module(module):
    """`python -m xlcrm` (what a scheduled task may run) offers the same commands as the console script."""
    shown = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=True).stdout
    for command in main.commands:
        assert f"  {command} " in shown
