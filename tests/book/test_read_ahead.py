"""Reading a workbook ahead (book/file, bootstrap.file_book(read_ahead=True)): while the command line loads
pandas, a second thread reads every sheet. What an action reads, and every refusal of a damaged or hostile
file, must be exactly as without it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlcrm import bootstrap
from xlcrm.book import file as file_backend
from xlcrm.book.file import KEPT_ROWS, FileBook, bounds
from xlcrm.core.edits import SetCells
from xlcrm.core.errors import XlcrmError


def three_sheets(path: Path, orders: int = KEPT_ROWS + 500) -> Path:
    """A customer sheet, an orders sheet longer than what is kept for the run, and a notes sheet with gaps."""
    book = openpyxl.Workbook()
    customers = book.active
    customers.title = "客户"
    customers.append(["客户名称", "电话", "最近联系日期", "金额"])
    for n in range(40):
        customers.append([f"客户{n}", f"1380000{n:04d}", dt.datetime(2026, 3, 1 + n % 28), n * 10.5 or None])
    sheet = book.create_sheet("订单")
    sheet.append(["订单号", "日期", "客户名称", "金额"])
    for n in range(orders):
        sheet.append([f"D{n}", dt.datetime(2026, 1, 1) + dt.timedelta(days=n % 300), f"客户{n % 40}", n + 0.25])
    notes = book.create_sheet("备注")
    notes["B3"] = "第一条"
    notes["D7"] = True
    book.save(path)
    return path


def every_read(book: FileBook) -> list:
    """What an action's session does: the heads of every sheet, then whole sheets, some of them twice."""
    names = book.sheet_names()
    heads = [book.read_sheet(name, 5) for name in names]
    wholes = [book.read_sheet(name) for name in names]
    return [names, heads, wholes, book.read_sheet(names[0]), book.read_sheet(names[1], 3)]


def test_reading_ahead_gives_the_action_every_cell_as_reading_on_demand_does(tmp_path):
    path = three_sheets(tmp_path / "客户.xlsx")
    on_demand = every_read(FileBook(path))
    ahead = FileBook(path)
    ahead.read_ahead()
    assert every_read(ahead) == on_demand
    assert len(on_demand[2][1]) == KEPT_ROWS + 501 and on_demand[2][2][2] == [None, "第一条", None, None]


def test_a_write_after_reading_ahead_is_read_back_as_written(tmp_path):
    path = three_sheets(tmp_path / "客户.xlsx", orders=20)
    book = bootstrap.file_book(path, read_ahead=True)
    assert book.read_sheet("客户", 1) == [["客户名称", "电话", "最近联系日期", "金额"]]
    book.apply([SetCells("客户", 1, 5, [["客户等级"], ["A"]])])
    assert book.read_sheet("客户", 2) == [["客户名称", "电话", "最近联系日期", "金额", "客户等级"],
                                         ["客户0", "13800000000", dt.date(2026, 3, 1), None, "A"]]


def far_value(path: Path) -> Path:
    book = openpyxl.load_workbook(path)
    book["订单"]["A1048576"] = "x"
    book.save(path)
    return path


