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
    text = owners.map(lambda o: clean_text(o) if isinstance(o, str) or pd.notna(o) else "").astype(object)
    text = text.where(~text.str.lower().isin(PLACEHOLDERS | {""}), None)
    keys = text.map(lambda o: owner_key(o) if o else None)
    first = dict(zip(keys[text.notna()][::-1], text[text.notna()][::-1]))  # the earliest spelling wins
    return keys.map(first).astype(object).where(text.notna(), None)


def names_in(owner: object) -> list[str]:
    """The people one owner cell names: '张三/李四' is 张三 and 李四; a single name is itself."""
    text = clean_text(owner) if isinstance(owner, str) else ""
    return [name for name in _BETWEEN.split(text) if name] if text else []


def one_per_owner(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a row per named owner: a customer shared by two is on both lists."""
    split = frame["owner"].map(lambda o: names_in(o) or [o])
    return frame.assign(owner=split).explode("owner")
