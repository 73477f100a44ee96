"""Hostile and broken files (issue 12, item 13): each is refused within seconds, with a message in both
languages naming the file and what to do, exit code 1 (2 for a bad option), never a crash, and the workbook
byte for byte as it was. The files are made here, small on disk; the ones that would once take the process
down run in a subprocess with a memory limit."""

from __future__ import annotations

import hashlib
import os
import resource
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from helpers.cli import run
from xlcrm import files
from xlcrm.book.file import bounds

MEMORY_LIMIT = 1536 * 2**20  # bytes of address space the subprocess may take: a dense 1048576-row grid needs more


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def both_languages(output: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in output) and " the " in output


def team_book(path: Path, extra=None, customers: int = 60) -> Path:
    """A plain team sheet as a user keeps it; `extra` writes the hostile part into it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "电话", "最近联系日期", "负责人"])
    for n in range(customers):
        sheet.append([f"客户{n}", f"1380000{n:04d}", "2026-03-01", "张三"])
    if extra:
        extra(sheet)
    book.save(path)
    return path


def run_limited(*args: object) -> tuple[subprocess.CompletedProcess, float]:
    """`xlcrm ARGS` in its own process with its memory capped, as a scheduled job would meet the file."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "xlcrm", *map(str, args)], capture_output=True, text=True,
                          preexec_fn=cap, timeout=120, env={**os.environ, "XLCRM_LANG": "", "LANG": "C"})
    return done, time.monotonic() - started


# -- values far from the table ------------------------------------------------------------------------------


@pytest.mark.parametrize("cell, says", [("XFD1048576", "row 1,048,576"), ("A1048576", "row 1,048,576"),
                                        ("XFD1", "column XFD")])
def test_a_stray_value_far_from_the_table_is_refused_in_seconds_and_named(tmp_path, cell, says):
    """One value at XFD1048576 once made calamine ask for a 512 GiB grid (the process aborted); one in
    A1048576 made 60 customers cost 25 s and 1.4 GB; one in XFD1 made xlcrm write columns past XFD."""
    book = team_book(tmp_path / "客户.xlsx", lambda sheet: sheet.__setitem__(cell, "x"))
    before = digest(book)
    done, seconds = run_limited("followups", book, "--today", "2026-04-01")
    assert done.returncode == 1, done.stderr[-2000:]
    assert says in done.stderr and "客户.xlsx" in done.stderr and "Ctrl+End" in done.stderr
    assert both_languages(done.stderr) and "Unexpected" not in done.stderr
    assert seconds < 15 and digest(book) == before
    assert not list(tmp_path.glob(".~xlcrm-*")) and not list(tmp_path.glob("*.backup.xlsx"))


