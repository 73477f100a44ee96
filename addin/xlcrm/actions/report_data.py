"""Gathering what a report is made from, with the same code the other actions use: the scores as a refresh
computes them (and as they stood before the period), what is due as follow-ups work it out, the contact log,
and the mail merge's journal, send log and status column. Nothing here writes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xlcrm.actions.followups import compute
from xlcrm.actions.mail_sheets import merged_history, read_log
from xlcrm.actions.people import contact_log
from xlcrm.actions.refresh import STATE_SECTION
from xlcrm.actions.session import Session
from xlcrm.core import state
from xlcrm.core.scores import buying_rhythm, class_choice, purchases, scoring
from xlcrm.core.fields import BY_ID
from xlcrm.core.followups.funnel import funnel_stages
from xlcrm.core.i18n import Msg
from xlcrm.core.owners import owner_key
from xlcrm.core.period import Period
from xlcrm.core.report.activity import status_decisions
from xlcrm.core.report.inputs import Inputs
from xlcrm.core.sheets import find_sheet
from xlcrm.mail.journal import Journal, journal_path

NO_PURCHASES = Msg("no purchases are known: the workbook has no orders sheet (customer, order date, amount) and sheet "
                   "'{sheet}' lacks the columns {missing}.",
                   "没有购买数据:工作簿中没有订单表(客户、下单日期、金额),客户表“{sheet}”中也没有{missing}列。")


def gather(session: Session, period: Period) -> Inputs:
    today = period.end
    due = compute(session, today, note_problems=False)
    people = _people(session, due.people)
    rules = scoring.Rules.from_settings(session.settings)
    notes: list[Msg] = []
    stages = funnel_stages(session.settings, notes)
    inputs = Inputs(session.customers.table.sheet, people, due, rules.segments, stages,
                    has_stage="stage" in session.customers.mapping.columns, notes=notes)
    inputs.scores, inputs.no_scores = _scores(session, rules, period, people.index)
    if inputs.scores is not None:  # the class as of today, not as the last refresh wrote it
        people["class"] = inputs.scores["class"]
    inputs.rhythm_known = session.orders is not None
    inputs.orders = _orders(session, today)
    inputs.log = _log(session, people)
    inputs.mails, inputs.statuses = _mails(session)
    inputs.amount_from = ("deal_amount" if "deal_amount" in session.customers.mapping.columns
                          else "monetary" if inputs.scores is not None else "none")
    return inputs


def _people(session: Session, people: pd.DataFrame) -> pd.DataFrame:
    """One row per customer (a customer listed twice counts once), with the deal value when the sheet has one."""
    records = session.customers.records
    frame = people.copy()
    frame["deal_amount"] = records["deal_amount"] if "deal_amount" in records else None
    frame["owner"] = frame["owner"].map(lambda o: None if o is None or o != o or not str(o).strip() else str(o).strip())
    return frame[~frame["key"].duplicated(keep="first")]


def _scores(session: Session, rules: scoring.Rules, period: Period, rows: pd.Index) -> tuple[pd.DataFrame | None,
                                                                                          Msg | None]:
    """Per customer row, as a refresh scores them today: segment, class (the user's choice kept), revenue,
    purchases, last purchase, typical gap, churn risk; and the churn risk as it stood before the period."""
    keys = session.customers.records["key"]
    bought, earlier, missing = _purchases(session, period)
    if bought is None:
        return None, missing
    by_row = scoring.by_row(keys, bought, scoring.by_customer(bought, period.end, rules, earlier is not None), rules)
    frame = pd.DataFrame({
        "segment": scoring.segment_names(by_row["segment"], rules.segments, session.lang),
        "class": _chosen_classes(session, by_row["class"], keys),
        "monetary": by_row["monetary"], "frequency": by_row["frequency"],
        "churn_risk": _keys_or_none(by_row["churn_risk"]),
        "last": pd.to_datetime(bought["last"].reindex(keys.to_numpy()).to_numpy()),
        "gap": buying_rhythm.typical_gap(bought["gap"]).reindex(keys.to_numpy()).to_numpy(),
    }, index=by_row.index)
    before = (scoring.by_customer(earlier, period.previous().end, rules)["churn_risk"] if earlier is not None
              and len(earlier) else pd.Series(dtype=object))
    frame["risk_before"] = _keys_or_none(pd.Series(before.reindex(keys.to_numpy()).to_numpy(), index=keys.index))
    return frame.loc[rows], None


def _purchases(session: Session, period: Period):
    """(purchases as of the report's day, as of the day before the period (None without orders), why none)."""
    customers = session.customers
    if session.orders is not None:
        known = pd.Index(customers.records["key"].unique())
        (now, _), (before, _) = purchases.as_of_days(session.orders.records, known, [period.end, period.previous().end])
        return now, before, None
    missing = [f for f in purchases.SUMMARY_FIELDS if f not in customers.mapping.columns]
    if not missing:
        return purchases.from_summary(customers.records), None, None
    names = Msg(", ".join(BY_ID[f].en for f in missing), "、".join(BY_ID[f].zh for f in missing))
    return None, None, NO_PURCHASES(sheet=customers.table.sheet, missing=names)


def _keys_or_none(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def _chosen_classes(session: Session, computed: pd.Series, keys: pd.Series) -> pd.Series:
    """The class a refresh would write: the manual class column, else one typed over xlcrm's, else computed."""
    customers, book = session.customers, session.book
    name = find_sheet(book.sheet_names(), "state")
    memory = state.section(state.parse(book.read_sheet(name)) if name else {}, STATE_SECTION,
                           class_choice.STATE_COLUMNS)
    manual = customers.records["manual_class"] if "manual_class" in customers.records else None
    return class_choice.choose(computed, keys, customers.owned("class"), manual, memory).classes


def _orders(session: Session, today: dt.date) -> pd.DataFrame | None:
    """Order lines of known customers, dated up to today."""
    if session.orders is None:
        return None
    lines = session.orders.records
    known = lines["key"].isin(set(session.customers.records["key"]))
    dated = lines["order_date"].notna() & (lines["order_date"] <= pd.Timestamp(today))
    used = lines[known & dated]
    return pd.DataFrame({"key": used["key"], "date": pd.to_datetime(used["order_date"]),
                         "amount": used["order_amount"].fillna(0.0).astype("float64"),
                         "order_id": used["order_id"].astype(object) if "order_id" in used else None})


def _log(session: Session, people: pd.DataFrame) -> pd.DataFrame | None:
    """Logged contacts with a date: date, key, owner (the log's own, else the customer's)."""
    if not find_sheet(session.book.sheet_names(), "contact_log"):
        return None
    log, _ = contact_log(session)
    log = log.dropna(subset=["date"])
    own = log["owner"].astype(object).where(log["owner"].notna(), None)
    spelled = {owner_key(o): o for o in people["owner"].dropna()[::-1]}  # the log's 'alice ' is the sheet's Alice
    own = own.map(lambda o: o if o is None else spelled.get(owner_key(o), o))
    customer_owner = people.set_index("key")["owner"]
    owner = own.where(own.notna(), log["key"].map(customer_owner))
    return pd.DataFrame({"date": log["date"], "key": log["key"], "owner": owner.where(owner.notna(), None)})


def _mails(session: Session) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """What was sent (journal beside the workbook and the send log sheet) and the mail status column's decisions."""
    sheet_history, _ = read_log(session)
    journal = Journal(journal_path(session.book.folder, session.book.name))
    history = merged_history(journal.history(), sheet_history)
    has_sheet = session.own_sheet("send_log") is not None  # not a team's 发送记录 (a shipping log)
    statuses = session.customers.owned("mail_status")
    decided = status_decisions(statuses) if statuses is not None else None
    if not len(history) and not has_sheet and not journal.path.exists():
        history = None
    return history, decided
