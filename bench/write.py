"""How much writing xlcrm's results into a team's workbook costs, against copying the file.

For each size a sample workbook (`xlcrm sample`) is made once and kept in --dir. The edits
are what a refresh writes: nine columns beside the team's for every customer (scores,
segment, class, a date), xlcrm's highlight rules, and the settings and data-problems
sheets. Each measurement runs in a fresh Python process; "peak MB" is its resident memory
at its highest during the work (the edits it holds included), "+MB" what the work added:

  copy    shutil.copyfile of the workbook: the least any write costs (the baseline)
  patch   FileBook.apply: the package patch, the loss check before/after, the backup
  again   FileBook.apply once more on the patched file (xlcrm's columns are now there)
  openpyxl  (--openpyxl) load + save of the workbook: the round trip the patch replaced

--big-orders N adds a workbook whose orders sheet has N rows that xlcrm does not touch:
the patch must cost about what it costs without them (the sheet is copied as stored).

    .venv/bin/python bench/write.py                      # 10k and 100k customers
    .venv/bin/python bench/write.py --sizes 10000 --openpyxl --big-orders 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

TODAY = dt.date(2026, 11, 23)
MB = 1 << 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="customer counts, comma-separated")
    parser.add_argument("--dir", type=Path, default=Path(".bench-data"), help="where workbooks are made and kept")
    parser.add_argument("--openpyxl", action="store_true", help="also time an openpyxl load + save")
    parser.add_argument("--big-orders", type=int, default=0, help="also a 10k-customer book with this many orders")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    args.dir.mkdir(parents=True, exist_ok=True)
    cases = [(int(n), 0) for n in args.sizes.split(",")] + ([(10000, args.big_orders)] if args.big_orders else [])
    print(f"{'customers':>9} {'orders':>8} {'file MB':>7} {'XML MB':>7}  {'what':<8} {'seconds':>8} {'× copy':>8} "
          f"{'peak MB':>8} {'+MB':>6}")
    for customers, orders in cases:
        book, edits = prepare(args.dir, customers, orders)
        size, xml = book.stat().st_size / MB, _xml_size(book) / MB
        order_rows = orders or _order_rows(book)
        kinds = ["copy", "patch", "again"] + (["openpyxl"] if args.openpyxl else [])
        baseline = None
        for kind in kinds:
            seconds, peak, added = measure(kind, book, edits)
            baseline = baseline or seconds
            print(f"{customers:>9} {order_rows:>8} {size:>7.1f} {xml:>7.1f}  {kind:<8} {seconds:>8.2f} "
                  f"{seconds / baseline:>8.0f} {peak:>8.0f} {added:>6.0f}", flush=True)


def prepare(folder: Path, customers: int, orders: int) -> tuple[Path, Path]:
    """The sample workbook and the pickled edits of a refresh on it, made once."""
    book = folder / f"book-{customers}-{orders}.xlsx"
    edits = book.with_suffix(".edits.pickle")
    if not book.exists():
        from xlcrm.book.file import create
        from xlcrm.core.sample import make_sample

        print(f"making {book.name} (once) ...", file=sys.stderr, flush=True)
        made = create(book.with_suffix(".tmp.xlsx"), make_sample(customers, "zh", 7, TODAY))
        if orders:
            _replace_orders(made, orders)
        made.replace(book)
    if not edits.exists():
        edits.write_bytes(pickle.dumps(refresh_edits(book)))
    return book, edits


def refresh_edits(book: Path) -> list:
    """What a refresh writes, made by xlcrm's own actions from the workbook as it reads it."""
    import numpy as np
    import pandas as pd

    from xlcrm.actions.common import column_edits, housekeeping
    from xlcrm.actions.session import open_session
    from xlcrm.book.file import FileBook
    from xlcrm.core.edits import Highlight, SetCells, SetHighlights

    session = open_session(FileBook(book))
    rows = session.customers.records.index
    rng = np.random.default_rng(7)
    scores = {name: rng.integers(1, 6, len(rows)) for name in ("r_score", "f_score", "m_score")}
    frame = pd.DataFrame({"recency": rng.integers(0, 400, len(rows)), "frequency": rng.integers(0, 30, len(rows)),
                          "monetary": (rng.random(len(rows)) * 1e5).round(2), **scores,
                          "segment": rng.choice(["重要价值客户", "重要挽留客户", "一般客户"], len(rows)),
                          "class": rng.choice(list("ABCD"), len(rows)),
                          "next_due": pd.Timestamp(TODAY) + pd.to_timedelta(rng.integers(-5, 30, len(rows)), "D")},
                         index=rows)
    table = session.customers.table
    edits = column_edits(session, session.customers, frame, "zh", {"monetary": "money", "next_due": "date"})
    written = [e for e in edits if isinstance(e, SetCells)][-1]  # xlcrm's columns (then the state sheet)
    last_column = written.col + len(written.values[0]) - 1
    cells = f"A{table.header_row + 1}:{_letter(last_column)}{table.last_row}"
    edits.append(SetHighlights(table.sheet, cells, [Highlight(f"=${_letter(last_column)}{table.header_row + 1}"
                                                              f"<TODAY()", "F8CBAD")]))
    return edits + housekeeping(session)


