"""Preview reminders / Send reminders: the mail merge over today's due touches.

A dry run (the default) plans and renders every message, writes the preview sheet and one .eml
per message to the outbox. A request to send sends them; one with `test_to` sends every message
to that address only, marked as a test. Both journal each message before and after the SMTP call,
so a re-run or a crash never sends the same reminder twice. The steps live beside this module:
remind_plan (who gets what), remind_render (the messages), remind_send (outbox and mailer) and
remind_result (what the user is told).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from email_validator import EmailNotValidError, validate_email

from xlcrm.actions.common import DayClock, housekeeping
from xlcrm.actions.followups import due_touches
from xlcrm.actions.mail_sheets import load_templates, log_edit, merged_history, preview_edit, status_edits
from xlcrm.actions.progress import Progress, quiet
from xlcrm.actions.remind_plan import plan, send_history, sent_today, windows
from xlcrm.actions.remind_render import render_all, rows_to_render
from xlcrm.actions.remind_result import RemindResult
from xlcrm.actions.remind_send import send, write_preview
from xlcrm.actions.session import Session, open_session
from xlcrm.actions.team_sync import join_team
from xlcrm.book import Book, SaveResult
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.table import Table
from xlcrm.core.mailmerge.merge_fields import DIGEST_FIELDS, customer_contexts, field_names
from xlcrm.core.mailmerge.send_plan import Rules, holiday_note
from xlcrm.core.mailmerge.sender_profile import sender_profile, split_from, with_owners
from xlcrm.core.mailmerge.templates_sheet import Template
from xlcrm.core.followups.due import work_calendar
from xlcrm.core.followups.touches import TOUCH_COLUMNS
from xlcrm.mail import outbox
from xlcrm.mail.batch import Clock, Mailer, SystemClock
from xlcrm.mail.journal import Journal, journal_path
from xlcrm.mail.render import Renderer
from xlcrm.store import Connect

__all__ = ["remind", "RemindRequest", "RemindResult"]

NO_TEMPLATE = Msg("No active template named '{name}' in sheet {sheet}. Templates: {names}",
                  "工作表 {sheet} 中没有名为“{name}”的启用模板。现有模板:{names}")
BAD_TEST_TO = Msg("--test-to {address} is not a valid address ({why})", "--test-to {address} 不是有效的邮箱地址({why})")
SAVE_FAILED = Msg("The messages above were sent and journaled, but the workbook could not be updated: {why} "
                  "Run `xlcrm remind` again (without --send) to bring the send log sheet up to date.",
                  "以上邮件已发送并记入日志,但无法更新工作簿:{why} 请再运行一次 `xlcrm remind`(不加 --send)以更新发送记录表。")


@dataclass(frozen=True)
class RemindRequest:
    """What the user asked for: a dry run by default; the SMTP fields override the settings sheet."""

    template: str | None = None  # only this template (by its name in the templates sheet)
    today: dt.date | None = None  # the day to remind for (default: the clock's)
    send: bool = False
    test_to: str | None = None  # send every message to this address only, marked as a test
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str | None = None
    smtp_user: str | None = None
    sender: str | None = None  # 'NAME <ADDRESS>'

    @property
    def mode(self) -> str:
        return "test" if self.test_to else ("send" if self.send else "dry")

    def overrides(self) -> dict[str, Any]:
        name, address = split_from(self.sender) if self.sender else ("", "")
        return {"smtp_host": self.smtp_host, "smtp_port": self.smtp_port, "smtp_security": self.smtp_security,
                "smtp_user": self.smtp_user, "from_name": name, "from_address": address}


def remind(book: Book, request: RemindRequest = RemindRequest(), mailer: Mailer | None = None,
           clock: Clock = SystemClock(), progress: Progress = quiet, team: Connect | None = None) -> RemindResult:
    """Plan, render and preview (or send, through `mailer`) today's reminders; see the module's docstring.
    team: opens the team store when one is set: due dates follow the team's contacts, each send is reserved."""
    mode = request.mode
    if mode != "dry" and mailer is None:
        raise ValueError("sending needs a mailer")
    if request.today is not None:  # one "as of" day: what this run journals and logs is dated on it too
        clock = DayClock(clock, request.today)
    now = clock.now()
    today = now.date()
    test_to = _checked_test_address(request.test_to) if request.test_to else None
    session = open_session(book, today=today)
    session.settings = with_owners(session.settings, _owners(session))
    profile = sender_profile(session.settings, request.overrides()).beside(book.folder)
    notes: list[Msg] = []
    if mode != "dry":
        profile.require_server()
        notes += profile.warnings()
    templates_sheet, templates, template_edits = load_templates(session)
    chosen = _chosen(templates, request.template, templates_sheet)
    view = join_team(session, team, now, keep_open=mode == "send")
    due = _due_touches(session, today, view.contacted, view.mailed, notes)
    journal = Journal(journal_path(book.folder, book.name))
    history, sheet_history = send_history(session, journal, now, notes)
    rules = Rules(today=today, now=now, min_days=profile.min_days, daily_cap=profile.daily_cap,
                  sent_today=sent_today(history, today), windows=windows(chosen, profile, templates_sheet),
                  test=bool(test_to), calendar=work_calendar(session.settings, session.lang))
    planned = plan(session, due, chosen, history, rules, profile, notes)
    notes += [note] if (note := holiday_note(planned, rules)) else []  # a holiday run that sends says so
    table = session.customers.table
    renderer = Renderer(chosen, field_names(table.headers), set(DIGEST_FIELDS), templates_sheet, table.headers)
    contexts = customer_contexts(session.customers.records, table.cells, table.headers, session.lang,
                                 rows=rows_to_render(planned, due), fields=renderer.fields_read)
    built = render_all(planned, due, renderer, contexts, profile, session, now, test_to, progress)
    box = outbox.outbox_folder(book.folder, book.name)
    eml_count, stopped = 0, None
    if mailer is None or mode == "dry":  # (a send without a mailer was refused above)
        eml_count = write_preview(planned, built, box)
    else:
        claim = view.claim(now) if mode == "send" else None  # team mode: the store asked before each message
        stopped = send(planned, built, claim.guard(mailer) if claim else mailer, profile, journal, clock, progress,
                       mode == "test", box, today, claim, notes)
        view.close()
        history = merged_history(journal.history(), sheet_history)
    edits = housekeeping(session, "remind") + template_edits + [preview_edit(_sheet_rows(planned, table), session.lang, session),
                                                                log_edit(history, session.lang, session)]
    if mode == "send":
        edits += status_edits(session, planned, today, session.lang)
    edits += view.edits
    notes += view.notes
    saved = _save(book, edits, mode)
    return RemindResult(session, saved, planned, mode, today, box, journal.path, test_to, eml_count, stopped, notes)


