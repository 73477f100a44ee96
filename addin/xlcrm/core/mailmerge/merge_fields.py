"""The fields a template can use, per customer and per touch, as display text in the sheet's language.

Three kinds of names: xlcrm's canonical fields ({{ customer }}, {{ contact }}, {{ owner }}...),
every column of the team's sheet by its own header ({{ 联系人 }}, {{ 客户来源 }}; a header that
is not a valid name is reachable as {{ row["Next follow-up"] }}), and a few made for mail
({{ greeting_name }}, {{ signature }}, {{ due }}, {{ occasion }}...). {{ detail }} names what a touch is about (a
holiday's name alone: customers read it, as in {{ detail }}快乐); {{ occasion_date }} is the day of the occasion
itself (the holiday, the birthday, the appointment), spelled as every date is; {{ due }} is the day the touch
fell due, which for a greeting is the first day of its window.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Iterable

import pandas as pd

from xlcrm.core.fields import CUSTOMERS, fields_of
from xlcrm.core.i18n import Msg
from xlcrm.core.lunar import spell
from xlcrm.core.parse import YEARLESS
from xlcrm.core.mailmerge.sender_profile import Owner, SenderProfile
from xlcrm.core.mailmerge.templates_sheet import ALL_OCCASIONS
from xlcrm.core.followups.touches import STATUSES

MADE = ("greeting_name", "signature", "owner_email", "owner_phone", "company", "from_name", "today",
        "occasion", "occasion_id", "occasion_date", "due", "status", "status_id", "detail", "row", "customer_key")
DIGEST_FIELDS = ("owner", "owner_email", "owner_phone", "company", "from_name", "today", "items", "customers",
                 "signature")
ITEM_FIELDS = ("customer", "contact", "phone", "email", "occasion", "occasion_date", "due", "status", "detail", "row")
PHONE = Msg("Phone: {phone}", "电话：{phone}")
# What every message reads of its customer, whatever its template: whom to greet and address, whose it is, and
# what an owner's digest lists
THE_PERSON = ("customer", "contact", "salutation", "phone", "email", "owner")


def fmt_date(value: Any, lang: str, yearless_ok: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    day = pd.Timestamp(value)
    if pd.isna(day):
        return ""
    if yearless_ok and day.year == YEARLESS:
        return f"{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {day:%B}"
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {day:%b %Y}"


def fmt_value(value: Any, lang: str, kind: str = "text") -> str:
    """A cell value as text in a message: dates spelled, amounts with separators, blanks empty."""
    if type(value) is str and kind != "lunar":  # most cells: the check below would say the same, slower
        return value.strip()
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if kind == "lunar":
        return spell(value, lang)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return fmt_date(value, lang, yearless_ok=kind == "birthday")
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if kind == "amount" else \
            (str(int(value)) if value.is_integer() else str(value))
    return str(value).strip()


def field_names(headers: list[str]) -> set[str]:
    """Every name a customer template may use with this sheet."""
    names = {f.id for f in fields_of(CUSTOMERS)} | set(MADE) | {"row"}
    return names | {h for h in headers if h and h.isidentifier()}


def customer_contexts(records: pd.DataFrame, cells: pd.DataFrame, headers: list[str], lang: str,
                      rows: Iterable[int] | None = None, fields: set[str] | None = None) -> dict[int, dict]:
    """Per Excel row: canonical fields and the team's own columns, as display text (column by column).
    rows: only these Excel rows (those a message is written for); all rows when None. fields: only these names
    (those the templates read) besides what every message reads (THE_PERSON); every column read by `row` if it is
    among them; all when None (a sheet of 50 columns made 50 texts per message, for a template reading five)."""
    index = records.index if rows is None else records.index[records.index.isin(list(rows))]
    reads = None if fields is None else set(fields) | set(THE_PERSON)  # None: every field and column
    raw = {h: _shown(cells[c].reindex(index), lang) for c, h in enumerate(headers)
           if h and c in cells.columns and (reads is None or "row" in reads or h in reads)}
    canonical = {f.id: (_shown(records[f.id].reindex(index), lang, f.kind) if f.id in records else [""] * len(index))
                 for f in fields_of(CUSTOMERS) if reads is None or f.id in reads}
    if "birthday_lunar" in records:  # a lunar birthday in the birthday column: {{ birthday }} and {{ lunar_birthday }}
        lunar = [spell(v, lang) for v in records["birthday_lunar"].reindex(index).astype(object).tolist()]
        for name in ("birthday", "lunar_birthday"):
            if name in canonical:
                canonical[name] = [text if text != "" or moon == "" else moon  # read 农历八月十五
                                   for text, moon in zip(canonical[name], lunar)]
    named = [h for h in raw if h.isidentifier() and h not in canonical]
    own_names, canonical_names = list(raw), list(canonical)
    contexts: dict[int, dict] = {}
    for row, own_values, field_values in zip(index, zip(*raw.values()) if raw else ((),) * len(index),
                                             zip(*canonical.values())):
        own = dict(zip(own_names, own_values))
        context = {h: own[h] for h in named}
        context.update(zip(canonical_names, field_values))
        context["row"] = own
        contexts[int(row)] = context
    return contexts


def _shown(column: pd.Series, lang: str, kind: str = "text") -> list[str]:
    """A column's values as display text: a plain list, no per-value pandas."""
    return [fmt_value(value, lang, kind) for value in column.astype(object).tolist()]


