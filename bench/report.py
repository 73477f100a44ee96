"""Benchmark: `report` on the generated workbooks of bench/refresh.py (10 orders per customer).

For each size, in fresh processes so that peak memory is each one's own:
  floor    read every sheet of the same workbook with calamine (the fastest reader) into Python rows
  refresh  the whole refresh on a copy (the action the report is most like: it scores every customer)
  report   the whole report on a copy: read, score (today and before the period), follow-ups, HTML, save
Printed: wall time and peak memory of each, and report as a multiple of the floor and of refresh, with the
time of each report step.

    .venv/bin/python bench/report.py                 # 10k and 100k customers
    .venv/bin/python bench/report.py --sizes 10000   # just the small one
"""

from __future__ import annotations

import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _refresh_bench():
    spec = importlib.util.spec_from_file_location("refresh_bench", HERE / "refresh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(path: Path) -> dict:
    from xlcrm.actions.report import report as report_action
    from xlcrm.book.file import FileBook

    steps: list[float] = []

    def timed(items, total, label):
        for item in items:
            start = time.perf_counter()
            yield item
            steps.append(time.perf_counter() - start)

    start = time.perf_counter()
    result = report_action(FileBook(path), today=_refresh_bench().TODAY, progress=timed)
    return {"seconds": time.perf_counter() - start, "steps": steps, "html_kb": result.html.stat().st_size / 1024}


def child(kind: str, path: Path) -> None:
    bench = _refresh_bench()
    figures = {"floor": bench.floor, "refresh": bench.refresh, "report": report}[kind](path)
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def measure(kind: str, source: Path, folder: Path) -> dict:
    copy = folder / "run.xlsx"
    shutil.copy(source, copy)
    try:
        output = subprocess.run([sys.executable, __file__, "--child", kind, str(copy)], check=True,
                                capture_output=True, text=True).stdout
    finally:
        for leftover in folder.glob("run.*"):
            leftover.unlink()
        shutil.rmtree(folder / "reports", ignore_errors=True)
    return json.loads(output.strip().splitlines()[-1])


def bench(customers: int, folder: Path) -> None:
    source = folder / f"bench-{customers}.xlsx"
    orders = customers * _refresh_bench().ORDERS_PER_CUSTOMER
    if not source.exists():
        _refresh_bench().make_workbook(source, customers, orders)
    base, scored, made = (measure(kind, source, folder) for kind in ("floor", "refresh", "report"))
    print(f"{customers:>7,} customers / {orders:>9,} orders")
    print(f"  floor   (calamine read) {base['seconds']:8.2f} s  {base['peak_mb']:8.0f} MB peak")
    print(f"  refresh                 {scored['seconds']:8.2f} s  {scored['peak_mb']:8.0f} MB peak")
    print(f"  report                  {made['seconds']:8.2f} s  {made['peak_mb']:8.0f} MB peak   "
          f"x{made['seconds'] / base['seconds']:.1f} the floor, x{made['seconds'] / scored['seconds']:.2f} refresh; "
          f"HTML {made['html_kb']:.0f} KB")
    print("    steps (read, work out, page, workbook): " + ", ".join(f"{s:.1f} s" for s in made["steps"]), flush=True)


def main() -> None:
    _refresh_bench().run_sizes(__doc__, bench, child)


if __name__ == "__main__":
    main()
