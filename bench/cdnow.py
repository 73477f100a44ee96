"""Scores on real purchases: CDNOW (23,570 customers of an online CD store, 1997-98), from the PyPI
package Lifetimes when it is installed (`pip install -e '.[test]'` installs it).

Scores every customer as of 1997-09-30 (the first 39 weeks), then prints, per churn risk, segment
and class, how many customers there are and how many of them bought again in the following nine
months (to 1998-06-30), which the scores never saw.

    .venv/bin/python bench/cdnow.py [--sample]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers import cdnow  # noqa: E402
from helpers.workbooks import values  # noqa: E402

from xlcrm.actions.refresh import refresh  # noqa: E402
from xlcrm.book.file import FileBook  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", action="store_true", help="the 1-in-10 sample instead of all customers")
    args = parser.parse_args()
    if cdnow.folder() is None:
        sys.exit("CDNOW is not installed: pip install 'Lifetimes>=0.11.3,<0.12'")
    lines = cdnow.purchases("CDNOW_sample.txt" if args.sample else "CDNOW_master.txt")
    with tempfile.TemporaryDirectory() as folder:
        path = cdnow.workbook(Path(folder) / "cdnow.xlsx", lines)
        start = time.perf_counter()
        result = refresh(FileBook(path), cdnow.CALIBRATION_END)
        seconds = time.perf_counter() - start
        rows = values(path)["Customers"]
    frame = pd.DataFrame(rows[1:], columns=rows[0]).replace("", None).set_index("Customer")
    later = lines[(lines["date"] > pd.Timestamp(cdnow.CALIBRATION_END))
                  & (lines["date"] <= pd.Timestamp(cdnow.HOLDOUT_END))]
    frame["bought_again"] = frame.index.isin(later["customer"])
    print(f"CDNOW: {len(lines):,} purchase lines, {len(frame):,} customers; scored as of "
          f"{cdnow.CALIBRATION_END} in {seconds:.1f} s")
    print("\n".join(result.lines("en")[:4]))
    print(f"bought again by {cdnow.HOLDOUT_END}: {frame['bought_again'].mean():.1%} of all customers")
    for column in ("Churn risk", "Segment", "Class", "F score", "R score"):
        table = frame.groupby(column)["bought_again"].agg(customers="size", bought_again="mean")
        table["revenue share"] = frame.groupby(column)["Monetary"].sum() / frame["Monetary"].sum()
        print(f"\n{column}\n" + table.sort_values("bought_again", ascending=False)
              .to_string(formatters={"bought_again": "{:.1%}".format, "revenue share": "{:.1%}".format}))
    crossed = frame.groupby(["R score", "Churn risk"])["bought_again"].agg(["mean", "size"])
    cells = crossed.apply(lambda r: f"{r['mean']:.1%} of {int(r['size']):,}", axis=1).unstack(fill_value="-")
    print("\nBought again, by R score and churn risk (the customer's own rhythm within one R score)\n"
          + cells.to_string())


if __name__ == "__main__":
    main()
