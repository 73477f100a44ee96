"""A customer's identity across workbooks: the normalised name plus the phone or the e-mail.

Two workbooks that write one customer alike (上海华东机电 and 上海华东机电 , 138-0000-0001 and 13800000001)
give the same identities, which the team store maps to one stable id. Without phone and e-mail the name
alone is the identity.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from xlcrm.core.records import customer_key


def _present(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) or isinstance(value, (int, float)) and value == value


def identities(name: Any, phone: Any = None, email: Any = None) -> list[str]:
    base = f"n:{customer_key(name)}"
    found = []
    digits = re.sub(r"\D", "", str(phone))[-11:] if _present(phone) else ""
    if len(digits) >= 5:
        found.append(f"{base}|p:{digits}")
    if _present(email):
        found.append(f"{base}|e:{str(email).strip().casefold()}")
    return found or [base]


def customer_identities(records: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(name, identities) per customer row, in the records' order."""
    names = records["customer"]
    phones = records["phone"] if "phone" in records else pd.Series(None, index=records.index)
    emails = records["email"] if "email" in records else pd.Series(None, index=records.index)
    return [(str(n), identities(n, p, e)) for n, p, e in zip(names, phones, emails)]
