"""Owner names as teams type them: one salesperson spelled several ways ('Alice Smith', 'alice smith '),
and a customer shared by two ('张三/李四', '张三、李四', 'Alice & Bob')."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from xlcrm.core.parse import PLACEHOLDERS, clean_text

_BETWEEN = re.compile(r"\s*(?:[/／、,，;；&＋+]|\band\b)\s*", re.IGNORECASE)


def owner_key(name: object) -> str:
    """What two spellings of one owner share: width folded, case and spaces ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name or ""))).casefold()


def canonical(owners: pd.Series) -> pd.Series:
    """Each owner written the way the sheet first writes them (trimmed); empty or placeholder: None."""
    cleaned = {v: clean_text(v) for v in owners.dropna().unique()}  # a few owners over many rows
    cleaned = {v: t for v, t in cleaned.items() if t and t.lower() not in PLACEHOLDERS}
    text = owners.map(cleaned)
    first: dict[str, str] = {}
    for spelled in text.dropna().unique():  # in sheet order: the earliest spelling wins
        first.setdefault(owner_key(spelled), spelled)
    named = text.map({t: first[owner_key(t)] for t in text.dropna().unique()}).astype(object)
    return named.where(named.notna(), None)


def names_in(owner: object) -> list[str]:
    """The people one owner cell names: '张三/李四' is 张三 and 李四; a single name is itself."""
    text = clean_text(owner) if isinstance(owner, str) else ""
    return [name for name in _BETWEEN.split(text) if name] if text else []


def one_per_owner(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a row per named owner: a customer shared by two is on both lists."""
    split = frame["owner"].map({o: names_in(o) or [o] for o in frame["owner"].dropna().unique()})
    return frame.assign(owner=split).explode("owner")
