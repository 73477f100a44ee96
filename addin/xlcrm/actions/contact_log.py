"""Log a contact: a row in the contact log, the customer's last-contact date moved, and the
follow-up status and next due date worked out again at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlcrm.actions.common import housekeeping, owned_sheet
from xlcrm.actions.followup_columns import followup_edits
from xlcrm.actions.followups import compute
from xlcrm.actions.people import latest, lookup_frame, own_last_contact
from xlcrm.actions.report_lines import saved_lines
from xlcrm.actions.session import Session, open_session
from xlcrm.actions.team_sync import join_team
from xlcrm.book import Book, SaveResult
from xlcrm.core.followups import contact_log as log
from xlcrm.core.followups.due import Due
from xlcrm.core.edits import DATE, Edit, SetCells
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.parse import clean_text
from xlcrm.core.sheets import find_sheet
from xlcrm.core.table import column_letter
from xlcrm.core.followups.touches import STATUSES
from xlcrm.store import Connect

FUTURE = Msg("The contact date {when} is in the future; log a contact once it has happened.",
             "联系日期 {when} 在今天之后;请在联系发生后再记录。")
NO_HEADER = Msg("Sheet '{sheet}' has content but no header row with 日期/Date and 客户名称/Customer columns; "
                "add that header row or rename the sheet, so nothing in it is overwritten.",
                "工作表“{sheet}”有内容,但没有包含“日期”和“客户名称”列的表头行;请补上表头或改名,以免覆盖其中内容。")
LOGGED = Msg("Logged: {when}, {channel}, {customer} (row {row}) in sheet '{sheet}'.",
             "已记录:{when},{channel},{customer}(第 {row} 行),见工作表“{sheet}”。")
FORMULA_KEPT = Msg("Sheet '{sheet}', cell {cell} ({header}) holds a formula, so it was left as it is; the contact is "
                   "recorded in sheet '{log}' and counts from there.",
                   "工作表“{sheet}”的单元格 {cell}({header})是公式,因此保持原样、未改动;本次联系已记录在工作表“{log}”中,"
                   "并据此计算跟进。")
NEXT = Msg("Last contact {last}; next follow-up due {due} ({status}).", "最近联系 {last};下次跟进 {due}({status})。")


@dataclass
class LogResult:
    session: Session
    saved: SaveResult
    customer: str
    rows: list[int]
    when: dt.date
    channel: str
    sheet: str
    due: Due
    notes: list[Msg] = field(default_factory=list)

    def lines(self, lang: str) -> list[str]:
        plan = self.due.followups.loc[self.rows[0]]
        due = f"{plan['due']:%Y-%m-%d}" if pd.notna(plan["due"]) else "-"
        table = self.session.customers.table
        sheet, row = table.locate(self.rows[0])  # of a table of one sheet per owner: its own sheet's row
        return [LOGGED(when=f"{self.when:%Y-%m-%d}", channel=self.channel, customer=self.customer,
                       row=f"{sheet}!{row}" if table.sheets else row, sheet=self.sheet).text(lang),
                NEXT(last=f"{plan['last_contact']:%Y-%m-%d}", due=due, status=STATUSES[plan["status"]]).text(lang)
                ] + [n.text(lang) for n in self.notes] + saved_lines(self.saved, lang)


def log_contact(book: Book, customer: str, channel: str = "phone", note: str = "", when: dt.date | None = None,
                outcome: str | None = None, next_step: str | None = None, ratings: dict | None = None,
                team: Connect | None = None, today: dt.date | None = None) -> LogResult:
    """team: opens the team store when one is set; the contact reaches it now, and the team's contacts count.
    today: the day the due list is rebuilt as of (default: the machine's date), as `followups --today`."""
    today = today or dt.date.today()
    when = when or today
    if when > today:
        raise XlcrmError(FUTURE(when=f"{when:%Y-%m-%d}"))
    scores = log.check_ratings(ratings)
    session = open_session(book, today=today)
    records, lang = session.customers.records, session.lang
    sheet, locate = session.customers.table.sheet, session.customers.table.locate
    customers = lookup_frame(session)
    rows = log.match_customer(customers, customer, sheet, locate)
    name = log.log_label(customers, rows, sheet, locate)  # a namesake's with its phone, e-mail or row
    channel_text = log.channel_name(channel or "phone", lang)
    entry = {"date": when, "customer": name, "owner": _plain(records.get("owner", pd.Series()).get(rows[0])),
             "channel": channel_text, "outcome": clean_text(outcome) or None, "next_step": clean_text(next_step) or None,
             "note": clean_text(note) or None, **scores}
    sheet, log_edits = append_edits(session, entry)
    contact_edits, extra = last_contact_edits(session, rows, when)
    view = join_team(session, team, dt.datetime.now(), [{"key": records.at[rows[0], "key"], "date": when,
                                                         "owner": entry["owner"]}])
    contacted = pd.Series(pd.Timestamp(when), index=rows)
    if view.contacted is not None:
        contacted = latest(contacted.reindex(view.contacted.index), view.contacted)
    due = compute(session, today, contacted=contacted, mailed=view.mailed)
    edits = (housekeeping(session, "followups") + log_edits + contact_edits + followup_edits(session, due, today, extra)
             + view.edits)
    saved = book.apply(edits)
    return LogResult(session, saved, name, rows, when, channel_text, sheet, due,
                     view.notes + formulas_kept(session, contact_edits, sheet))


def formulas_kept(session: Session, contact_edits: list[SetCells], log_sheet: str) -> list[Msg]:
    """What the back-end left of the last-contact cells, because they hold the team's formula."""
    header = session.customers.table.header_of(session.customers.mapping.columns.get("last_contact", -1))
    return [FORMULA_KEPT(sheet=edit.sheet, cell=f"{column_letter(column - 1)}{row}", header=header, log=log_sheet)
            for edit in contact_edits for row, column in edit.formulas_kept]


def append_edits(session: Session, entry: dict[str, Any]) -> tuple[str, list[Edit]]:
    """The new log row: below the last one on the existing sheet (its own column order), or a new sheet."""
    book, lang = session.book, session.lang
    name = find_sheet(book.sheet_names(), "contact_log")
    grid = book.read_sheet(name) if name else []
    header, positions = log.find_header(grid)
    if header < 0:
        if any(clean_text(v) for row in grid for v in row):
            raise XlcrmError(NO_HEADER(sheet=name))
        sheet = owned_sheet("contact_log", lang, [log.header_labels(lang), log.entry_row(_in_order(), entry)],
                           session, row_styles={0: "header"}, formats={0: DATE}, freeze="A2",
                           widths={0: 12, 1: 28, 2: 10, 3: 10, 4: 24, 5: 24, 6: 40, 7: 12, 8: 12, 9: 14})
        return sheet.name, [sheet]
    assert name is not None  # the header was found on it
    edits: list[Edit] = []
    width = max(len(grid[header]), max(positions.values()) + 1)
    for cid in (c for c in entry if c not in positions and entry[c] is not None):  # a rating column it lacks
        positions[cid] = width
        edits.append(SetCells(name, header + 1, width + 1, [[log.label(cid, lang)]], header=True))
        width += 1
    last = max((i for i, row in enumerate(grid) if any(clean_text(v) for v in row)), default=header)
    edits.append(SetCells(name, last + 2, 1, [log.entry_row(positions, entry)], {positions["date"]: DATE}))
    return name, edits


def _in_order() -> dict[str, int]:
    return {cid: i for i, (cid, *_rest) in enumerate(log.LOG_COLUMNS)}


def last_contact_edits(session: Session, rows: list[int], when: dt.date) -> tuple[list[SetCells], pd.DataFrame | None]:
    """The team's last-contact cells moved to `when` (never back in time, nor over a formula); without such a column,
    xlcrm's own one (returned as an extra column for column_edits)."""
    source = session.customers
    new = pd.Timestamp(when)
    if "last_contact" in source.mapping.columns:
        column = source.mapping.columns["last_contact"] + 1
        current = source.records["last_contact"]
        return [SetCells(*source.table.locate(row), column, [[when]], {0: DATE}, keep_formulas=True) for row in rows
                if pd.isna(current.get(row)) or current.get(row) < new], None
    own = own_last_contact(session)
    own = pd.Series(pd.NaT, index=source.records.index) if own is None else own
    own.loc[rows] = own.loc[rows].where(own.loc[rows] >= new, new)
    return [], pd.DataFrame({"last_contact": own})


def _plain(value: Any) -> Any:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value