def signature(owner: str, profile: SenderProfile, person: Owner | None, lang: str) -> str:
    phone = PHONE(phone=person.phone).text(lang) if person and person.phone else ""
    return "\n".join(p for p in (owner, profile.company, phone) if p)


def greeting_name(context: dict) -> str:
    return context.get("salutation") or context.get("contact") or context.get("customer") or ""


def touch_context(base: dict, touch: dict, profile: SenderProfile, today: dt.date, lang: str) -> dict:
    """A customer's context with the touch and the sender added."""
    owner = touch.get("owner") or base.get("owner") or ""
    person = profile.owners.get(owner)
    context = dict(base)
    context.update({
        "greeting_name": greeting_name(base), "owner": owner,
        "owner_email": person.email if person else "", "owner_phone": person.phone if person else "",
        "company": profile.company, "from_name": profile.from_name, "today": fmt_date(today, lang),
        "signature": signature(owner, profile, person, lang),
        "occasion": ALL_OCCASIONS[touch["occasion"]].text(lang) if touch["occasion"] in ALL_OCCASIONS
        else str(touch["occasion"]),
        "occasion_id": touch["occasion"], "due": fmt_date(touch["due"], lang),
        "occasion_date": fmt_date(touch.get("occasion_date"), lang),
        "status": STATUSES[touch["status"]].text(lang) if touch.get("status") in STATUSES else "",
        "status_id": touch.get("status") or "", "detail": fmt_value(touch.get("detail"), lang),
        "customer_key": touch.get("key", ""),
    })
    return context


def digest_context(owner: str, items: pd.DataFrame, contexts: dict[int, dict], profile: SenderProfile,
                   today: dt.date, lang: str) -> dict:
    person = profile.owners.get(owner)
    listed = []
    for touch in items.to_dict("records"):
        base = contexts.get(int(touch["row"]), {})
        listed.append({
            "customer": touch["customer"], "contact": base.get("contact", ""), "phone": base.get("phone", ""),
            "email": base.get("email", ""), "row": int(touch["row"]),
            "occasion": ALL_OCCASIONS[touch["occasion"]].text(lang) if touch["occasion"] in ALL_OCCASIONS
            else str(touch["occasion"]),
            "due": fmt_date(touch["due"], lang), "occasion_date": fmt_date(touch.get("occasion_date"), lang),
            "status": STATUSES[touch["status"]].text(lang) if touch["status"] in STATUSES else "",
            "detail": fmt_value(touch.get("detail"), lang)})
    return {"owner": owner, "owner_email": person.email if person else "",
            "owner_phone": person.phone if person else "", "company": profile.company,
            "from_name": profile.from_name, "today": fmt_date(today, lang), "items": listed,
            "customers": int(items["key"].nunique()) if len(items) else 0,  # one customer may have several items
            "signature": signature(owner, profile, person, lang)}
