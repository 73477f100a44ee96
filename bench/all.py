"""Benchmark: every command as a whole process against the floor, reading every sheet of the same file.

One table: command x workbook x (seconds, ratio to the floor measured in the same run, peak memory), and the
CPU time with its ratio, which says more than the wall time on a machine busy with other work.
The floor is a fresh Python process that reads every sheet of the workbook with calamine (the fastest
reader) into Python rows; each command is `python -m xlcrm COMMAND` on a fresh copy of the workbook, so
that start-up, imports, reading, work and the save all count, as for a user. Workbooks:

  10000        bench/refresh.py's workbook: 10,000 customers (Chinese headers, a title row), 100,000 orders
               (dates and amounts partly typed as text)
  100000       the same shape at 100,000 customers / 1,000,000 orders (slow: minutes per command)
  third-party  a sheet kept by hand elsewhere: 10,000 rows of one wide sheet (40 columns), dates typed as text,
               a formula on every row, and styles on 1,000 empty rows under the table
  SIZE+again   the same workbook as it is the next day, after every command ran on it once the day before (xlcrm's
               columns, colours and sheets already in it): what a team waits for on every day but the first

Beside the floor, "floor + libraries" reads the same way while importing the libraries xlcrm's commands cannot do
without (pandas, openpyxl, lxml, holidays) in the main thread, as xlcrm does: the part of each ratio no work
of xlcrm's own can go below.

    .venv/bin/python bench/all.py                            # 10000 and third-party
    .venv/bin/python bench/all.py --sizes 10000,100000,third-party --repeat 3
    .venv/bin/python bench/all.py --sizes 10000+again,third-party+again
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from refresh import ORDERS_PER_CUSTOMER, TODAY, make_workbook  # noqa: E402 (the bench folder is not a package)

COMMANDS = ("check", "refresh", "followups", "report", "remind")
FLOOR = ("import sys, python_calamine\n"
         "book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])\n"
         "sum(len(row) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python())\n")
FLOOR_WITH_LIBRARIES = ("import sys, threading, python_calamine\n"
                        "def read():\n"
                        "    book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])\n"
                        "    sum(len(row) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python())\n"
                        "reading = threading.Thread(target=read)\n"
                        "reading.start()\n"
                        "import pandas, openpyxl, lxml.etree, holidays\n"
                        "reading.join()\n")
AGAIN = "+again"


def make_third_party(path: Path, rows: int = 10_000, seed: int = 2) -> None:
    """A wide hand-kept sheet: 40 columns, text dates, a formula per row, 1,000 styled empty rows below."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Border, PatternFill, Side

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    header = ["序号", "客户名称", "联系人", "职务", "手机", "邮箱", "负责人", "省份", "城市", "地址", "行业", "来源",
              "首次接触", "最近联系日期", "下次跟进", "阶段", "成交金额", "预计金额", "赢单率", "加权金额", "备注",
              "最近下单日期", "订单数"]
    header += [f"自定义{i:02d}" for i in range(1, 41 - len(header))]
    sheet.append(header)
    owners, stages = ["张磊", "李娜", "王芳", "刘洋", "陈静"], ["见到客户", "发现机会", "确认机会", "明确需求", "方案报价"]
    for i in range(rows):
        number = i + 2
        first = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
        last = first + dt.timedelta(days=rng.randint(0, 300))
        following = last + dt.timedelta(days=rng.choice([7, 14, 30]))
        sheet.append([i + 1, f"客户{i:05d}商贸", f"联系人{i}", "经理", f"139{rng.randint(0, 99_999_999):08d}",
                      f"c{i}@example.com" if rng.random() < 0.5 else None, owners[i % 5], "广东", "深圳",
                      f"深圳市南山区{i}号", "制造", "展会", f"{first.year}年{first.month}月{first.day}日",
                      f"{last.year}/{last.month}/{last.day}", following.isoformat(), rng.choice(stages),
                      f"¥{rng.randint(0, 500_000):,}", rng.randint(1_000, 900_000), rng.choice([0.1, 0.3, 0.5, 0.8]),
                      f"=R{number}*S{number}", "老客户介绍" if rng.random() < 0.1 else None,
                      f"{last.year}年{last.month}月{last.day}日" if i % 4 else None, rng.randint(1, 30) if i % 4 else 0,
                      *[rng.choice(["是", "否", None, "A", "B"]) for _ in range(len(header) - 23)]])
    fill, line = PatternFill("solid", fgColor="FFF2CC"), Side(style="thin", color="BFBFBF")
    for _ in range(1_000):  # formatted ahead for rows still to come
        cells = []
        for _ in header:
            cell = WriteOnlyCell(sheet, value=None)
            cell.fill, cell.border = fill, Border(left=line, right=line, top=line, bottom=line)
            cells.append(cell)
        sheet.append(cells)
    book.save(path)


