"""Benchmark: `refresh` on generated workbooks of 10k customers / 100k orders and 100k / 1M.

For each size, in fresh processes so that peak memory is each one's own:
  floor    read every sheet of the same workbook with calamine (the fastest reader) into Python rows
  refresh  the whole action on a copy of the workbook: read, score, write and save
Printed: wall time and peak resident memory of both, and refresh as a multiple of the floor,
with the time of each refresh step.

    .venv/bin/python bench/refresh.py                 # both sizes
    .venv/bin/python bench/refresh.py --sizes 10000   # just the small one
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 11, 23)
ORDERS_PER_CUSTOMER = 10


def make_workbook(path: Path, customers: int, orders: int, seed: int = 1) -> None:
    """A tracking workbook as teams keep one: a title row, Chinese headers, dates and amounts partly as text."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("客户跟踪表")
    sheet.append(["2026年客户跟踪表"])
    sheet.append(["序号", "客户名称", "联系人", "手机", "负责人", "最近联系日期", "累计成交金额", "备注"])
    names = [f"客户{i:06d}有限公司" for i in range(customers)]
    owners = ["张磊", "李娜", "王芳", "刘洋"]
    for i, name in enumerate(names):
        contact = dt.datetime(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 320))
        sheet.append([i + 1, name, f"联系人{i}", f"138{rng.randint(0, 99_999_999):08d}", owners[i % 4], contact,
                      None, None])
    orders_sheet = book.create_sheet("订单记录")
    orders_sheet.append(["订单号", "下单日期", "客户名称", "产品", "金额"])
    buyers = [name for name in names if rng.random() > 0.15]  # some customers never bought
    weights = [rng.paretovariate(1.2) for _ in buyers]
    for number, name in enumerate(rng.choices(buyers, weights, k=orders), start=1):
        day = TODAY - dt.timedelta(days=int(rng.expovariate(1 / 200)))
        amount = round(rng.lognormvariate(7, 1), 2) * (-1 if rng.random() < 0.01 else 1)
        orders_sheet.append([f"SO{number:07d}", _date(rng, day), name, "配件", _amount(rng, amount)])
    book.save(path)


def _date(rng: random.Random, day: dt.date):
    choice = rng.random()
    if choice < 0.8:
        return dt.datetime(day.year, day.month, day.day)
    return f"{day.year}/{day.month}/{day.day}" if choice < 0.9 else f"{day.year}年{day.month}月{day.day}日"


def _amount(rng: random.Random, amount: float):
    return amount if rng.random() < 0.85 else f"¥{amount:,.2f}"


def floor(path: Path) -> dict:
    import python_calamine

    start = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    cells = sum(len(row) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python())
    return {"seconds": time.perf_counter() - start, "cells": cells}


def refresh(path: Path) -> dict:
    from xlcrm.actions.refresh import refresh as refresh_action
    from xlcrm.book.file import FileBook

    steps: list[tuple[str, float]] = []

    def timed(items, total, label):
        for item in items:
            start = time.perf_counter()
            yield item
            steps.append((item.__name__, time.perf_counter() - start))

    start = time.perf_counter()
    result = refresh_action(FileBook(path), TODAY, timed)
    return {"seconds": time.perf_counter() - start, "steps": steps, "scored": result.scored,
            "saved_elsewhere": result.saved.elsewhere}


def child(kind: str, path: Path) -> None:
    figures = {"floor": floor, "refresh": refresh}[kind](path)
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def measure(kind: str, path: Path) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def bench(customers: int, folder: Path) -> None:
    orders = customers * ORDERS_PER_CUSTOMER
    source = folder / f"bench-{customers}.xlsx"
    if not source.exists():
        start = time.perf_counter()
        make_workbook(source, customers, orders)
        print(f"  generated {source.name} in {time.perf_counter() - start:.1f} s "
              f"({source.stat().st_size / 1e6:.1f} MB)", flush=True)
    base = measure("floor", source)
    copy = folder / "run.xlsx"
    shutil.copy(source, copy)
    run = measure("refresh", copy)
    for leftover in folder.glob("run.*"):
        leftover.unlink()
    print(f"{customers:>7,} customers / {orders:>9,} orders")
    print(f"  floor   (calamine read) {base['seconds']:8.2f} s  {base['peak_mb']:8.0f} MB peak")
    print(f"  refresh                 {run['seconds']:8.2f} s  {run['peak_mb']:8.0f} MB peak   "
          f"x{run['seconds'] / base['seconds']:.1f} time, x{run['peak_mb'] / base['peak_mb']:.1f} memory")
    print("    steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run["steps"])
          + f"; {run['scored']:,} customers scored", flush=True)


def run_sizes(doc: str, bench_one, child_one) -> None:
    """The command line shared by the benches built on these workbooks: --sizes, --dir, and the child runs."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="customer counts (orders are 10 per customer)")
    parser.add_argument("--dir", type=Path, help="keep the generated workbooks here (default: a temporary folder)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_one(args.child[0], Path(args.child[1]))
    folder = args.dir or Path(tempfile.mkdtemp(prefix="xlcrm-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            bench_one(size, folder)
    finally:
        if not args.dir:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    run_sizes(__doc__, bench, child)


if __name__ == "__main__":
    main()
