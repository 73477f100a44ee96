"""Regular contact: the cadence each customer gets, the date the next contact is due, and its status.

The due date is the team's own next-follow-up date when it is filled and still ahead of the
last contact; otherwise the last contact (or, never contacted, the first contact) plus the
cadence. A new lead nobody has answered yet is due a first answer a few days after it came in.
Everything is vectorised over the customer frame (index = Excel row), one row per customer.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xlcrm.core.calendar import WorkCalendar
from xlcrm.core.parse import clean_text
from xlcrm.core.followups.followup_rules import CLASSES, MAX_DAYS, Rules

WEEK = 7  # "due this week": within the next 7 days


def customer_class(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """A/B/C/D from a class column ('A', 'a', 'A类', 'A 战略'), else None."""
    if values is None:
        return pd.Series(None, index=index, dtype=object)
    first = values.reindex(index).map(lambda v: clean_text(v)[:1].upper())
    return first.where(first.isin(CLASSES), None)


def cadence_days(people: pd.DataFrame, rules: Rules) -> pd.Series:
    """Days between contacts per customer: their own column; else, for a prospect (no purchases), the
    prospect cadence (refresh gives prospects class D, which must not change their rhythm); else their
    class, else the existing-customer cadence."""
    existing = people["existing"].fillna(False).astype(bool)
    by_kind = existing.map({True: rules.cadence["existing"], False: rules.cadence["prospect"]})
    by_class = people["class"].map(rules.cadence).where(existing)
    own = pd.to_numeric(people["cadence_days"], errors="coerce").where(lambda d: (d > 0) & (d <= MAX_DAYS))
    return own.fillna(by_class).fillna(by_kind).astype("int64")


def statuses(due: pd.Series, today: dt.date) -> pd.Series:
    """Overdue / due today / due this week (within 7 days) / OK / no date, as of `today`."""
    days = (pd.to_datetime(due) - pd.Timestamp(today)).dt.days
    keys = np.select([due.isna(), days < 0, days == 0, days <= WEEK], ["no_date", "overdue", "due_today", "due_week"],
                     "ok")
    return pd.Series(keys, index=due.index, dtype=object)


def add_days(calendar: WorkCalendar, start: pd.Series, days: pd.Series, count_in: str) -> pd.Series:
    if count_in == "working":
        return calendar.shift(start, days)
    return start + pd.to_timedelta(days, unit="D")


def plan_followups(people: pd.DataFrame, rules: Rules, calendar: WorkCalendar, today: dt.date) -> pd.DataFrame:
    """The regular follow-up of every customer (index = Excel row): cadence, last_contact, due,
    own_date (the team's own date was used), occasion (followup / first_answer), status, answer_by.

    people needs: existing, class, cadence_days, last_contact, next_followup, first_contact; and may have
    last_mailed (the last follow-up e-mail sent, counted as a contact for the cadence only) and appointment (a
    meeting, a contact once its day has come) and followup_held (the team's next-follow-up cell is no date: none).
    """
    cadence = cadence_days(people, rules)
    last, first = people["last_contact"], people["first_contact"]
    if "last_mailed" in people:  # a follow-up e-mail sent, when the settings count it as a contact
        last = pd.concat([last, pd.to_datetime(people["last_mailed"])], axis=1).max(axis=1)
    if "appointment" in people:  # a meeting held is a contact, logged or not: no "long time no see" the day after
        met = pd.to_datetime(people["appointment"]).where(lambda day: day <= pd.Timestamp(today))
        last = pd.concat([last, met], axis=1).max(axis=1)
    # a lead is new while its latest answer day is not long past: "thank you for getting in touch" months after
    # the first contact reads wrong (a catch-up run for an earlier day too); it is then followed up as any customer
    fresh = first >= pd.Timestamp(today) - pd.Timedelta(days=2 * rules.lead_max_days)
    lead = (rules.on("first_answer") & first.notna() & ~people["existing"].astype(bool) & fresh
            & (last.isna() | (last <= first)))
    base = last.where(last.notna() & ~lead, first)
    step = cadence.where(~lead, rules.days("first_answer"))
    computed = calendar.roll(add_days(calendar, base, step, rules.count_in), rules.day_off)
    own = people["next_followup"].where(last.isna() | (people["next_followup"] > last))
    answer_by = (first + pd.Timedelta(days=rules.lead_max_days)).where(lead)
    due = own.where(own.notna(), computed)
    due = due.where(~lead | (due <= answer_by), answer_by)  # a lead's answer never waits past the latest day
    if "followup_held" in people:  # the team's next-follow-up cell says when in words xlcrm cannot read: no plan
        due = due.where(~people["followup_held"].astype(bool))
    return pd.DataFrame({
        "cadence": cadence,
        "last_contact": last,
        "due": due,
        "own_date": own.notna(),
        "occasion": np.where(lead, "first_answer", "followup"),
        "status": statuses(due, today),
        "answer_by": answer_by,
    }, index=people.index)
