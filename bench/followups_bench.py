"""Follow-ups at scale: core work (due dates, care occasions, funnel, due list) for 10k and 100k customers.

Prints seconds per size and the per-customer cost at 100k relative to 10k, measured in the same
run (about 1 means the work grows linearly: vectorised, no per-customer Python loops that matter).

    .venv/bin/python bench/followups_bench.py
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd

from xlcrm.core.followups import due_list
from xlcrm.core.followups.due import DATES, PEOPLE_COLUMNS, work_out
from xlcrm.core.followups.funnel import STAGES
from xlcrm.core.all_settings import settings_from_user

TODAY = dt.date(2026, 11, 23)


def people(count: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    today = np.datetime64(TODAY)

    def days(low, high, missing=0.1):
        values = today + rng.integers(low, high, count).astype("timedelta64[D]")
        return pd.Series(values).where(rng.random(count) > missing)

    frame = pd.DataFrame({
        "key": [f"c{i}" for i in range(count)], "customer": [f"Customer {i}" for i in range(count)],
        "owner": rng.choice(["张磊", "李娜", "王芳", "刘洋", None], count),
        "class": rng.choice(["A", "B", "C", "D", None], count), "existing": rng.random(count) < 0.7,
        "cadence_days": pd.Series(rng.integers(5, 40, count)).where(rng.random(count) < 0.1),
        "stage": rng.choice([zh for _, zh, _ in STAGES] + ["", "其他"], count),
        "last_contact": days(-60, 0), "next_followup": days(-10, 30, 0.6), "first_contact": days(-400, 0),
        "birthday": days(-20000, -8000, 0.4), "deal_won": days(-60, 0, 0.7), "delivery": days(-40, 0, 0.8),
        "appointment": days(-5, 30, 0.85), "stage_since": days(-120, 0, 0.2),
        "birthday_lunar": pd.Series(rng.integers(1, 13, count) * 100 + rng.integers(1, 31, count)).where(
            rng.random(count) < 0.1).astype("Int64").to_numpy(),  # one in ten greets a lunar birthday
    }, index=pd.RangeIndex(3, count + 3))
    frame["contact"] = frame["phone"] = "x"
    for column in DATES:
        frame[column] = pd.to_datetime(frame[column])
    return frame[list(PEOPLE_COLUMNS) + ["contact", "phone"]]


def timed(count: int) -> float:
    frame, settings = people(count), settings_from_user({})
    start = time.perf_counter()
    due = work_out(frame, settings, TODAY, "zh")
    due_list.sheet(due.touches, frame, TODAY, "zh", "客户跟踪表")
    due_list.summary_lines(due, TODAY, "zh", "客户跟踪表", "待跟进")
    return time.perf_counter() - start


def main() -> None:
    timed(1_000)  # warm the calendar cache
    small, large = timed(10_000), timed(100_000)
    print(f"10,000 customers: {small:.2f} s; 100,000 customers: {large:.2f} s")
    print(f"per-customer cost at 100k / at 10k: {(large / 100_000) / (small / 10_000):.2f}")


if __name__ == "__main__":
    main()