def cut_short(path: Path, part: str = "xl/worksheets/sheet2.xml") -> Path:
    damaged = path.with_name("damaged.xlsx")
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            data = archive.read(info)
            out.writestr(info.filename, data[:len(data) // 2] if info.filename == part else data)
    return damaged


@pytest.mark.parametrize("spoil, says", [(far_value, "row 1,048,576"), (cut_short, "Sheet '订单'")])
def test_a_hostile_or_damaged_sheet_is_refused_when_read_with_the_same_words_as_without_reading_ahead(
        tmp_path, spoil, says):
    path = spoil(three_sheets(tmp_path / "客户.xlsx", orders=50))
    messages = []
    for ahead in (False, True):
        book = bootstrap.file_book(path, read_ahead=ahead)
        assert book.read_sheet("客户", 2)[1][0] == "客户0"  # the sound sheet reads as ever
        with pytest.raises(XlcrmError) as refused:
            book.read_sheet("订单")
        messages.append(refused.value.text("en"))
    assert messages[0] == messages[1] and says in messages[0], messages


def slow_longest_sheet(monkeypatch) -> tuple[list[str], threading.Event]:
    """The read-ahead's read of the orders sheet made slow, so that the command's thread reads the other sheets
    meanwhile: (the sheets the read-ahead read itself, set once it has begun the orders sheet)."""
    read, by_thread, begun = FileBook._read, [], threading.Event()

    def slow(book, name, max_rows, checked=False):
        if threading.current_thread().name == "xlcrm-read-ahead":
            by_thread.append(name)
            if name == "订单":
                begun.set()
                time.sleep(1.0)
        return read(book, name, max_rows, checked)

    monkeypatch.setattr(FileBook, "_read", slow)
    return by_thread, begun


def test_the_other_sheets_read_while_the_longest_is_read_ahead_are_as_read_on_demand(tmp_path, monkeypatch):
    path = three_sheets(tmp_path / "客户.xlsx")
    on_demand = every_read(FileBook(path))
    by_thread, begun = slow_longest_sheet(monkeypatch)
    book = bootstrap.file_book(path, read_ahead=True)
    assert begun.wait(10)
    assert every_read(book) == on_demand
    assert by_thread == ["订单"]  # the command's thread read the others meanwhile

    damaged = cut_short(path, "xl/worksheets/sheet3.xml")  # 备注, a sheet the command's thread reads
    messages = []
    for ahead in (False, True):
        begun.clear()
        book = bootstrap.file_book(damaged, read_ahead=ahead)
        assert not ahead or begun.wait(10)
        with pytest.raises(XlcrmError) as refused:
            book.read_sheet("备注")
        messages.append(refused.value.text("en"))
    assert messages[0] == messages[1] and "Sheet '备注'" in messages[0], messages


def test_the_longest_sheet_is_checked_before_the_command_goes_on_and_each_sheet_once(tmp_path, monkeypatch):
    """The bounds check holds the GIL as the command's imports do: it runs first, alone, then the parse that lets
    go of the GIL overlaps the imports. The check is not made again when the sheet is read."""
    path = three_sheets(tmp_path / "客户.xlsx")
    on_demand = every_read(FileBook(path))
    checked, extent = [], bounds.extent

    def counted(archive, part):
        found = extent(archive, part)
        checked.append(part)
        return found

    monkeypatch.setattr(bounds, "extent", counted)
    book = bootstrap.file_book(path, read_ahead=True)
    assert checked[:1] == ["xl/worksheets/sheet2.xml"]  # 订单, the longest, checked before file_book returned
    assert every_read(book) == on_demand
    assert sorted(checked) == [f"xl/worksheets/sheet{n}.xml" for n in (1, 2, 3)]


def test_a_workbook_past_the_read_ahead_size_is_read_sheet_by_sheet_as_asked(tmp_path, monkeypatch):
    path = three_sheets(tmp_path / "客户.xlsx", orders=20)
    monkeypatch.setattr(file_backend, "READ_AHEAD_BYTES", path.stat().st_size - 1)
    started = set(threading.enumerate())
    book = bootstrap.file_book(path, read_ahead=True)
    assert not [t for t in set(threading.enumerate()) - started if t.name == "xlcrm-read-ahead"]
    assert book.read_sheet("订单", 2)[1][0] == "D0"


def test_the_command_line_starts_reading_before_pandas_loads():
    """A --today in the ISO spelling is read without the sheets' date parser, which imports pandas: the
    workbook's second thread starts first, and the two overlap."""
    probe = ("import sys; from xlcrm.cli import DAY; "
             "day = DAY.convert('2026-11-30', None, None); "
             "assert day.date().isoformat() == '2026-11-30', day; "
             "assert 'pandas' not in sys.modules, 'pandas loaded'; "
             "DAY.convert('2026/11/30', None, None); assert 'pandas' in sys.modules")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
