"""Build report: the weekly or monthly CRM report, as a dated HTML page beside the workbook and as the
report sheet inside it (with native charts), optionally mailed to the team lead. The CLI's `xlcrm report`
and the ribbon's "Build report" button both call `report`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from xlcrm import files
from xlcrm.actions.common import DayClock, housekeeping, owned_sheet
from xlcrm.actions.mail_sheets import log_edit
from xlcrm.actions.progress import Progress, quiet
from xlcrm.actions.report_data import gather
from xlcrm.actions.report_lines import saved_lines
from xlcrm.actions.report_mail import Mailed, checked_address, mail_report
from xlcrm.actions.session import Session, open_session
from xlcrm.actions.team_sync import join_team
from xlcrm.book import Book, SaveResult
from xlcrm.core.edits import Edit
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.period import ending, period_kind
from xlcrm.core.report.sections import Report, ReportRules
from xlcrm.core.report.assemble import build
from xlcrm.core.report.inputs import for_owner, owner_of
from xlcrm.core.report.report_sheet import WIDTHS, report_sheet
from xlcrm.core.mailmerge.sender_profile import sender_profile
from xlcrm.mail.batch import Clock, Mailer, SystemClock
from xlcrm.mail.journal import journal_path
from xlcrm.store import Connect

__all__ = ["report", "ReportResult"]

STEPS = Msg("Building the report", "生成报告")
HTML_AT = Msg("HTML report: {path}", "HTML 报告:{path}")
SHEET_AT = Msg("Report sheet with charts: '{sheet}'", "报告工作表(含图表):“{sheet}”")
CANNOT_WRITE = Msg("Cannot write the report {path}: {why}", "无法写入报告 {path}:{why}")
SAVE_FAILED = Msg("The report was mailed and journaled, but the workbook could not be updated: {why}",
                  "报告已发送并记入日志,但无法更新工作簿:{why}")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass
class ReportResult:
    session: Session
    saved: SaveResult
    report: Report
    html: Path
    mailed: Mailed | None = None
    notes: list[Msg] = field(default_factory=list)

    @property
    def mail_failed(self) -> bool:
        return self.mailed is not None and not self.mailed.delivered

    def lines(self, lang: str) -> list[str]:
        lines = [line.text(lang) for line in self.report.headline]
        lines.append(HTML_AT(path=str(self.html)).text(lang))
        lines.append(SHEET_AT(sheet=self.session.written_name("report")).text(lang))
        if self.mailed:
            lines.append(self.mailed.line().text(lang))
        lines += [note.text(lang) for note in self.session.notes + self.notes]
        return lines + saved_lines(self.saved, lang)


def report(book: Book, out_dir: str | os.PathLike | None = None, period: str = "week", owner: str | None = None,
           today: dt.date | None = None, progress: Progress = quiet, mail_to: str | None = None,
           mailer: Mailer | None = None, clock: Clock = SystemClock(), team: Connect | None = None) -> ReportResult:
    """The report for the week or month up to `today` (default: today), for the team or one owner;
    mailed to `mail_to` through `mailer` when asked. team: opens the team store when the settings name one:
    the workbook syncs (contacts, sends, owners) as every action does."""
    if today is not None:  # one "as of" day: the report mail is journaled and logged on it too
        clock = DayClock(clock, today)
    chosen = ending(period_kind(period), clock.now().date())
    to = checked_address(mail_to) if mail_to else None
    steps = iter(progress(range(4), 4, STEPS))  # read, work out, write the page, write the workbook
    next(steps)
    session = open_session(book, today=chosen.end)
    profile = sender_profile(session.settings).beside(session.book.folder) if to else None
    if profile:
        profile.require_server()  # before anything is written
        if mailer is None:
            raise ValueError("mailing the report needs a mailer")
    view = join_team(session, team, clock.now())
    rules = ReportRules.from_settings(session.settings)
    inputs = gather(session, chosen)
    name = owner_of(inputs, owner) if owner else None
    next(steps)
    made = build(for_owner(inputs, name) if name else inputs, chosen, name, book.name, session.lang, rules,
                 journal_path(book.folder, book.name).name)
    next(steps)
    html = write_html(made, _folder(book, out_dir), clock)
    notes = inputs.notes + view.notes  # no font note: the charts' labels are text, drawn by the reader's browser
    if inputs.due.estimated is not None and inputs.due.estimated not in notes:  # as the page says, once
        notes.append(inputs.due.estimated)
    mailed = mail_report(session, profile, made, html, to, mailer, clock) if profile and to and mailer else None
    next(steps)
    edits: list[Edit] = housekeeping(session, "report") + [_sheet(made, html.name, session)] + view.edits
    if mailed is not None:
        edits.append(log_edit(mailed.history, session.lang, session))
    saved = _save(book, edits, mailed)
    next(steps, None)
    return ReportResult(session, saved, made, html, mailed, notes)


def _folder(book: Book, out_dir: str | os.PathLike | None) -> Path:
    return Path(out_dir).expanduser() if out_dir else book.folder / "reports"


def file_name(made: Report, book_name: str) -> str:
    """<workbook>-<week|month>-<day>[-<owner>].html: dated, one per period, owner and workbook."""
    owner = f"-{made.owner}" if made.owner else ""
    name = _UNSAFE.sub("_", f"{Path(book_name).stem}-{made.period.kind}-{made.today:%Y-%m-%d}{owner}").strip(" .")
    return name[:150] + ".html"


def write_html(made: Report, folder: Path, clock: Clock, name: str | None = None) -> Path:
    """The report's self-contained page, written atomically into folder (as `name`, default file_name)."""
    from xlcrm.reports.html import render_html

    page = render_html(made, clock.now())
    path = folder / (name or file_name(made, made.book))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        files.write_text(path, page)
    except OSError as error:
        raise XlcrmError(CANNOT_WRITE(path=str(path), why=error.strerror or str(error))) from error
    return path.resolve()


def _sheet(made: Report, html_name: str, session: Session):
    layout = report_sheet(made, html_name)
    return owned_sheet("report", session.lang, layout.rows, session, row_styles=layout.styles, widths=WIDTHS,
                       charts=tuple(layout.charts), range_formats=tuple(layout.formats), range_align=tuple(layout.align))


def _save(book: Book, edits: list[Edit], mailed: Mailed | None) -> SaveResult:
    try:
        return book.apply(edits)
    except XlcrmError as error:
        if mailed is None or mailed.state != "sent":
            raise
        raise XlcrmError(SAVE_FAILED(why=error.msg)) from error
