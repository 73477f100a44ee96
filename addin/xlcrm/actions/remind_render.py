"""Writing the planned messages: each merged from its template and the customer's row (or the owner's
due list), and built as MIME when it goes out now; a message a blank field would spoil is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from xlcrm.actions.mail_sheets import records
from xlcrm.actions.progress import Progress
from xlcrm.actions.session import Session
from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.merge_fields import digest_context, touch_context
from xlcrm.core.mailmerge.send_plan import digest_items
from xlcrm.core.mailmerge.sender_profile import Owner, SenderProfile
from xlcrm.mail.message import Built, Party, Refused, build
from xlcrm.mail.render import Refused as NotMade, Renderer

RENDERING = Msg("Writing messages", "生成邮件")
RENDERED = ("send", "held")  # held messages are previewed too
PREVIEW_FROM = "sender-not-set@example.com"


def render_all(plan: pd.DataFrame, due: pd.DataFrame, renderer: Renderer, contexts: dict[int, dict],
               profile: SenderProfile, session: Session, now: dt.datetime, test_to: str | None,
               progress: Progress) -> dict[int, Built]:
    """Render every message that may go out and build those going now; a refused one is decided so."""
    lang = session.lang
    wanted = plan.index[plan["decision"].isin(RENDERED)]
    touches = due[due["key"].isin(plan.loc[wanted, "key"])]  # only the touches of a message to write
    days = pd.to_datetime(touches["due"]).dt.date.tolist()
    by_touch = {(t["key"], t["occasion"], day): t for t, day in zip(records(touches), days)}
    owners_due = digest_items(due) if plan.loc[wanted, "occasion"].eq("digest").any() else {}
    sender = Party(profile.from_name or profile.company, profile.from_address or PREVIEW_FROM)
    built: dict[int, Built] = {}
    shown: dict[str, dict[int, Any]] = {c: {} for c in ("subject", "body", "attachments", "cc", "decision", "reason")}
    items = records(plan.loc[wanted])
    for index, item in progress(list(zip(wanted, items)), len(items), RENDERING):
        if item["occasion"] == "digest":
            context = digest_context(item["owner"], owners_due.get(item["owner"], due.iloc[0:0]), contexts, profile,
                                     now.date(), lang)
            to_name = item["owner"]
        else:
            touch = by_touch[(item["key"], item["occasion"], pd.Timestamp(item["due"]).date())]
            context = touch_context(contexts[int(item["row"])], touch, profile, now.date(), lang)
            to_name = context.get("contact") or context.get("customer") or ""
        cc = _copies(item, profile)
        try:  # held messages are previewed; their MIME is made by the run that sends them
            rendered = renderer.render(item["template"], context, item["customer"])
        except NotMade as refused:  # a blank field (never 'Dear ,'), or a broken template: the others go out
            shown["decision"][index], shown["reason"][index] = "refused", refused.reason
            continue
        try:
            if item["decision"] == "send":
                built[index] = build(rendered, sender, Party(to_name, item["to"]), cc, item["msg_key"],
                                     session.book.folder, now, test_to, lang)
        except Refused as refused:
            shown["decision"][index], shown["reason"][index] = "refused", refused.reason
        shown["subject"][index], shown["body"][index] = rendered.subject, rendered.text
        shown["attachments"][index] = ", ".join(rendered.attachments) or None
        shown["cc"][index] = ", ".join(c.address for c in cc) or None
    for column, values in shown.items():
        update = pd.Series(values, dtype=object)
        if column in plan:
            plan[column] = plan[column].astype(object)
            plan.loc[update.index, column] = update
        else:
            full = update.reindex(plan.index).astype(object)
            plan[column] = full.where(full.notna(), None)
    return built


def rows_to_render(plan: pd.DataFrame, due: pd.DataFrame) -> set[int]:
    """The Excel rows whose fields a message written by render_all reads: its customer's, and for an owner's
    digest those of every customer on the owner's list."""
    wanted = plan[plan["decision"].isin(RENDERED)]
    digest = wanted["occasion"].eq("digest")
    rows = {int(row) for row in wanted.loc[~digest, "row"]}
    if digest.any():
        owners_due = digest_items(due)
        rows |= {int(row) for owner in set(wanted.loc[digest, "owner"]) if owner in owners_due
                 for row in owners_due[owner]["row"]}
    return rows


def _copies(item: dict, profile: SenderProfile) -> list[Party]:
    if not profile.cc_owner or item["occasion"] == "digest":
        return []
    owner: Owner | None = profile.owners.get(item["owner"]) if isinstance(item["owner"], str) else None
    if owner and owner.email and owner.email.lower() != str(item["to"]).lower():
        return [Party(owner.name, owner.email)]
    return []
