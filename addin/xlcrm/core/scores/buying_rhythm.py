"""Each customer's own buying rhythm: the typical gap between purchases, when the next one is due,
and a churn-risk flag when the silence has grown too long for that customer.

A customer who buys every 3 weeks and has been silent for 9 weeks is at risk, even if their
recency score (which compares them with everyone else) is still middling. The typical gap is
the median of the gaps between the customer's purchase days, so one long holiday break does
not hide a steady rhythm. A customer with a single purchase has no rhythm of their own: they
get the typical gap of all customers who have one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xlcrm.core.i18n import Msg
from xlcrm.core.settings import KV_COLUMNS, Block, kv

RISKS = {
    "high": Msg("High", "高"),
    "medium": Msg("Medium", "中"),
    "low": Msg("Low", "低"),
}

CHURN_BLOCK = Block(
    "churn", Msg("Churn risk", "流失风险"), KV_COLUMNS,
    lambda: [
        kv("churn_factor", 2, Msg("High risk after this many typical gaps", "超过几个购买周期为高风险"),
           Msg("Churn risk is High when the days since the last purchase reach this many times the customer's "
               "typical gap between purchases, Medium once the expected next purchase date has passed, "
               "otherwise Low.",
               "距上次购买的天数达到该客户典型购买间隔的这么多倍时,流失风险为“高”;已过预计下次购买日为“中”;否则为“低”。")),
    ],
)


def gap_stats(purchases: pd.DataFrame) -> pd.DataFrame:
    """Per key: typical gap in days (median), its variability (std/mean) and how many gaps there are.

    purchases: columns key, date (one row per purchase; several on one day count as one day).
    """
    # on numpy arrays of numbers: at a million orders, frames of text keys copied step by step were the run's peak
    dated = purchases["date"].notna().to_numpy()
    codes, keys = pd.factorize(purchases["key"][dated], sort=True)
    dates = purchases["date"][dated].to_numpy()
    order = np.lexsort((dates, codes))  # by customer, then day
    codes, dates = codes[order], dates[order]
    new_day = np.ones(len(codes), dtype=bool)
    new_day[1:] = (codes[1:] != codes[:-1]) | (dates[1:] != dates[:-1])
    codes, dates = codes[new_day], dates[new_day]
    same = codes[1:] == codes[:-1]  # a gap lies between two days of one customer
    gaps = pd.Series(((dates[1:] - dates[:-1])[same] // np.timedelta64(1, "D")).astype("float64"),
                     index=pd.Index(keys[codes[1:][same]], name="key"))
    by_key = gaps.groupby(level=0, sort=False)
    mean = by_key.mean()
    return pd.DataFrame({"gap": by_key.median(), "gap_cv": by_key.std(ddof=0) / mean,
                         "gaps": by_key.size()}).astype({"gaps": "int64"})


def typical_gap(gap: pd.Series) -> pd.Series:
    """Each customer's typical gap; customers without one get the median over those who have one."""
    fallback = gap.median()
    return gap.fillna(fallback)


def churn(last: pd.Series, gap: pd.Series, today: dt.date, factor: float) -> pd.DataFrame:
    """Expected next purchase and churn risk (a key of RISKS, or None where no rhythm is known)."""
    gap = typical_gap(gap)
    silent = (pd.Timestamp(today) - last).dt.days
    expected = last + pd.to_timedelta(gap.round(), unit="D")
    # numpy's stubs refuse default=None, which numpy takes (an object array)
    risk = np.select([silent >= factor * gap, silent > gap, silent.notna() & gap.notna()],  # type: ignore[call-overload]
                     ["high", "medium", "low"], default=None)
    return pd.DataFrame({"next_purchase": expected, "churn_risk": pd.Series(risk, index=last.index, dtype=object)})
