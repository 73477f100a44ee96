"""What each customer bought: last purchase, number of orders, net amount, and the gaps between purchases.

From the orders sheet when there is one: the lines of one order (same order number) are
one order; an order whose total is negative is a refund, which lowers the amount spent but
is not a purchase. Orders dated after `today` are left out (the scores are as of today).
Without an orders sheet, the customer sheet's own summary columns (last order date, order
count, total amount) stand in; the gaps between purchases are then unknown.

The result is one row per customer key with the columns of PURCHASE_COLUMNS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlcrm.core.scores.buying_rhythm import gap_stats

PURCHASE_COLUMNS = ("last", "frequency", "monetary", "gap", "gap_cv", "gaps")
SUMMARY_FIELDS = ("last_order", "order_count", "total_amount")


@dataclass
class OrderCheck:
    """Orders that could not count: rows (Excel) naming unknown customers, rows dated after today."""

    unknown: pd.Index
    future: pd.Index
    undated: pd.Index


def from_orders(orders: pd.DataFrame, customer_keys: pd.Index, today: dt.date) -> tuple[pd.DataFrame, OrderCheck]:
    """Per-customer purchases from order rows (index: Excel row; columns key, order_date, order_amount,
    optionally order_id)."""
    return as_of_days(orders, customer_keys, [today])[0]


def as_of_days(orders: pd.DataFrame, customer_keys: pd.Index,
               days: Sequence[dt.date]) -> list[tuple[pd.DataFrame, OrderCheck]]:
    """from_orders as of each day (the report's today and the day before its period), the lines' customers and
    order numbers looked up once for every day: a million lines' keys and order numbers are hashed once."""
    dated = orders["order_date"].notna()
    # each line's customer as a number (-1: none), and which customers are known, looked up once per customer
    codes, keys = pd.factorize(orders["key"].to_numpy(dtype=object))
    known_key = np.append(np.asarray(pd.Index(keys).isin(customer_keys), dtype=bool), False)  # code -1: no key
    known = pd.Series(known_key[codes], index=orders.index)
    numbers, own = _order_numbers(orders)
    needed = [c for c in ("order_date", "order_amount") if c in orders]  # a copy of these columns only
    found = []
    for today in days:
        day = pd.Timestamp(today)
        future = dated & (orders["order_date"] > day)
        check = OrderCheck(orders.index[~known], orders.index[known & future], orders.index[known & ~dated])
        usable = (known & dated & ~future).to_numpy()
        lines = _as_orders(orders.loc[usable, needed], codes[usable], None if numbers is None else numbers[usable],
                           own)
        result = _aggregate(lines, day)
        result.index = pd.Index(keys[result.index.to_numpy()], name="key")
        found.append((result, check))
    return found


def _order_numbers(orders: pd.DataFrame) -> tuple[np.ndarray | None, bool]:
    """Each line's order number as a number (-1: none; None: no order number column), and whether each numbered
    line is an order of its own (the usual sheet: then no day's lines need summing)."""
    if "order_id" not in orders:
        return None, True
    ids = orders["order_id"]
    numbered = ids.notna().to_numpy()
    numbers = np.full(len(ids), -1, dtype=np.int64)
    if not numbered.any():
        return numbers, True
    found, _ = pd.factorize(ids[numbered].astype(str).to_numpy())
    numbers[numbered] = found
    return numbers, bool(found.max() + 1 == len(found))


def _as_orders(lines: pd.DataFrame, codes: np.ndarray, numbers: np.ndarray | None, own: bool) -> pd.DataFrame:
    """One row per order: lines sharing a customer and an order number are summed; a line without one is an order.
    The key column holds the customer's code (codes: per line); numbers: each line's order number (-1: none);
    own: each numbered line is an order of its own."""
    frame = pd.DataFrame({"key": codes, "date": lines["order_date"].to_numpy(),
                          "amount": lines["order_amount"].fillna(0.0).to_numpy()})
    numbered = np.zeros(len(frame), dtype=bool) if numbers is None else numbers >= 0
    if not numbered.any():
        return frame
    lines_of_orders = frame[numbered]
    if own:  # every line its own order (the usual sheet): nothing to sum, in the order grouping gives
        return pd.concat([frame[~numbered], lines_of_orders], ignore_index=True)
    # one number per (customer, order number): grouping by it costs a fraction of grouping by the text pair
    assert numbers is not None  # numbered lines have numbers
    order = lines_of_orders["key"].to_numpy(dtype=np.int64) * (int(numbers.max()) + 1) + numbers[numbered]
    grouped = (lines_of_orders.groupby(order, sort=False)
               .agg(key=("key", "first"), date=("date", "min"), amount=("amount", "sum")).reset_index(drop=True))
    return pd.concat([frame[~numbered], grouped], ignore_index=True)


def _aggregate(orders: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    by_key = orders.groupby("key", sort=False)
    monetary = by_key["amount"].sum()
    bought = orders[orders["amount"] >= 0]
    per_customer = bought.groupby("key", sort=False).agg(last=("date", "max"), frequency=("date", "size"))
    result = per_customer.reindex(monetary.index)
    result["frequency"] = result["frequency"].fillna(0).astype("int64")
    result["monetary"] = monetary
    rhythm = gap_stats(bought[["key", "date"]])
    return result.join(rhythm).loc[:, list(PURCHASE_COLUMNS)]


def from_summary(customers: pd.DataFrame) -> pd.DataFrame:
    """Per-customer purchases from the customer sheet's own columns (first row of a key wins)."""
    first = customers.drop_duplicates("key").set_index("key")
    last = pd.to_datetime(first["last_order"], errors="coerce")
    count = pd.to_numeric(first["order_count"], errors="coerce")
    amount = pd.to_numeric(first["total_amount"], errors="coerce")
    bought = count.fillna(0).gt(0) | last.notna() | amount.fillna(0).gt(0)
    frequency = count.where(count.notna() & count.gt(0), np.where(bought, 1, 0)).astype("int64")
    result = pd.DataFrame({"last": last, "frequency": frequency, "monetary": amount.fillna(0.0),
                           "gap": np.nan, "gap_cv": np.nan, "gaps": 0}, index=first.index)
    return result[bought]
