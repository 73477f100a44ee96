"""The customer rows as the follow-up rules want them: the team's columns, the class, whether they
bought, and the latest contact from every place it may be written (sheet, xlcrm's column, contact log)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xlcrm.actions.mail_sheets import merged_history, read_log as read_send_log
from xlcrm.actions.session import Session
from xlcrm.core.followups.contact_log import find_header, last_logged, read_log, resolve_names
from xlcrm.core.followups.due import DATES, PEOPLE_COLUMNS
from xlcrm.core.followups.cadence import customer_class
from xlcrm.core.followups.followup_rules import MAIL_CONTACTS, mail_counts_as_contact
from xlcrm.core.owners import canonical
from xlcrm.core.parse import NOT_A_DATE, clean_text, parse_column, parse_date
from xlcrm.core.problems import Problem
from xlcrm.core.records import IDENTITY
from xlcrm.core.sheets import find_sheet
from xlcrm.core.table import column_letter
from xlcrm.mail.journal import Journal, journal_path


def people_frame(session: Session, today: dt.date | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The customer rows as core.due wants them: the team's columns, classes, orders and the contact log.

    A last contact after `today` has not happened (a typo in the year, most often): it is not used,
    so it neither pushes the next due date out nor counts as having done a touch.
    """
    records = session.customers.records
    people = pd.DataFrame(index=records.index)
    for column in PEOPLE_COLUMNS:
        people[column] = records[column] if column in records else None
    for column in DATES:
        people[column] = pd.to_datetime(people[column], errors="coerce")
    people["owner"] = canonical(people["owner"])  # 'Alice Smith' and 'alice smith ' are one owner
    people["class"] = customer_class(session.customers.owned("class"), people.index)
    if "manual_class" in records:
        people["class"] = people["class"].fillna(customer_class(records["manual_class"], people.index))
    people["existing"] = existing_customers(session, records, today)
    for column in ("contact", "phone"):
        people[column] = records[column] if column in records else None
    people["followup_held"] = unread_next_followup(session)
    log, problems = contact_log(session, today)
    last = last_logged(log) if len(log) else None
    logged = people["key"].map(last) if last is not None and len(last) else None
    people["last_contact"] = latest(people["last_contact"], own_last_contact(session), logged, until=today)
    people["last_mailed"] = pd.NaT  # only the regular follow-up counts from it: a mail closes no appointment
    if mail_counts_as_contact(session.settings):
        people["last_mailed"] = latest(people["key"].map(last_mailed(session).to_dict()), until=today)
    return people, problems


def unread_next_followup(session: Session) -> pd.Series | bool:
    """Rows whose next follow-up cell holds words that are no day (年后再说, 暂停跟进, on hold): the team's word about
    when, which xlcrm cannot read, so it plans no follow-up there (the cell is listed in the data problems). A day
    counted from when it was typed (下周三, 月底, ASAP) asks for contact soon: the cadence plans it, as before."""
    source = session.customers
    column = source.mapping.columns.get("next_followup")
    if column is None or "next_followup" not in source.records:
        return False
    raw = source.table.cells[column].reindex(source.records.index)
    unread = raw[raw.notna() & source.records["next_followup"].isna()]  # few: most cells are dates or empty
    _, reasons = parse_column(unread, parse_date)  # '-', 无, N/A say "none": the cadence plans as usual
    words = reasons.dropna()
    words = words[words.map(lambda why: why is NOT_A_DATE).astype(bool)]
    return pd.Series(source.records.index.isin(words.index), index=source.records.index)


def sent_mails(session: Session) -> pd.DataFrame:
    """The real messages that went out (journal and send log): msg_key, at, customer_key, occasion..."""
    sheet_history, _ = read_send_log(session)
    history = merged_history(Journal(journal_path(session.book.folder, session.book.name)).history(), sheet_history)
    if not len(history):
        return history
    real = ~history["test"].fillna(False).astype(bool) if "test" in history else True
    return history[real & history["state"].eq("sent")]


def last_mailed(session: Session) -> pd.Series:
    """The day each customer (by key) was last sent a follow-up e-mail, a contact too."""
    sent = sent_mails(session)
    if not len(sent):
        return pd.Series(dtype="datetime64[ns]")
    sent = sent[sent["occasion"].isin(MAIL_CONTACTS)]
    return pd.to_datetime(sent["at"], errors="coerce").dt.normalize().groupby(sent["customer_key"]).max()


def existing_customers(session: Session, records: pd.DataFrame, today: dt.date | None = None) -> pd.Series:
    """Customers who bought: orders in the orders sheet, an amount or order count, or a deal won.

    As of `today` (one rule for every date-sensitive command): an order, last order or deal dated
    after it has not happened yet. An amount or count column carries no date and always counts.
    """
    bought = pd.Series(False, index=records.index)
    until = pd.Timestamp(today) + pd.Timedelta(days=1) if today else None

    def by_then(dates: pd.Series) -> pd.Series:
        dates = pd.to_datetime(dates, errors="coerce")
        return dates.notna() & (dates < until) if until is not None else dates.notna()

    if session.orders is not None and "order_amount" in session.orders.records:
        orders = session.orders.records
        paid = orders["order_amount"].fillna(0) > 0
        if until is not None and "order_date" in orders:
            paid &= ~(pd.to_datetime(orders["order_date"], errors="coerce") >= until)  # undated orders count
        bought |= records["key"].isin(orders.loc[paid, "key"])
    for column in ("total_amount", "order_count"):
        if column in records:
            bought |= pd.to_numeric(records[column], errors="coerce").fillna(0) > 0
    for column in ("last_order", "deal_won"):
        if column in records:
            bought |= by_then(records[column])
    return bought


def own_last_contact(session: Session) -> pd.Series | None:
    """xlcrm's own last-contact column, written by `xlcrm log` when the sheet has none of its own."""
    raw = session.customers.owned("last_contact")
    if raw is None:
        return None
    parsed, _ = parse_column(raw, parse_date)
    return pd.to_datetime(parsed, errors="coerce")


def contact_log(session: Session, today: dt.date | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The contact log's rows keyed to their customers, and the rows that cannot count (today: one dated after it
    is one of them)."""
    name = find_sheet(session.book.sheet_names(), "contact_log")
    if not name:
        return pd.DataFrame(columns=["row", "date", "key", "customer"]), []
    grid = session.book.read_sheet(name)
    log, problems = read_log(name, grid, session.settings.flag("day_first"), today)
    header, columns = find_header(grid)
    if header < 0 or not len(log):
        return log, problems
    column = columns["customer"]
    where = f"{column_letter(column)} {clean_text(grid[header][column])}"
    log, unknown = resolve_names(log, lookup_frame(session), name, where, session.customers.table.sheet,
                                 session.customers.table.locate)
    return log, sorted(problems + unknown, key=lambda p: p.row or 0)


def lookup_frame(session: Session) -> pd.DataFrame:
    """What a customer is looked up by from the contact log: name, key, and what tells namesakes apart."""
    records = session.customers.records
    return records[[c for c in ("customer", "key", *IDENTITY) if c in records]]


def latest(*dates: pd.Series | None, until: dt.date | None = None) -> pd.Series:
    present = [pd.to_datetime(d, errors="coerce") for d in dates if d is not None]
    if until is not None:
        present = [d.where(d < pd.Timestamp(until) + pd.Timedelta(days=1)) for d in present]
    return pd.concat(present, axis=1).max(axis=1)