def _sheet_rows(plan: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The plan with each row shown as sheet!row when the customers come from one sheet per owner."""
    if not table.sheets or not len(plan):
        return plan
    return plan.assign(row=plan["row"].map(lambda r: None if pd.isna(r) else "{}!{}".format(*table.locate(r))))


def _owners(session: Session) -> list[str]:
    records = session.customers.records
    return sorted(records["owner"].dropna().map(str).unique()) if "owner" in records else []


def _checked_test_address(address: str) -> str:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise XlcrmError(BAD_TEST_TO(address=address, why=str(error))) from None


def _chosen(templates: list[Template], name: str | None, sheet: str) -> list[Template]:
    active = [t for t in templates if t.active]
    if name is None:
        return active
    picked = [t for t in active if norm_header(t.name) == norm_header(name)]
    if not picked:
        raise XlcrmError(NO_TEMPLATE(name=name, sheet=sheet, names=", ".join(t.name for t in active) or "-"))
    return picked


def _due_touches(session: Session, today: dt.date, contacted: pd.Series | None = None,
                 mailed: pd.Series | None = None, notes: list[Msg] | None = None) -> pd.DataFrame:
    """The touches the follow-up rules find due, in the columns the plan reads (notes: gets the estimated
    working days' note, if any)."""
    frame = due_touches(session, today, contacted=contacted, mailed=mailed, notes=notes)
    frame = frame.loc[:, list(TOUCH_COLUMNS)].reset_index(drop=True)
    frame["due"] = pd.to_datetime(frame["due"])
    return frame


def _save(book: Book, edits: list, mode: str) -> SaveResult:
    try:
        return book.apply(edits)
    except XlcrmError as error:
        if mode == "dry":
            raise
        raise XlcrmError(SAVE_FAILED(why=error.msg)) from error
