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
    day = pd.Timestamp(today)
    dated = orders["order_date"].notna()
    future = dated & (orders["order_date"] > day)
    # each line's customer as a number (-1: none), and which customers are known, looked up once per customer:
    # a million lines' text keys are hashed once, for both
    codes, keys = pd.factorize(orders["key"].to_numpy(dtype=object))
    known_key = np.append(np.asarray(pd.Index(keys).isin(customer_keys), dtype=bool), False)  # code -1: no key
    known = pd.Series(known_key[codes], index=orders.index)
    check = OrderCheck(orders.index[~known], orders.index[known & future], orders.index[known & ~dated])
    usable = (known & dated & ~future).to_numpy()
    needed = [c for c in ("order_date", "order_amount", "order_id") if c in orders]  # a copy of these rows only
    result = _aggregate(_as_orders(orders.loc[usable, needed], codes[usable]), day)
    result.index = pd.Index(keys[result.index.to_numpy()], name="key")
    return result, check


def _as_orders(lines: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """One row per order: lines sharing a customer and an order number are summed; a line without one is an order.
    The key column holds the customer's code (codes: per line)."""
    frame = pd.DataFrame({"key": codes, "date": lines["order_date"].to_numpy(),
                          "amount": lines["order_amount"].fillna(0.0).to_numpy()})
    ids = lines["order_id"] if "order_id" in lines else pd.Series(None, index=lines.index, dtype=object)
    numbered = ids.notna().to_numpy()
    if not numbered.any():
        return frame
    lines_of_orders = frame[numbered]
    order_codes, _ = pd.factorize(ids[numbered].astype(str).to_numpy())
    if order_codes.max() + 1 == len(order_codes):  # every line its own order (the usual sheet): nothing to sum,
        return pd.concat([frame[~numbered], lines_of_orders], ignore_index=True)  # in the order grouping gives
    # one number per (customer, order number): grouping by it costs a fraction of grouping by the text pair
    order = lines_of_orders["key"].to_numpy(dtype=np.int64) * (int(order_codes.max()) + 1) + order_codes
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