def measure(kind: str, book: Path, edits: Path) -> tuple[float, float, float]:
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(book), str(edits)],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"], result["peak_mb"], result["added_mb"]


def child(kind: str, book: str, edits: str) -> None:
    """One measurement in this fresh process: the work timed, then this process's peak memory."""
    from xlcrm.book.file import FileBook

    work = Path(book).with_name(f"work-{kind}.xlsx")
    shutil.copyfile(book, work)
    changes = pickle.loads(Path(edits).read_bytes())
    if kind == "again":
        FileBook(work).apply(changes)
    resident = _reset_peak()
    start = time.perf_counter()
    if kind == "copy":
        shutil.copyfile(book, work.with_name("work-copy-2.xlsx"))
    elif kind in ("patch", "again"):
        saved = FileBook(work).apply(changes)
        assert not saved.elsewhere, saved.lost
    elif kind == "openpyxl":
        import openpyxl

        openpyxl.load_workbook(work, rich_text=True).save(work)
    seconds = time.perf_counter() - start
    peak = _peak()
    for leftover in work.parent.glob("work-*"):
        leftover.unlink()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "added_mb": max(0.0, peak - resident)}))


def _reset_peak() -> float:
    """This process's resident memory now (MB), and its peak reset to it (Linux; elsewhere the peak so far)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak() -> float:
    try:
        return _status("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status(field: str) -> float:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1]) / 1024


def _replace_orders(book: Path, rows: int) -> None:
    """The orders sheet swapped for one of `rows` rows, written as openpyxl writes sheets (streamed)."""
    from xlcrm.book.file.package import Package

    with zipfile.ZipFile(book) as archive:
        package = Package(book, archive)
        part = package.sheets()[1].part
        entries = [(info, archive.read(info.filename)) for info in archive.infolist() if info.filename != part]
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{t}</t></is></c>'
                     for c, t in zip("ABCDE", ["订单号", "下单日期", "客户名称", "产品", "金额"]))
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            out.writestr(info, data)
        with out.open(part, "w", force_zip64=True) as sheet:
            sheet.write(('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         f'<dimension ref="A1:E{rows + 1}"/><sheetData><row r="1">{header}</row>').encode())
            for start in range(2, rows + 2, 10000):
                sheet.write("".join(_order_row(r) for r in range(start, min(start + 10000, rows + 2))).encode())
            sheet.write(b"</sheetData></worksheet>")


def _order_row(r: int) -> str:
    customer = f"杭州恒信机械{r % 9000}有限公司"
    return (f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>SO{r:08d}</t></is></c><c r="B{r}" s="1"><v>'
            f'{46000 - r % 700}</v></c><c r="C{r}" t="inlineStr"><is><t>{customer}</t></is></c><c r="D{r}" '
            f't="inlineStr"><is><t>包装耗材</t></is></c><c r="E{r}"><v>{(r * 37) % 20000 / 10}</v></c></row>')


def _xml_size(book: Path) -> int:
    with zipfile.ZipFile(book) as archive:
        return sum(info.file_size for info in archive.infolist() if info.filename.startswith("xl/worksheets/"))


def _order_rows(book: Path) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(book))
    return workbook.get_sheet_by_index(1).height - 1


def _letter(column: int) -> str:
    from xlcrm.book.file.cell_xml import column_letter

    return column_letter(column)


if __name__ == "__main__":
    main()
