"""Who gets which message today: the send history (journal plus send log sheet), the templates' sending
windows, and the plan of customers' messages and owners' digests under one window and one daily cap."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xlcrm.actions.mail_sheets import merged_history, read_log
from xlcrm.actions.session import Session
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.send_plan import Rules, apply_cap, digest_items, plan_digests, plan_messages
from xlcrm.core.mailmerge.send_window import parse_window
from xlcrm.core.mailmerge.sender_profile import SenderProfile
from xlcrm.core.mailmerge.templates_sheet import ALL_OCCASIONS, Template
from xlcrm.mail.journal import Journal

BAD_TEMPLATE_WINDOW = Msg("Template '{name}' (sheet {sheet}, row {row}), {setting}: {why}",
                          "模板“{name}”(工作表 {sheet},第 {row} 行)的{setting}:{why}")
NO_SENDER_YET = Msg("No sender is set yet: fill in the mail sender block of the settings sheet before sending.",
                    "尚未设置发件人:发送前请填写设置表中的“发件设置”。")
DIGEST_OFF = Msg("The owners' daily digest ('{template}') goes out once their addresses are in the settings sheet "
                 "(Owners' contact details).", "填写设置表“负责人联系方式”中的邮箱后,才会发送负责人每日汇总(“{template}”)。")
UNMATCHED = Msg("Due touches no active template fits: {list}", "没有启用模板适用的到期事项:{list}")
DAMAGED = Msg("The journal had {count} damaged line(s), skipped (a crash while writing); what they said is "
              "treated as not known.", "发送日志中有 {count} 行损坏(写入时程序中断),已跳过。")
UNANSWERED_BEFORE = Msg("on {at}: {why}. Check with the customer or the mail administrator, then write sent or resend "
                        "in the send log's Decision column",
                        "{at}:{why}。请向客户或邮件管理员核实,然后在发送记录的“处理”列填写 已发 或 重发")
SETTLED = {"sent": Msg("marked sent by the team", "已由团队确认发出"),
           "resend": Msg("marked not sent by the team; will be sent again", "已由团队确认未发出,将重新发送")}


def send_history(session: Session, journal: Journal, now: dt.datetime,
                 notes: list[Msg]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(what is known to have been sent: journal plus send log sheet, the sheet's part alone)."""
    sheet_history, decisions = read_log(session)
    if decisions:
        _settle(journal, decisions, now)
    history = merged_history(journal.history(), sheet_history)
    if journal.damaged_lines:
        notes.append(DAMAGED(count=journal.damaged_lines))
    return history, sheet_history


def plan(session: Session, due: pd.DataFrame, chosen: list[Template], history: pd.DataFrame, rules: Rules,
         profile: SenderProfile, notes: list[Msg]) -> pd.DataFrame:
    """Customers' messages, then the owners' digests, under one window and one daily cap."""
    customers = _mail_customers(session)
    planned, unmatched = plan_messages(due, customers, chosen, history, rules)
    digest = next((t for t in chosen if t.is_digest), None)
    addresses = {name: owner.email for name, owner in profile.owners.items() if owner.email}
    if digest is not None and addresses:
        planned = pd.concat([planned, plan_digests(digest_items(due), addresses, digest, history, rules)],
                            ignore_index=True)
    elif digest is not None:
        notes.append(DIGEST_OFF(template=digest.name))
    apply_cap(planned, rules, customers["class_norm"])
    _unanswered_said_so(planned, history)
    if len(unmatched):
        notes.append(UNMATCHED(list=", ".join(f"{ALL_OCCASIONS[o].text(session.lang) if o in ALL_OCCASIONS else o} "
                                              f"{n}" for o, n in unmatched.items())))
    if not profile.from_address:
        notes.append(NO_SENDER_YET)
    return planned


def _unanswered_said_so(planned: pd.DataFrame, history: pd.DataFrame) -> None:
    """A message still in flight because the server never answered (not because xlcrm stopped): say so."""
    if not len(planned) or "uncertain" not in history or "decision" not in planned:
        return
    unanswered = history[history["state"].eq("sending") & history["uncertain"].eq(True)]
    why = dict(zip(unanswered["msg_key"], unanswered["reason"]))
    for index in planned.index[planned["decision"].eq("in_flight") & planned["msg_key"].isin(why)]:
        reason, said = planned.at[index, "reason"], why[planned.at[index, "msg_key"]]
        if isinstance(reason, Msg) and isinstance(said, Msg):
            planned.at[index, "reason"] = UNANSWERED_BEFORE(at=reason.args.get("at", "-"), why=said)


def windows(templates: list[Template], profile: SenderProfile, sheet: str) -> dict:
    """Each template's sending window: its own days and hours within the sender's."""
    found = {}
    for template in templates:
        def error(key: str, why: Msg, t=template) -> XlcrmError:
            return XlcrmError(BAD_TEMPLATE_WINDOW(name=t.name, sheet=sheet, row=t.row, setting=key, why=why))

        own = parse_window(template.days, template.hours, error, keys=("发送日 / Sending days", "发送时段 / Sending hours"))
        found[template.name] = profile.window.combine(own)
    return found


def sent_today(history: pd.DataFrame, today: dt.date) -> int:
    if not len(history):
        return 0
    went = history["state"].isin(["sent", "sending"]) & pd.to_datetime(history["at"]).dt.date.eq(today)
    return int(went.sum())


def _mail_customers(session: Session) -> pd.DataFrame:
    """Per Excel row: the key, the address (valid or None), the raw address, opt-out, class and segment."""
    records = session.customers.records
    frame = pd.DataFrame(index=records.index)
    frame["key"] = records["key"]
    frame["email"] = records["email"] if "email" in records else None
    frame["email_raw"] = records["email_raw"] if "email_raw" in records else None
    frame["opt_out"] = records["opt_out"] if "opt_out" in records else False
    for column in ("class", "segment"):
        values = session.customers.owned(column)
        frame[f"{column}_norm"] = values.map(lambda v: norm_header(v) if v is not None and v == v else None) \
            if values is not None else None
    return frame


def _settle(journal: Journal, decisions: dict[str, str], now: dt.datetime) -> None:
    """The team checked in-flight messages and wrote what happened in the send log, or asked for a refused
    one to go again: journal it."""
    latest = journal.latest()
    pending = {k: v for k, v in decisions.items() if latest.get(k, {}).get("state") == "sending"
               or (v == "resend" and latest.get(k, {}).get("state") == "failed")}
    if not pending:
        return
    with journal.writing():
        for key, verdict in pending.items():
            journal.record(key, "sent" if verdict == "sent" else "unsent", at=now, reason=SETTLED[verdict])
