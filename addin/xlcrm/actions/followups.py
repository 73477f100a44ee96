"""Highlight follow-ups: due dates and statuses beside the team's columns, row colours that follow
TODAY(), the due list per owner, and the data problems met on the way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from xlcrm.actions.common import housekeeping
from xlcrm.actions.followup_columns import followup_edits
from xlcrm.actions.people import latest, people_frame, sent_mails
from xlcrm.actions.progress import Progress, quiet
from xlcrm.actions.report_lines import problem_lines, saved_lines
from xlcrm.actions.session import Session, open_session
from xlcrm.actions.team_sync import join_team
from xlcrm.book import Book, SaveResult
from xlcrm.core.followups import due_list
from xlcrm.core.followups.due import Due, drop_greeted, work_out
from xlcrm.core.fields import norm_header
from xlcrm.core.followups.funnel import UNKNOWN_STAGE_WORD
from xlcrm.core.i18n import Msg
from xlcrm.core.problems import Problem
from xlcrm.core.parse import clean_text
from xlcrm.core.table import column_letter
from xlcrm.store import Connect

NO_DATE = Msg("no last contact, first contact or next follow-up date, so no follow-up can be scheduled "
              "(status: No date)", "没有最近联系、首次联系或下次跟进日期,无法安排跟进(状态:无日期)")
FUTURE_CONTACT = Msg("last contact after today ({today}): it has not happened yet, so it is not used; is the year right?",
                     "最近联系日期晚于今天({today}),尚未发生,未采用;请检查年份是否有误")
FAR_AHEAD = Msg("next follow-up more than a year ahead: no follow-up before then; is the year right?",
                "下次跟进日期在一年以后:在此之前不安排跟进;请检查年份是否有误")
NOT_A_CLASS = Msg("not a class (A, B, C or D; A类 and a are read as A), so the cadence of {kind} was used",
                  "不是等级(A、B、C、D;A类、a 均按 A 读取),已按{kind}的联系周期处理")
KINDS = {True: Msg("existing customers", "老客户"), False: Msg("prospects", "潜在客户")}
WORKING = Msg("Follow-ups: read, work out, write", "跟进提醒:读取、计算、写入")


@dataclass
class FollowupsResult:
    session: Session
    saved: SaveResult
    today: dt.date
    due: Due

    def lines(self, lang: str) -> list[str]:
        problems = self.session.written_name("problems")
        return (due_list.summary_lines(self.due, self.today, lang, self.session.customers.table.sheet,
                                       self.session.written_name("due"))
                + [n.text(lang) for n in self.session.notes + self.due.notes]
                + problem_lines(self.session, problems, lang) + saved_lines(self.saved, lang))


def followups(book: Book, today: dt.date | None = None, progress: Progress = quiet,
              region: str | None = None, team: Connect | None = None) -> FollowupsResult:
    """region: the computer's region (bootstrap.system_region), which picks the calendar when none is set;
    team: opens the team store when the settings name one (due dates then follow the team's last contact)."""
    today = today or dt.date.today()
    steps = iter(progress(range(3), 3, WORKING))  # three steps: read, work out, write
    next(steps)
    session = open_session(book, today=today)
    next(steps)
    view = join_team(session, team, dt.datetime.now())
    due = compute(session, today, region=region, contacted=view.contacted, mailed=view.mailed)
    due.notes += view.notes
    next(steps)
    saved = book.apply(housekeeping(session, "followups") + followup_edits(session, due, today) + view.edits)
    next(steps, None)
    return FollowupsResult(session, saved, today, due)


def due_touches(session: Session, today: dt.date, region: str | None = None,
                contacted: pd.Series | None = None, mailed: pd.Series | None = None,
                notes: list[Msg] | None = None) -> pd.DataFrame:
    """Every touch due (core.touches columns): regular follow-ups, care occasions, stuck deals.

    The mail merge picks from it who gets which reminder or greeting. Reads the contact log
    (through session.book) but writes nothing. A customer without any date has nothing due
    (the due list shows them as 'No date'), so no touch is handed over for them.
    notes: when given, gets why the working days planned with are estimated, if they are.
    """
    due = compute(session, today, note_problems=False, region=region, contacted=contacted, mailed=mailed)
    if notes is not None and due.estimated is not None and due.estimated not in notes:
        notes.append(due.estimated)
    touches = due.touches
    touches = touches[touches["due"].notna()].reset_index(drop=True)
    for column in ("owner", "detail"):  # the contract says None, and NaN is truthy: 'owner or ...' took it
        touches[column] = touches[column].astype(object).where(touches[column].notna(), None)
    return touches


def compute(session: Session, today: dt.date, note_problems: bool = True,
            contacted: pd.Series | None = None, region: str | None = None, mailed: pd.Series | None = None) -> Due:
    """What is due as of today. contacted: extra last-contact dates by row (a contact being logged now, the team's);
    mailed: extra follow-up mail dates by row that count as a contact (the team's, for the cadence only)."""
    people, log_problems = people_frame(session, today)
    if contacted is not None:
        people["last_contact"] = latest(people["last_contact"], contacted.reindex(people.index))
    if mailed is not None:
        people["last_mailed"] = latest(people["last_mailed"], mailed.reindex(people.index), until=today)
    due = work_out(people, session.settings, today, session.lang, region)
    due.touches = drop_greeted(due.touches, sent_mails(session))
    if note_problems:
        session.problems += (log_problems + year_problems(session, today) + class_problems(session, people)
                             + date_problems(session, due) + stage_problems(session, people, due))
    return due


def year_problems(session: Session, today: dt.date) -> list[Problem]:
    """Dates the team typed that cannot be meant: a last contact in the future, a next follow-up years ahead."""
    table, mapping, records = session.customers.table, session.customers.mapping, session.customers.records
    checks = (("last_contact", lambda d: d >= pd.Timestamp(today) + pd.Timedelta(days=1),
               FUTURE_CONTACT(today=f"{today:%Y-%m-%d}")),
              ("next_followup", lambda d: d > pd.Timestamp(today) + pd.DateOffset(years=1), FAR_AHEAD))
    found = []
    for field, wrong, why in checks:
        if field not in mapping.columns:
            continue
        column = mapping.columns[field]
        where = f"{column_letter(column)} {mapping.header(table, field)}"
        rows = records.index[wrong(pd.to_datetime(records[field], errors="coerce")).fillna(False).astype(bool)]
        typed = table.cells[column].loc[rows].tolist()  # at once: a wrong year can put every row here
        found += [Problem(table.sheet, int(row), where, value, why) for row, value in zip(rows, typed)]
    return found


def class_problems(session: Session, people: pd.DataFrame) -> list[Problem]:
    """A class cell (xlcrm's class column, or the team's own) that names no class (VIP, 重要客户): the customer got a
    default cadence, say so."""
    source = session.customers
    table, found = source.table, []
    for column in {c for c in (source.own.get("class"), source.mapping.columns.get("manual_class")) if c is not None}:
        typed = table.cells[column].reindex(people.index)
        wrong = typed.map(clean_text).ne("") & people["class"].isna()
        where = f"{column_letter(column)} {table.header_of(column)}"
        rows = people.index[wrong]  # the cells taken at once: a team's own class words can fill a whole column
        found += [Problem(table.sheet, int(row), where, value, NOT_A_CLASS(kind=KINDS[bool(existing)]))
                  for row, value, existing in zip(rows, typed[rows].tolist(), people.loc[rows, "existing"].tolist())]
    return found


def date_problems(session: Session, due: Due) -> list[Problem]:
    """A data problem for every customer without any date to schedule a follow-up from."""
    table, mapping = session.customers.table, session.customers.mapping
    field = next((f for f in ("last_contact", "next_followup", "first_contact") if f in mapping.columns), None)
    if field:
        where = f"{column_letter(mapping.columns[field])} {mapping.header(table, field)}"
    else:  # no date column of the team's: name xlcrm's own next-due column, where the gap shows
        source = session.customers
        column = source.place(["followup_status", "next_due"])["next_due"]
        where = f"{column_letter(column)} {source.label('next_due', session.lang)}"
    rows = due.followups.index[due.followups["status"] == "no_date"]
    return [Problem(table.sheet, int(row), where, None, NO_DATE) for row in rows]


def stage_problems(session: Session, people: pd.DataFrame, due: Due) -> list[Problem]:
    table, mapping = session.customers.table, session.customers.mapping
    if "stage" not in mapping.columns:
        return []
    where = f"{column_letter(mapping.columns['stage'])} {mapping.header(table, 'stage')}"
    unknown = people.loc[due.unknown_stage, "stage"]  # once per distinct word, at its first row, with a count
    words = unknown.map(lambda v: norm_header(clean_text(v)))
    return [Problem(table.sheet, int(rows.index[0]), where, rows.iloc[0],
                    UNKNOWN_STAGE_WORD(word=clean_text(rows.iloc[0]), count=len(rows)))
            for _, rows in unknown.groupby(words, sort=False)]


