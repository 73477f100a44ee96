"""Check my sheet: find the table, write the mapping and the data problems, report what was found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xlcrm.actions.common import housekeeping, refusal_settings_edit
from xlcrm.actions.report_lines import problem_lines, saved_lines, table_lines
from xlcrm.actions.session import Session, open_session
from xlcrm.actions.team_sync import join_team
from xlcrm.book import Book, SaveResult
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.mapping import WROTE_SETTINGS, MissingColumns
from xlcrm.store import Connect


@dataclass
class CheckResult:
    session: Session
    saved: SaveResult
    notes: list[Msg] = field(default_factory=list)

    def lines(self, lang: str) -> list[str]:
        problems_sheet = self.session.written_name("problems")
        return (table_lines(self.session, lang) + problem_lines(self.session, problems_sheet, lang)
                + [n.text(lang) for n in self.notes] + saved_lines(self.saved, lang))


def check(book: Book, team: Connect | None = None) -> CheckResult:
    """Find the table and write the settings and problems sheets; when a required column is missing, write
    the settings sheet alone (the mapping found, the missing field marked) so the user can name it there.
    team: opens the team store when the settings name one: the workbook syncs (contacts, sends, owners)."""
    try:
        session = open_session(book, today=dt.date.today())  # a day typed without a year: its latest up to today
    except MissingColumns as refused:
        edit = refusal_settings_edit(book, refused)
        book.apply([edit])
        raise XlcrmError(WROTE_SETTINGS(missing=refused.msg, sheet=edit.name)) from refused
    view = join_team(session, team, dt.datetime.now())
    # what reading the settings met (an unclear yes/no...) is said here too, not only by the follow-ups
    return CheckResult(session, book.apply(housekeeping(session) + view.edits), session.settings.notes() + view.notes)
