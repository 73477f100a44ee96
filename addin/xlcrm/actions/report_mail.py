"""Mailing the report to the team lead through the mail merge's own path: the sender profile and password,
the journal beside the workbook (written before and after the SMTP call), the send log, and its rule that a
message is never sent twice. The same report (same period, owner and recipient) goes out once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from email_validator import EmailNotValidError, validate_email

from xlcrm.actions.mail_sheets import merged_history, read_log
from xlcrm.actions.session import Session
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.report.sections import Report
from xlcrm.core.mailmerge.sender_profile import SenderProfile
from xlcrm.mail.batch import Batch, Clock, Mailer, Outgoing
from xlcrm.mail.journal import Journal, journal_path
from xlcrm.mail.message import Party, Refused, build
from xlcrm.mail.render import Rendered

OCCASION = "report"
BAD_TO = Msg("--mail-to {address} is not a valid address ({why})", "--mail-to {address} 不是有效的邮箱地址({why})")
REFUSED = Msg("The report could not be mailed: {why}", "报告无法发送:{why}")
ATTACHED = Msg("The full report is attached ({name}): open it in any browser; it prints on A4.",
               "完整报告见附件({name}):用任意浏览器打开,可直接打印(A4)。")
SUBJECT = Msg("{title}: {period}", "{title}:{period}")
SENT = Msg("Mailed to {to}; journal {journal}.", "已发送至 {to};发送日志 {journal}。")
DONE = Msg("Not mailed again: this report went to {to} on {at}.", "未重复发送:此报告已于 {at} 发送至 {to}。")
NOT_SENT = Msg("Mail to {to} not sent: {why}", "发送至 {to} 失败:{why}")
IN_FLIGHT = Msg("Mail to {to}: the connection broke after the report was handed over; it may have arrived. Check the "
                "Sent folder; it is not sent again on a guess.",
                "发送至 {to}:报告交给服务器后连接中断,可能已送达。请查看“已发送”;不会凭猜测重发。")


@dataclass
class Mailed:
    to: str
    state: str  # sent | done | failed | unsent | in_flight
    reason: Msg | None
    at: Any
    journal: Path
    history: pd.DataFrame

    @property
    def delivered(self) -> bool:
        return self.state in ("sent", "done")

    def line(self) -> Msg:
        if self.state == "sent":
            return SENT(to=self.to, journal=str(self.journal))
        if self.state == "done":
            return DONE(to=self.to, at=_when(self.at))
        if self.state == "in_flight":
            return IN_FLIGHT(to=self.to)
        return NOT_SENT(to=self.to, why=self.reason or Msg("-", "-"))


def checked_address(address: str) -> str:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise XlcrmError(BAD_TO(address=address, why=str(error))) from None


def message_key(report: Report, to: str) -> str:
    """customer key | template | occasion | day, as the mail merge's keys are, so the send log reads it back."""
    who = norm_header(report.owner) if report.owner else "team"
    return f"report:{report.period.kind}:{who}:{to.lower()}|{OCCASION}|{OCCASION}|{report.period.end:%Y-%m-%d}"


def mail_report(session: Session, profile: SenderProfile, report: Report, html: Path, to: str, mailer: Mailer,
                clock: Clock) -> Mailed:
    book = session.book
    journal = Journal(journal_path(book.folder, book.name))
    key = message_key(report, to)
    sheet_history, _ = read_log(session)
    earlier = _sent(merged_history(journal.history(), sheet_history), key)
    if earlier is not None:
        return Mailed(to, "done", None, earlier, journal.path, merged_history(journal.history(), sheet_history))
    lang = report.lang
    subject = SUBJECT(title=report.title, period=report.period.label()).text(lang)
    text = "\n".join([line.text(lang) for line in report.headline] + ["", ATTACHED(name=html.name).text(lang)])
    now = clock.now()
    try:
        built = build(Rendered(subject, text, None, (html.name,)), Party(profile.from_name or profile.company,
                      profile.from_address), Party("", to), [], key, html.parent, now, None, lang)
    except Refused as refused:
        raise XlcrmError(REFUSED(why=refused.reason)) from None
    record = {"customer": report.title.text(lang), "customer_key": key.split("|", 1)[0], "template": OCCASION,
              "occasion": OCCASION, "due": f"{report.period.end:%Y-%m-%d}", "to": to, "subject": subject,
              "message_id": str(built.message["Message-ID"])}
    item = Outgoing(key, built.envelope_from, built.envelope_to, built.as_bytes(), record)
    with journal.writing():
        earlier = _sent(journal.history(), key)  # another run may have sent it since
        if earlier is not None:
            outcome_state, reason, at = "done", None, earlier
        else:
            result = Batch(mailer, profile, journal, clock).run([item])
            outcome = result.outcomes[key]
            stopped_first = outcome.state == "unsent" and result.stopped is not None  # why the batch stopped
            outcome_state, reason, at = outcome.state, result.stopped if stopped_first else outcome.reason, outcome.at
    return Mailed(to, outcome_state, reason, at, journal.path, merged_history(journal.history(), sheet_history))


def _sent(history: pd.DataFrame, key: str):
    """When the message was sent (or may have been), or None."""
    if not len(history):
        return None
    found = history[history["msg_key"].eq(key) & history["state"].isin(["sent", "sending"])]
    return found["at"].iloc[-1] if len(found) else None


def _when(at: Any) -> str:
    stamp = pd.Timestamp(at) if at is not None else None
    return "-" if stamp is None or pd.isna(stamp) else f"{stamp:%Y-%m-%d %H:%M}"
