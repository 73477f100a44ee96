"""Everything due, worked out in one place: the regular follow-up per customer, care occasions,
touches after deals and deliveries, and deals stuck in the funnel.

people: one row per customer (index = Excel row) with the columns of PEOPLE_COLUMNS
(missing data as None/NaT); the action builds it from the team's sheet and the contact log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xlcrm.core.calendar import WorkCalendar, used_note
from xlcrm.core.followups.care import care_touches, greeted_holidays, touch_frame
from xlcrm.core.followups.cadence import plan_followups
from xlcrm.core.followups.followup_rules import Rules, read_rules
from xlcrm.core.followups.funnel import funnel_counts, funnel_stages, stage_steps, stuck_touches, unknown_stages
from xlcrm.core.i18n import Msg, pick
from xlcrm.core.settings import Settings
from xlcrm.core.followups.touches import TOUCH_COLUMNS

DATES = ("last_contact", "next_followup", "first_contact", "birthday", "deal_won", "delivery", "appointment",
         "stage_since")
PEOPLE_COLUMNS = ("key", "customer", "owner", "class", "existing", "cadence_days", "stage", "lost_reason", *DATES,
                  "birthday_lunar")  # lunar month * 100 + day (core.lunar), when the birthday is a lunar one

OWN_DATE = Msg("date planned in the sheet", "表中计划日期")
FROM_LAST = Msg("last contact {date} + {days} days", "最近联系 {date} + {days} 天")
FROM_FIRST = Msg("first contact {date} + {days} days", "首次联系 {date} + {days} 天")
ANSWER_BY = Msg("new lead: answer by {date} at the latest", "新线索:最迟 {date} 前回复")


@dataclass
class Due:
    people: pd.DataFrame  # the input, one row per customer
    rules: Rules
    followups: pd.DataFrame  # per customer: see core.followups.plan_followups
    touches: pd.DataFrame  # core.touches columns, regular follow-ups first
    funnel: pd.DataFrame  # per step: stage, deals, stuck
    unknown_stage: pd.Series  # rows whose stage names no funnel stage
    notes: list[Msg] = field(default_factory=list)
    estimated: Msg | None = None  # why the working days are a guess (a year the calendar does not know), if so


def work_out(people: pd.DataFrame, settings: Settings, today: dt.date, lang: str, region: str | None = None) -> Due:
    """region: the computer's region (e.g. 'US'), which chooses the calendar when the settings name none."""
    rules = read_rules(settings, lang, region)
    notes = [used_note(rules.country, rules.calendar_why), *rules.notes]
    calendar = _calendar(rules)
    estimated = calendar.estimated(today, today + dt.timedelta(days=rules.look_ahead_days))
    notes += [estimated] if estimated else []
    plan = plan_followups(people, rules, calendar, today)
    regular = touch_frame(people, pd.Series(True, index=people.index), "followup", plan["due"], today,
                          followup_details(people, plan, lang))
    regular["occasion"] = plan["occasion"].to_numpy()
    care, care_notes = care_touches(people, rules, calendar, greeted_holidays(settings, lang, calendar, today),
                                    today, lang)
    stages = funnel_stages(settings, notes)
    steps = stage_steps(people["stage"], stages)
    stuck = stuck_touches(people, steps, stages, today, lang)
    touches = pd.concat([t for t in (regular, care, stuck) if len(t)] or [regular], ignore_index=True)
    later = _later_duplicates(people)
    touches = touches[~touches["row"].isin(later)]  # one customer listed twice: once
    counted = steps[~steps.index.isin(later)]  # so in the funnel, as in the report
    funnel = funnel_counts(counted, pd.Index(touches.loc[touches["occasion"].eq("stuck"), "row"]), stages)
    return Due(people, rules, plan, touches[list(TOUCH_COLUMNS)], funnel, unknown_stages(people["stage"], steps),
               notes + care_notes, estimated)


def work_calendar(settings: Settings, lang: str, region: str | None = None) -> WorkCalendar:
    """The workbook's holiday calendar, the one its due dates count working days by (the mail merge's '工作日'
    sending days follow it too)."""
    return _calendar(read_rules(settings, lang, region))


def _calendar(rules: Rules) -> WorkCalendar:
    return WorkCalendar(rules.country, rules.extra_off, rules.extra_working)


def _later_duplicates(people: pd.DataFrame) -> pd.Index:
    return people.index[people["key"].duplicated(keep="first")]


def followup_details(people: pd.DataFrame, plan: pd.DataFrame, lang: str) -> pd.Series:
    """Why each regular follow-up is due when it is, in words."""
    own = OWN_DATE.text(lang)
    last, first, answer_by = (pick(lang, m.en, m.zh) for m in (FROM_LAST, FROM_FIRST, ANSWER_BY))

    def day(dates: pd.Series) -> list:  # NaT is no date, never 'nan' or 'NaT'
        days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
        texts = np.datetime_as_string(days).astype(object)
        texts[np.isnat(days)] = None
        return texts.tolist()

    texts: list[str | None] = []
    for occasion, own_date, answer, contact, started, days in zip(
            plan["occasion"], plan["own_date"], day(plan["answer_by"]), day(plan["last_contact"]),
            day(people["first_contact"]), plan["cadence"]):
        if occasion == "first_answer":
            texts.append(answer_by.format(date=answer))
        elif own_date:
            texts.append(own)
        elif contact:
            texts.append(last.format(date=contact, days=days))
        else:
            texts.append(first.format(date=started, days=days) if started else None)
    return pd.Series(texts, index=plan.index, dtype=object)


def drop_greeted(touches: pd.DataFrame, sent: pd.DataFrame) -> pd.DataFrame:
    """The touches without the missed greetings that did go out after all: a greeting is missed only when no
    message for that customer, occasion and due date was sent (the message key ends with the due date)."""
    missed = touches["status"].eq("missed")
    if not missed.any() or not len(sent):
        return touches
    went = set(zip(sent["customer_key"], sent["occasion"], sent["msg_key"].astype(str).str.rsplit("|", n=1).str[-1]))
    greeted = [(k, o, f"{d:%Y-%m-%d}") in went if m else False
               for k, o, d, m in zip(touches["key"], touches["occasion"], touches["due"], missed)]
    return touches[~pd.Series(greeted, index=touches.index)].reset_index(drop=True)
