"""The team commands: sync a workbook with the team store, the store's status, a reassignment, the team report."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from xlcrm.actions.common import housekeeping
from xlcrm.actions.report import HTML_AT, write_html
from xlcrm.actions.report_lines import saved_lines
from xlcrm.actions.session import Session, open_session
from xlcrm.actions.team_sync import TeamView, join_team
from xlcrm.book import Book, SaveResult
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.period import ending, period_kind
from xlcrm.core.report.team import page_name, team_report as team_page
from xlcrm.mail.batch import Clock, SystemClock
from xlcrm.store import UNREACHABLE, Connect, Store, TeamStatus, Unreachable

NO_STORE = Msg("No team store is set: write its URL in the settings sheet (store) or set XLCRM_STORE, e.g. "
               "postgresql://alice@teampc/xlcrm.",
               "尚未设置团队数据库:请在设置表的 store 中填写地址,或设置环境变量 XLCRM_STORE,例如 "
               "postgresql://alice@teampc/xlcrm。")
STATUS_HEAD = Msg("Team store (schema {version}): {customers} customers, {contacts} contacts, {sends} messages sent.",
                  "团队数据库(结构版本 {version}):{customers} 位客户,{contacts} 条联系记录,已发送 {sends} 封邮件。")
WORKBOOK_LINE = Msg("  workbook {name} ({path}): {customers} customers, last sync {at}",
                    "  工作簿 {name}({path}):{customers} 位客户,最近同步 {at}")
OWNER_LINE = Msg("  {owner}: {customers} customers", "  {owner}:{customers} 位客户")
REASSIGNED = Msg("{count} customer(s) of {old} now belong to {new}, with their history; each workbook shows the new "
                 "owner on its next sync (unless the team retyped that owner cell meanwhile).",
                 "{old} 的 {count} 位客户已转给 {new},历史记录随之转移;各工作簿下次同步时显示新负责人"
                 "(期间团队手动改过的负责人单元格保持不变)。")
SAME_PERSON = Msg("--from and --to name the same salesperson ({name}).", "--from 与 --to 是同一位业务员({name})。")
TEAM_REPORT_HEAD = Msg("Team report {start} - {end}, every workbook of the store:",
                       "团队报告 {start} 至 {end}(数据库中的全部工作簿):")
TEAM_REPORT_LINE = Msg("  {owner}: {customers} customers, {contacts} contacts, {sent} messages sent",
                       "  {owner}:{customers} 位客户,{contacts} 次联系,发送 {sent} 封邮件")


def _open(connect: Connect, url_from_settings: str = "") -> Store:
    try:
        store = connect(url_from_settings)
    except Unreachable as error:
        raise XlcrmError(UNREACHABLE(why=error.why)) from None
    if store is None:
        raise XlcrmError(NO_STORE)
    return store


def store_url(book: Book | None) -> str:
    """The store a workbook's settings name ('' without a workbook: XLCRM_STORE alone decides)."""
    return open_session(book).settings.text("store") if book is not None else ""


@dataclass
class SyncResult:
    session: Session
    saved: SaveResult
    view: TeamView

    def lines(self, lang: str) -> list[str]:
        return [n.text(lang) for n in self.view.notes] + saved_lines(self.saved, lang)


def sync(book: Book, connect: Connect) -> SyncResult:
    """`xlcrm team sync BOOK`: what every action does first when a store is set, on its own."""
    session = open_session(book)
    view = join_team(session, connect, dt.datetime.now())
    if view.workbook is None:  # no store, or out of reach: say so, change nothing
        raise XlcrmError(view.notes[0] if view.notes else NO_STORE)
    return SyncResult(session, book.apply(housekeeping(session, "read") + view.edits), view)


@dataclass
class StatusResult:
    status: TeamStatus

    def lines(self, lang: str) -> list[str]:
        s = self.status
        lines = [STATUS_HEAD(version=s.version, customers=s.customers, contacts=s.contacts, sends=s.sends).text(lang)]
        lines += [WORKBOOK_LINE(name=w.name, path=w.path, customers=w.customers,
                                at=f"{w.last_sync:%Y-%m-%d %H:%M}" if w.last_sync else "-").text(lang)
                  for w in s.workbooks]
        lines += [OWNER_LINE(owner=o, customers=n).text(lang) for o, n in s.owners.items()]
        return lines


def status(connect: Connect, url_from_settings: str = "") -> StatusResult:
    store = _open(connect, url_from_settings)
    try:
        return StatusResult(store.status())
    finally:
        store.close()


@dataclass
class ReassignResult:
    old: str
    new: str
    count: int

    def lines(self, lang: str) -> list[str]:
        return [REASSIGNED(count=self.count, old=self.old, new=self.new).text(lang)]


def reassign(connect: Connect, old: str, new: str, url_from_settings: str = "") -> ReassignResult:
    """A salesperson leaves: their customers (and so their history and open follow-ups) move to another."""
    if "".join(old.split()).casefold() == "".join(new.split()).casefold():
        raise XlcrmError(SAME_PERSON(name=old))
    store = _open(connect, url_from_settings)
    try:
        return ReassignResult(old, new, store.reassign(old.strip(), new.strip(), dt.datetime.now()))
    finally:
        store.close()


@dataclass
class TeamReportResult:
    start: dt.date
    end: dt.date
    rows: list[dict] = field(default_factory=list)
    html: Path | None = None

    def lines(self, lang: str) -> list[str]:
        return ([TEAM_REPORT_HEAD(start=f"{self.start:%Y-%m-%d}", end=f"{self.end:%Y-%m-%d}").text(lang)]
                + [TEAM_REPORT_LINE(**{k: row[k] for k in ("owner", "customers", "contacts", "sent")}).text(lang)
                   for row in self.rows]
                + ([HTML_AT(path=str(self.html)).text(lang)] if self.html else []))


def team_report(connect: Connect, period: str, today: dt.date, url_from_settings: str = "",
                out_dir: str | os.PathLike | None = None, lang: str = "zh", clock: Clock = SystemClock()
                ) -> TeamReportResult:
    """`xlcrm report --team`: per salesperson across every workbook of the store, over the week or month, printed
    and written as the dated page team-<period>-<day>.html in out_dir (default: reports/ in the current folder)."""
    span = ending(period_kind(period), today)
    store = _open(connect, url_from_settings)
    try:
        rows, workbooks = store.activity(span.start, span.end), len(store.status().workbooks)
    finally:
        store.close()
    made = team_page(rows, workbooks, span, lang)
    folder = Path(out_dir).expanduser() if out_dir else Path("reports")
    return TeamReportResult(span.start, span.end, rows, write_html(made, folder, clock, page_name(made)))