def test_a_table_reaching_the_last_column_is_refused_rather_than_written_past_it(tmp_path):
    """Values every 900 columns up to XFD: no gap to call stray, and no room right of it for xlcrm's columns."""
    def wide(sheet):
        for column in range(905, 16385, 900):
            sheet.cell(row=1, column=column, value=f"备注{column}")
        sheet.cell(row=1, column=16384, value="最后")

    book = team_book(tmp_path / "客户.xlsx", wide)
    before = digest(book)
    started = time.monotonic()
    result = run("followups", book, "--today", "2026-04-01", env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1
    assert "XFD" in result.output and "放不下" in result.output and "跟进状态" in result.output, result.output
    assert time.monotonic() - started < 20 and digest(book) == before


def test_a_formatted_empty_cell_far_away_is_no_reason_to_refuse(tmp_path):
    """calamine sizes its grid by values only: a cell at XFD1048576 with a fill and no value is read as usual."""
    def formatted(sheet):
        sheet["XFD1048576"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")

    book = team_book(tmp_path / "客户.xlsx", formatted)
    result = run("check", book, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 0, result.output


# -- packages that unpack to more than they should --------------------------------------------------------


def sheet_bomb(path: Path, unpacked: int) -> Path:
    """A workbook whose sheet unpacks to `unpacked` bytes (a comment repeated inside the sheet's XML)."""
    book = team_book(path.with_name("plain.xlsx"))
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with out.open(info.filename, "w", force_zip64=True) as stream:
                stream.write(head + b"<!--")
                block = b" " * 2**20
                for _ in range(unpacked // len(block)):
                    stream.write(block)
                stream.write(b"--><sheetData>" + tail)
    return path


def test_a_small_file_that_unpacks_to_more_than_the_ceiling_is_refused_before_it_is_unpacked(tmp_path):
    book = sheet_bomb(tmp_path / "客户.xlsx", bounds.MAX_PART + 2**20)
    assert book.stat().st_size < 2**20  # a small file on disk
    before = digest(book)
    done, seconds = run_limited("check", book)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "zip bomb" in done.stderr and "压缩炸弹" in done.stderr and "xl/worksheets/sheet1.xml" in done.stderr
    assert seconds < 10 and digest(book) == before


def declare_size(path: Path, part: str, size: int) -> None:
    """Rewrite the uncompressed size the ZIP's central directory declares for one part (a lying header)."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + length] == name:
            struct.pack_into("<I", data, at + 24, size)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    else:
        raise AssertionError(f"{part} not in {path}")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_a_part_larger_than_its_declared_size_is_refused_as_damaged(tmp_path, part):
    """zipfile stops at the declared size and its checksum then differs: refused before calamine, which would
    unpack the part without a limit."""
    book = team_book(tmp_path / "客户.xlsx")
    with zipfile.ZipFile(book) as archive:
        real = archive.getinfo(part).file_size
    declare_size(book, part, real // 2)
    before = digest(book)
    result = run("check", book, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1 and "damaged" in result.output and "损坏" in result.output, result.output
    assert "客户.xlsx" in result.output and "Unexpected" not in result.output and digest(book) == before


def test_a_part_declared_larger_than_the_ceiling_is_refused_from_the_directory_alone(tmp_path):
    book = team_book(tmp_path / "客户.xlsx")
    declare_size(book, "xl/worksheets/sheet1.xml", bounds.MAX_PART + 1)
    result = run("check", book, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 1 and "zip bomb" in result.output and "压缩炸弹" in result.output, result.output


# -- broken packages: a message naming the file, never "Unexpected error" ----------------------------------


def rewritten(source: Path, target: Path, drop: set[str] = frozenset(), change: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            if info.filename not in drop:
                out.writestr(info.filename, (change or {}).get(info.filename, archive.read(info)))
    return target


@pytest.mark.parametrize("case, says", [
    ("no workbook part", ("without the workbook part", "缺少工作簿部件")),
    ("sheet XML cut short", ("Sheet '客户'", "damaged")),
    ("content types not XML", ("cannot be read as an Excel workbook", "无法读取工作簿")),
])
def test_a_broken_package_is_named_with_what_to_do(tmp_path, case, says):
    plain = team_book(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(plain) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    changes = {"no workbook part": {"drop": {"xl/workbook.xml"}},
               "sheet XML cut short": {"change": {"xl/worksheets/sheet1.xml": sheet_xml[:len(sheet_xml) // 2]}},
               "content types not XML": {"change": {"[Content_Types].xml": b"<Types><oops"}}}[case]
    book = rewritten(plain, tmp_path / "客户.xlsx", **changes)
    before = digest(book)
    for command in (["check", book], ["followups", book, "--today", "2026-04-01"]):
        result = run(*command, env={"XLCRM_LANG": "", "LANG": "C"})
        assert result.exit_code == 1, result.output
        assert all(word in result.output for word in says) and "客户.xlsx" in result.output, result.output
        assert "Unexpected" not in result.output and "意外错误" not in result.output
        assert both_languages(result.output) and digest(book) == before


def test_sample_and_demo_into_a_path_under_a_file_say_so(tmp_path):
    blocking = tmp_path / "客户.xlsx"
    blocking.write_bytes(b"not a folder")
    for command in (["sample", blocking / "new.xlsx"], ["demo", "--dir", blocking / "demo"]):
        result = run(*command, env={"XLCRM_LANG": "", "LANG": "C"})
        assert result.exit_code == 1, result.output
        assert "is a file, not a folder" in result.output and "客户.xlsx" in result.output, result.output
        assert "Unexpected" not in result.output and blocking.read_bytes() == b"not a folder"


# -- what a killed save leaves, and days out of range ------------------------------------------------------


def test_a_temporary_file_left_by_a_killed_save_is_removed_by_the_next_run(tmp_path):
    book = team_book(tmp_path / "客户.xlsx")
    stale = tmp_path / f"{files.PREFIX}0badc0de.xlsx"
    stale.write_bytes(b"PK half a workbook")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    fresh = tmp_path / f"{files.PREFIX}5afe5afe.xlsx"  # another run's save going on now: not ours to remove
    fresh.write_bytes(b"PK being written")
    result = run("followups", book, "--today", "2026-04-01")
    assert result.exit_code == 0, result.output
    assert not stale.exists() and fresh.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"])
def test_a_day_out_of_range_is_a_usage_error(tmp_path, day):
    book = team_book(tmp_path / "客户.xlsx")
    before = digest(book)
    result = run("followups", book, "--today", day, env={"XLCRM_LANG": "", "LANG": "C"})
    assert result.exit_code == 2, result.output
    assert "1900-01-01" in result.output and "2199-12-31" in result.output and "日期范围" in result.output
    assert digest(book) == before
