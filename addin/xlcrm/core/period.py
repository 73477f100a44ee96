"""The period a report covers: the week or the month up to and including the report's day.

A period always ends on the report's day and is always whole (the 7 days, or the month,
before it), whether the report is built on a Friday afternoon or by a Monday-morning job; the
previous period is the one just before it, of the same length, for comparisons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

BAD_PERIOD = Msg("The period is 'week' or 'month', not '{value}'.", "报告周期应为 week(周)或 month(月),而不是“{value}”。")
WORDS = {"week": {"week", "weekly", "w", "周", "周报", "每周"}, "month": {"month", "monthly", "m", "月", "月报", "每月"}}


@dataclass(frozen=True)
class Period:
    kind: str  # week | month
    start: dt.date
    end: dt.date  # inclusive: the report's day

    def previous(self) -> "Period":
        return ending(self.kind, self.start - dt.timedelta(days=1))

    def holds(self, when: pd.Series) -> pd.Series:
        """Which timestamps (a time of day allowed) fall within the period."""
        stamps = pd.to_datetime(when, errors="coerce")
        return (stamps >= pd.Timestamp(self.start)) & (stamps < pd.Timestamp(self.end + dt.timedelta(days=1)))

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


def ending(kind: str, end: dt.date) -> Period:
    """The week (7 days) or the month (from the same day a month before, plus one) ending on `end`."""
    if kind == "week":
        return Period(kind, end - dt.timedelta(days=6), end)
    month_before = (pd.Timestamp(end) - pd.DateOffset(months=1)).date()
    return Period(kind, month_before + dt.timedelta(days=1), end)


def period_kind(value: str | None) -> str:
    text = str(value or "week").strip().lower()
    kind = next((k for k, words in WORDS.items() if text in words), None)
    if kind is None:
        raise XlcrmError(BAD_PERIOD(value=value))
    return kind
