"""Customer frames as core.due takes them, written row by row in tests."""

from __future__ import annotations

import pandas as pd

from xlcrm.core.followups.due import DATES, PEOPLE_COLUMNS
from xlcrm.core.settings import Settings
from xlcrm.core.all_settings import settings_from_user

BLANK = {"owner": None, "class": None, "existing": False, "cadence_days": None, "stage": None}


def people(*rows: dict, first_row: int = 3) -> pd.DataFrame:
    """One dict per customer; anything left out is empty. Index = Excel rows from first_row."""
    filled = []
    for number, row in enumerate(rows):
        name = row.get("customer", f"Customer {number + 1}")
        filled.append({**BLANK, **{d: None for d in DATES}, "customer": name, "key": name.lower(), **row})
    frame = pd.DataFrame(filled, index=range(first_row, first_row + len(rows)), columns=list(PEOPLE_COLUMNS))
    for column in DATES:
        frame[column] = pd.to_datetime(frame[column])
    frame["existing"] = frame["existing"].astype(bool)
    return frame[list(PEOPLE_COLUMNS)]


def settings(**blocks: dict) -> Settings:
    """Settings as if the user typed these values: block id -> {key: value} (or {key: {column: value}})."""
    user = {}
    for block, values in blocks.items():
        user[block] = [({"key": k, **v} if isinstance(v, dict) else {"key": k, "value": v}) for k, v in values.items()]
    return settings_from_user(user)