# As a user runs an installed xlcrm: pip compiles its modules at install time, so no run compiles them again.
# (A shell or CI that sets PYTHONDONTWRITEBYTECODE would otherwise add ~0.1 s of compiling to every command.)
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_xlcrm() -> None:
    import compileall

    import xlcrm.macros
    import xlcrm.reports
    import xlcrm.workbook
    for package in (xlcrm, xlcrm.reports, xlcrm.workbook, xlcrm.macros):
        for folder in package.__path__:
            compileall.compile_dir(folder, quiet=1)


def run(argv: list[str]) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak MB) of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=USER_ENV)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    errors = process.stderr.read().decode(errors="replace")
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 3):  # 3: saved beside the workbook (said in the output)
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}: {errors[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(argv: list[str], repeat: int, before=None) -> tuple[float, float, float]:
    results = []
    for _ in range(repeat):
        if before:
            before()
        results.append(run(argv))
    return min(r[0] for r in results), min(r[1] for r in results), max(r[2] for r in results)


def workbook(size: str, folder: Path) -> Path:
    path = folder / f"bench-{size}.xlsx"
    if not path.exists():
        start = time.perf_counter()
        if size.endswith(AGAIN):
            run_once(workbook(size.removesuffix(AGAIN), folder), path)
        elif size == "third-party":
            make_third_party(path)
        else:
            make_workbook(path, int(size), int(size) * ORDERS_PER_CUSTOMER)
        print(f"  generated {path.name} in {time.perf_counter() - start:.0f} s ({path.stat().st_size / 1e6:.1f} MB)",
              file=sys.stderr, flush=True)
    return path


def run_once(source: Path, path: Path) -> None:
    """The workbook as it stands the next day: every command run on it once, the day before."""
    shutil.copy(source, path)
    day_before = (TODAY - dt.timedelta(days=1)).isoformat()
    for command in COMMANDS:
        today = [] if command == "check" else ["--today", day_before]
        run([sys.executable, "-m", "xlcrm", command, str(path), *today])
    for leftover in path.parent.glob(path.stem + ".*"):  # the backup and the outbox; the workbook stays
        if leftover != path:
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    shutil.rmtree(path.parent / "reports", ignore_errors=True)


def label(size: str) -> str:
    if size.endswith(AGAIN):
        return label(size.removesuffix(AGAIN)) + ", next day"
    if size == "third-party":
        return size
    customers = int(size)
    return f"{_count(customers)} / {_count(customers * ORDERS_PER_CUSTOMER)}"


def _count(number: int) -> str:
    return f"{number // 1000:,}k" if number % 1000 == 0 else f"{number:,}"


def bench(size: str, folder: Path, repeat: int) -> list[tuple]:
    source = workbook(size, folder)
    copy = folder / "run.xlsx"

    def fresh() -> None:
        shutil.copy(source, copy)
        for leftover in [*folder.glob("run.*"), folder / "reports"]:
            if leftover != copy:
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)

    floor, floor_cpu, floor_mb = best([sys.executable, "-c", FLOOR, str(source)], repeat)
    rows = [(label(size), "floor (calamine read)", floor, 1.0, floor_cpu, 1.0, floor_mb)]
    seconds, cpu, mb = best([sys.executable, "-c", FLOOR_WITH_LIBRARIES, str(source)], repeat)
    rows.append((label(size), "floor + libraries", seconds, seconds / floor, cpu, cpu / floor_cpu, mb))
    seconds, cpu, mb = best([sys.executable, "-m", "xlcrm", "--help"], repeat)
    rows.append((label(size), "xlcrm --help", seconds, seconds / floor, cpu, cpu / floor_cpu, mb))
    for command in COMMANDS:
        today = [] if command == "check" else ["--today", TODAY.isoformat()]
        try:
            seconds, cpu, mb = best([sys.executable, "-m", "xlcrm", command, str(copy), *today], repeat, fresh)
        except RuntimeError as error:  # said, and the table goes on
            print(f"  {label(size)} {command}: {error}", file=sys.stderr, flush=True)
            seconds = cpu = mb = float("nan")
        rows.append((label(size), command + (" (dry run)" if command == "remind" else ""), seconds, seconds / floor,
                     cpu, cpu / floor_cpu, mb))
        print(f"  {label(size)} {command}: {seconds:.2f} s", file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,third-party", help="10000, 100000 and/or third-party, each also as SIZE+again")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the quickest counts")
    parser.add_argument("--dir", type=Path, help="keep the generated workbooks here (default: a temporary folder)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="xlcrm-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    table = []
    compile_xlcrm()
    try:
        for size in args.sizes.split(","):
            table += bench(size.strip(), folder, args.repeat)
    finally:
        if not args.dir:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, best of {args.repeat}")
    print("| workbook | command | seconds | x floor | CPU seconds | x floor (CPU) | peak MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for size, command, seconds, ratio, cpu, cpu_ratio, mb in table:
        print(f"| {size} | {command} | {seconds:.2f} | {ratio:.1f} | {cpu:.2f} | {cpu_ratio:.1f} | {mb:.0f} |")


if __name__ == "__main__":
    main()
