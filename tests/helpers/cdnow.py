"""CDNOW: real purchases of 23,570 customers of an online CD store (Jan 1997 - Jun 1998), as published by
Fader and Hardie and shipped inside the PyPI package Lifetimes (lifetimes/datasets/). Read from the
installed package's files; the package itself is never imported.

CDNOW_master.txt: customer id, date (YYYYMMDD), number of CDs, dollars; one line per purchase line.
CDNOW_sample.txt: a 1-in-10 sample with a second id (1..2357) used by cdnow_customers_summary.csv,
Fader and Hardie's own per-customer summary of its first 39 weeks (to 1997-09-30): x repeat purchases,
t_x weeks from first to last purchase, T weeks from first purchase to the end of the period.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pandas as pd

from xlcrm.book import file as file_book
from xlcrm.core.edits import PutSheet

CALIBRATION_END = dt.date(1997, 9, 30)
HOLDOUT_END = dt.date(1998, 6, 30)


def folder() -> Path | None:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "datasets"
    return path if (path / "CDNOW_master.txt").exists() else None


def purchases(name: str = "CDNOW_master.txt") -> pd.DataFrame:
    """customer (name as it goes into the sheet), date, dollars, one row per purchase line."""
    sample = name == "CDNOW_sample.txt"
    columns = ["master_id", "id", "date", "cds", "dollars"] if sample else ["id", "date", "cds", "dollars"]
    frame = pd.read_csv(folder() / name, sep=r"\s+", header=None, names=columns, dtype={"id": str, "date": str},
                        skiprows=0 if sample else 1)
    frame["customer"] = "CDNOW " + frame["id"].str.zfill(5)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame[["customer", "date", "dollars"]]


def fader_hardie_summary() -> pd.DataFrame:
    frame = pd.read_csv(folder() / "cdnow_customers_summary_with_transactions.csv")
    frame["customer"] = "CDNOW " + frame["ID"].astype(str).str.zfill(5)
    return frame.set_index("customer")


def workbook(path: Path, lines: pd.DataFrame) -> Path:
    """A customer sheet and an orders sheet; lines of one customer on one day are one order (one order no.)."""
    customers = sorted(lines["customer"].unique())
    customer_rows = [["Customer", "Owner"]] + [[name, "CDNOW"] for name in customers]
    order_rows = [["Order no.", "Order date", "Customer", "Amount"]]
    order_rows += [[f"{c}-{d:%Y%m%d}", d.date(), c, float(a)]
                   for c, d, a in lines[["customer", "date", "dollars"]].itertuples(index=False, name=None)]
    return file_book.create(path, [PutSheet("Customers", customer_rows, row_styles={0: "header"}),
                                   PutSheet("Orders", order_rows, row_styles={0: "header"})])
