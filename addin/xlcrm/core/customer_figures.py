"""The customer figures every view shows, each defined once: refresh's lines, the summary sheet (CRM概览),
the report's sheet, its HTML page and its headline all call these functions.

- A customer is a distinct customer of the customer sheet: one listed twice (the same name, spaces, width
  and case aside) counts once, on its first row; so does a customer on every row of a sheet of orders.
- Customers with purchases are those with at least one purchase; prospects are the others.
- Revenue is each customer's net amount spent to date (refunds deducted), counted once per customer.
- Per segment or class: customers and revenue of that group, and their shares of all customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from xlcrm.core.i18n import Msg

CUSTOMERS_LINE = Msg("Customers: {customers} ({bought} with purchases, {prospects} without: prospects); revenue to "
                     "date {revenue}.",
                     "客户:{customers} 个(有购买 {bought} 个,无购买的潜在客户 {prospects} 个);累计消费金额 {revenue}。")


def first_rows(keys: pd.Series) -> pd.Series:
    """True on each customer's first row: the rows that count."""
    return ~keys.duplicated(keep="first")


def one_per_customer(rows: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """The rows that count: each customer's first (keys: customer key by row, aligned with rows)."""
    return rows[first_rows(keys.reindex(rows.index)).to_numpy()]


@dataclass(frozen=True)
class CustomerFigures:
    customers: int
    bought: int
    revenue: float

    @property
    def prospects(self) -> int:
        return self.customers - self.bought

    def line(self) -> Msg:
        return CUSTOMERS_LINE(customers=f"{self.customers:,}", bought=f"{self.bought:,}",
                              prospects=f"{self.prospects:,}", revenue=f"{self.revenue:,.2f}")


def customer_figures(customers: pd.DataFrame) -> CustomerFigures:
    """customers: one row per customer (one_per_customer) with frequency (purchases) and monetary."""
    frequency = pd.to_numeric(customers["frequency"], errors="coerce").fillna(0)
    revenue = pd.to_numeric(customers["monetary"], errors="coerce").fillna(0.0)
    return CustomerFigures(len(customers), int(frequency.gt(0).sum()), round(float(revenue.sum()), 2))


def mix(customers: pd.DataFrame, by: str, names: list) -> pd.DataFrame:
    """Per value of `by` (in the order of names): customers, customer_share, revenue, revenue_share."""
    grouped = customers.groupby(by, dropna=False)
    frame = pd.DataFrame({"customers": grouped.size(), "revenue": grouped["monetary"].sum()})
    frame = frame.reindex(names).fillna(0.0).rename_axis(by).reset_index()
    frame["customers"] = frame["customers"].astype("int64")
    frame["customer_share"] = _share(frame["customers"], len(customers))
    frame["revenue_share"] = _share(frame["revenue"], float(customers["monetary"].sum()))
    return frame


def _share(part: pd.Series, whole: float) -> pd.Series:
    return (part / whole) if whole else part * 0.0
