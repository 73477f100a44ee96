"""What a report is made from, gathered once by the action, and the part of it one owner sees.

Everything is indexed by the customer's Excel row where it is per customer, so one owner's
report is the same frames cut to that owner's rows, never a second computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from xlcrm.core.followups.due import Due
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.owners import names_in, owner_key
from xlcrm.core.scores.segments import Segment

UNKNOWN_OWNER = Msg("No customer in sheet '{sheet}' has the owner '{owner}'. Owners: {owners}",
                    "工作表“{sheet}”中没有负责人为“{owner}”的客户。现有负责人:{owners}")
NO_OWNERS = Msg("Sheet '{sheet}' names no owners (no 负责人 / Owner column, or it is empty), so there is no "
                "report per owner.", "工作表“{sheet}”中没有负责人(没有负责人 / Owner 列或该列为空),无法按负责人生成报告。")


@dataclass
class Inputs:
    """people: one row per customer (index: Excel row; a customer listed twice counts once) with key,
    customer, owner, class, stage, stage_since, last_contact, deal_amount.
    scores: the same rows with segment (name), segment_index, class, monetary, frequency, last (last purchase),
    gap (typical days between purchases), churn_risk and risk_before (before the period); None without purchases.
    orders: one row per order line of a known customer up to the report's day: key, date, amount, order_id.
    log: logged contacts: date, key, owner. mails: the send history (journal and send log): at, state,
    customer_key, occasion, test. statuses: decisions from the mail status column: row, day, decision.
    """

    sheet: str
    people: pd.DataFrame
    due: Due
    segments: list[Segment]
    stages: pd.DataFrame  # the funnel's steps as set (core.funnel.funnel_stages)
    has_stage: bool = True
    scores: pd.DataFrame | None = None
    no_scores: Msg | None = None
    rhythm_known: bool = False
    orders: pd.DataFrame | None = None
    log: pd.DataFrame | None = None
    mails: pd.DataFrame | None = None
    statuses: pd.DataFrame | None = None
    amount_from: str = "monetary"  # what the funnel's amounts are: deal_amount | monetary | none
    notes: list[Msg] = field(default_factory=list)


def by_customer(orders: pd.DataFrame, column: str, rows: pd.Series):
    """One column of the order lines in rows, grouped by customer: only it and the key are filtered (orders[rows]
    copies every column of a million lines first)."""
    return orders[column][rows].groupby(orders["key"][rows])


def owner_of(inputs: Inputs, wanted: str) -> str:
    """The owner's name as the sheet writes it, matched ignoring case, spaces and width; a part of the
    name that only one owner has is enough."""
    owners = inputs.people["owner"].dropna().map(str)
    if owners.empty:
        raise XlcrmError(NO_OWNERS(sheet=inputs.sheet))
    names = sorted(set(owners) | {name for owner in owners.unique() for name in names_in(owner)})
    found = next((n for n in names if norm_header(n) == norm_header(wanted)), None)
    typed = norm_header(wanted)
    part = [n for n in names if len(typed) >= 2 and typed in norm_header(n) and n in set(owners)]
    found = found or (part[0] if len(part) == 1 else None)  # 'alice' for Alice Smith, as --customer reads a name
    if found is None:
        raise XlcrmError(UNKNOWN_OWNER(sheet=inputs.sheet, owner=wanted, owners=", ".join(names) or "-"))
    return found


def for_owner(inputs: Inputs, owner: str) -> Inputs:
    """The inputs one owner's report shows: their customers, their logged contacts, mail to their customers."""
    people = inputs.people
    wanted = owner_key(owner)
    theirs = people["owner"].map(lambda o: owner_key(o) == wanted or wanted in map(owner_key, names_in(o)))
    mine = people.index[theirs.to_numpy(dtype=bool)]  # a customer shared by 张三/李四 is in both reports
    keys = set(people.loc[mine, "key"])
    due = replace(inputs.due, touches=inputs.due.touches[inputs.due.touches["row"].isin(mine)],
                  followups=inputs.due.followups.loc[inputs.due.followups.index.intersection(mine)])
    log = inputs.log
    if log is not None:
        log = log.loc[log["owner"].astype(object).eq(owner).to_numpy(dtype=bool)]
    mails = inputs.mails
    if mails is not None:
        mails = mails.loc[(mails["customer_key"].isin(keys) | mails["customer_key"].eq(f"digest:{owner}")).to_numpy(bool)]
    statuses = inputs.statuses.loc[inputs.statuses["row"].isin(mine)] if inputs.statuses is not None else None
    orders = inputs.orders.loc[inputs.orders["key"].isin(keys)] if inputs.orders is not None else None
    scores = inputs.scores.loc[inputs.scores.index.intersection(mine)] if inputs.scores is not None else None
    return replace(inputs, people=people.loc[mine], due=due, log=log, mails=mails, statuses=statuses,
                   orders=orders, scores=scores)
