"""Check my sheet: find the table, write the mapping and the data problems, report what was found."""

from __future__ import annotations

from dataclasses import dataclass

from xlcrm.actions.common import housekeeping
from xlcrm.actions.report_lines import problem_lines, saved_lines, table_lines
from xlcrm.actions.session import Session, open_session
from xlcrm.book import Book, SaveResult
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
    session = open_session(book)
    return CheckResult(session, book.apply(housekeeping(session)))
