"""Highlight follow-ups: due dates and statuses beside the team's columns, row colours that follow
TODAY(), the due list per owner, and the data problems met on the way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from xlcrm.actions.common import column_edits, housekeeping, owned_sheet
from xlcrm.actions.progress import Progress, quiet
from xlcrm.actions.report_lines import problem_lines, saved_lines
from xlcrm.actions.session import Session, Source, open_session
from xlcrm.book import Book, SaveResult
from xlcrm.core import due_list
from xlcrm.core.contact_log import last_logged, read_log
from xlcrm.core.due import DATES, PEOPLE_COLUMNS, Due, work_out
from xlcrm.core.edits import DATE, Edit, Formula, Highlight, SetHighlights
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.followups import customer_class
from xlcrm.core.funnel import UNKNOWN_STAGE
from xlcrm.core.i18n import Msg
from xlcrm.core.parse import clean_text, parse_column, parse_date
from xlcrm.core.problems import Problem
from xlcrm.core.sheets import column_label, find_sheet, owned_columns, place_columns, sheet_name
from xlcrm.core.table import column_letter
from xlcrm.core.touches import STATUSES

COLOURS = {"overdue": "FFB3B3", "due_today": "FFD27F", "due_week": "FFF59D"}  # red, amber, yellow
TEAM_COLUMN = Msg(
    "Sheet '{sheet}': column {column} '{header}' looks like your own (it holds e.g. '{value}'), but xlcrm writes its "
    "follow-up status and next due date into columns of that name. Rename your column (e.g. 下次跟进日期 or "
    "跟进情况) and run again; nothing was written.",
    "工作表“{sheet}”:{column} 列“{header}”似乎是您自己的列(例如“{value}”),但 xlcrm 的跟进状态和下次跟进日会写入同名列。"
    "请把您的列改名(如“下次跟进日期”或“跟进情况”)后再运行;本次未写入任何内容。")
NO_DATE = Msg("no last contact, first contact or next follow-up date, so no follow-up can be scheduled "
              "(status: No date)", "没有最近联系、首次联系或下次跟进日期,无法安排跟进(状态:无日期)")
WORKING = Msg("Follow-ups: read, work out, write", "跟进提醒:读取、计算、写入")


@dataclass
class FollowupsResult:
    session: Session
    saved: SaveResult
    today: dt.date
    due: Due
    notes: list[Msg] = field(default_factory=list)

    def lines(self, lang: str) -> list[str]:
        problems = sheet_name("problems", self.session.lang)
        return (due_list.summary_lines(self.due, self.today, lang, self.session.customers.table.sheet,
                                       sheet_name("due", self.session.lang))
                + [n.text(lang) for n in self.notes + self.due.notes]
                + problem_lines(self.session, problems, lang) + saved_lines(self.saved, lang))


def followups(book: Book, today: dt.date | None = None, progress: Progress = quiet) -> FollowupsResult:
    today = today or dt.date.today()
    steps = iter(progress(range(3), 3, WORKING))  # three steps; the bar moves as each one starts
    next(steps)
    session = open_session(book)
    next(steps)
    due = compute(session, today)
    next(steps)
    saved = book.apply(housekeeping(session) + followup_edits(session, due, today))
    return FollowupsResult(session, saved, today, due)


def due_touches(session: Session, today: dt.date) -> pd.DataFrame:
    """Every touch due (core.touches columns): regular follow-ups, care occasions, stuck deals.

    The mail merge picks from it who gets which reminder or greeting. Reads the contact log
    (through session.book) but writes nothing.
    """
    return compute(session, today, note_problems=False).touches


def compute(session: Session, today: dt.date, note_problems: bool = True,
            contacted: pd.Series | None = None) -> Due:
    """What is due as of today. contacted: extra last-contact dates by row (a contact being logged now)."""
    people, log_problems = people_frame(session)
    if contacted is not None:
        people["last_contact"] = _latest(people["last_contact"], contacted.reindex(people.index))
    due = work_out(people, session.settings, today, session.lang)
    if note_problems:
        session.problems += log_problems + date_problems(session, due) + stage_problems(session, people, due)
    return due


def people_frame(session: Session) -> tuple[pd.DataFrame, list[Problem]]:
    """The customer rows as core.due wants them: the team's columns, classes, orders and the contact log."""
    records = session.customers.records
    people = pd.DataFrame(index=records.index)
    for column in PEOPLE_COLUMNS:
        people[column] = records[column] if column in records else None
    for column in DATES:
        people[column] = pd.to_datetime(people[column], errors="coerce")
    people["class"] = customer_class(session.customers.owned("class"), people.index)
    if "manual_class" in records:
        people["class"] = people["class"].fillna(customer_class(records["manual_class"], people.index))
    people["existing"] = existing_customers(session, records)
    for column in ("contact", "phone"):
        people[column] = records[column] if column in records else None
    log, problems = contact_log(session)
    logged = people["key"].map(last_logged(log)) if len(log) else None
    people["last_contact"] = _latest(people["last_contact"], own_last_contact(session), logged)
    return people, problems


def existing_customers(session: Session, records: pd.DataFrame) -> pd.Series:
    """Customers who bought: orders in the orders sheet, an amount or order count, or a deal won."""
    bought = pd.Series(False, index=records.index)
    if session.orders is not None and "order_amount" in session.orders.records:
        orders = session.orders.records
        bought |= records["key"].isin(orders.loc[orders["order_amount"].fillna(0) > 0, "key"])
    for column in ("total_amount", "order_count"):
        if column in records:
            bought |= pd.to_numeric(records[column], errors="coerce").fillna(0) > 0
    for column in ("last_order", "deal_won"):
        if column in records:
            bought |= records[column].notna()
    return bought


