"""Check my sheet: find the table, write the mapping and the data problems, report what was found."""

from __future__ import annotations

from dataclasses import dataclass

from xlcrm.actions.common import housekeeping, refusal_settings_edit
from xlcrm.actions.report_lines import problem_lines, saved_lines, table_lines
from xlcrm.actions.session import Session, open_session
from xlcrm.book import Book, SaveResult
from xlcrm.core.errors import XlcrmError
from xlcrm.core.mapping import WROTE_SETTINGS, MissingColumns
from xlcrm.core.sheets import sheet_name


@dataclass
class CheckResult:
    session: Session
    saved: SaveResult

    def lines(self, lang: str) -> list[str]:
        problems_sheet = sheet_name("problems", self.session.lang)
        return (table_lines(self.session, lang) + problem_lines(self.session, problems_sheet, lang)
                + saved_lines(self.saved, lang))


def check(book: Book) -> CheckResult:
    """Find the table and write the settings and problems sheets; when a required column is missing, write
    the settings sheet alone (the mapping found, the missing field marked) so the user can name it there."""
    try:
        session = open_session(book)
    except MissingColumns as refused:
        edit = refusal_settings_edit(book, refused)
        book.apply([edit])
        raise XlcrmError(WROTE_SETTINGS(missing=refused.msg, sheet=edit.name)) from refused
    return CheckResult(session, book.apply(housekeeping(session)))