def own_last_contact(session: Session) -> pd.Series | None:
    """xlcrm's own last-contact column, written by `xlcrm log` when the sheet has none of its own."""
    raw = session.customers.owned("last_contact")
    if raw is None:
        return None
    parsed, _ = parse_column(raw, parse_date)
    return pd.to_datetime(parsed, errors="coerce")


def contact_log(session: Session) -> tuple[pd.DataFrame, list[Problem]]:
    name = find_sheet(session.book.sheet_names(), "contact_log")
    if not name:
        return pd.DataFrame(columns=["row", "date", "key", "customer"]), []
    return read_log(name, session.book.read_sheet(name), session.settings.flag("day_first"))


def _latest(*dates: pd.Series | None) -> pd.Series:
    present = [pd.to_datetime(d, errors="coerce") for d in dates if d is not None]
    return pd.concat(present, axis=1).max(axis=1)


def date_problems(session: Session, due: Due) -> list[Problem]:
    """A data problem for every customer without any date to schedule a follow-up from."""
    table, mapping = session.customers.table, session.customers.mapping
    field = next((f for f in ("last_contact", "next_followup", "first_contact") if f in mapping.columns), None)
    where = (f"{column_letter(mapping.columns[field])} {mapping.header(table, field)}" if field
             else column_label("next_due", session.lang))
    rows = due.followups.index[due.followups["status"] == "no_date"]
    return [Problem(table.sheet, int(row), where, None, NO_DATE) for row in rows]


def stage_problems(session: Session, people: pd.DataFrame, due: Due) -> list[Problem]:
    table, mapping = session.customers.table, session.customers.mapping
    if "stage" not in mapping.columns:
        return []
    where = f"{column_letter(mapping.columns['stage'])} {mapping.header(table, 'stage')}"
    return [Problem(table.sheet, int(row), where, people.at[row, "stage"], UNKNOWN_STAGE)
            for row in people.index[due.unknown_stage]]


def followup_edits(session: Session, due: Due, today: dt.date, extra: pd.DataFrame | None = None) -> list[Edit]:
    """The status and next-due columns, the row colours and the due list (extra: more own columns)."""
    source, lang = session.customers, session.lang
    refuse_team_columns(source)
    values = pd.DataFrame({"followup_status": None, "next_due": due.followups["due"]}, index=due.followups.index)
    if extra is not None:
        values = values.join(extra)
    places = place_columns(source.table.headers, list(values.columns))
    letter = column_letter(places["next_due"])
    values["followup_status"] = [Formula(status_formula(f"{letter}{row}", lang)) for row in values.index]
    edits: list[Edit] = column_edits(source, values, lang, {"next_due": DATE, "last_contact": DATE},
                                     {"followup_status": 16, "next_due": 12, "last_contact": 14})
    if len(values):
        last_column = column_letter(max(len(source.table.headers) - 1, *places.values()))
        edits.append(highlights(source.table.sheet, source.table.header_row + 1, source.table.last_row,
                                last_column, letter))
    rows, layout = due_list.sheet(due.touches, due.people, today, lang, source.table.sheet)
    edits.append(owned_sheet("due", lang, rows, **layout))
    return edits


def refuse_team_columns(source: Source) -> None:
    """Stop before overwriting a column of the team's that happens to carry the name of one of xlcrm's.

    xlcrm writes its two columns together, and the status column only ever holds status words.
    """
    table = source.table
    present = owned_columns(table.headers)
    words = {norm_header(text) for m in STATUSES.values() for text in (m.en, m.zh)}
    status = present.get("followup_status")
    if status is not None:
        foreign = [v for v in table.cells[status] if clean_text(v) and norm_header(v) not in words]
        if foreign:
            raise XlcrmError(TEAM_COLUMN(sheet=table.sheet, column=column_letter(status),
                                         header=table.headers[status], value=clean_text(foreign[0])))
    elif "next_due" in present:
        column = present["next_due"]
        raise XlcrmError(TEAM_COLUMN(sheet=table.sheet, column=column_letter(column), header=table.headers[column],
                                     value=clean_text(next((v for v in table.cells[column] if clean_text(v)), ""))))


def status_formula(cell: str, lang: str) -> str:
    """The status as a formula of the due date, so it reads right on any later day without a re-run."""
    text = {k: m.text(lang).replace('"', '""') for k, m in STATUSES.items()}
    return (f'IF(ISNUMBER({cell}),IF({cell}<TODAY(),"{text["overdue"]}",IF({cell}=TODAY(),"{text["due_today"]}",'
            f'IF({cell}-TODAY()<=7,"{text["due_week"]}","{text["ok"]}"))),"{text["no_date"]}")')


def highlights(sheet: str, first_row: int, last_row: int, last_column: str, due_column: str) -> SetHighlights:
    """Three rules over the customer rows, each comparing the row's due date with TODAY()."""
    cell = f"${due_column}{first_row}"
    dated = f"ISNUMBER({cell})"
    return SetHighlights(sheet, f"A{first_row}:{last_column}{last_row}", [
        Highlight(f"AND({dated},{cell}<TODAY())", COLOURS["overdue"]),
        Highlight(f"AND({dated},{cell}=TODAY())", COLOURS["due_today"]),
        Highlight(f"AND({dated},{cell}>TODAY(),{cell}-TODAY()<=7)", COLOURS["due_week"]),
    ])
