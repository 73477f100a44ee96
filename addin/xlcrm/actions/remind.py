"""Preview reminders / Send reminders: the mail merge over today's due touches.

A dry run (the default) plans and renders every message, writes the preview sheet and one .eml
per message to the outbox. `send=True` sends them; `test_to` sends every message to that
address only, marked as a test. Both journal each message before and after the SMTP call, so a
re-run or a crash never sends the same reminder twice.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shlex
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from email_validator import EmailNotValidError, validate_email

from xlcrm.actions.common import housekeeping
from xlcrm.actions.mail_sheets import (load_templates, log_edit, merged_history, preview_edit, read_log,
                                       status_edits)
from xlcrm.actions.progress import Progress, quiet
from xlcrm.actions.report_lines import saved_lines
from xlcrm.actions.session import Session, open_session
from xlcrm.book import Book, SaveResult
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg, pick
from xlcrm.core.mailmerge.merge_fields import DIGEST_FIELDS, customer_contexts, digest_context, field_names, touch_context
from xlcrm.core.mailmerge.send_plan import (ALREADY_SENT, DECISIONS, Rules, apply_cap, digest_items, plan_digests,
                                 plan_messages)
from xlcrm.core.mailmerge.sender_profile import Owner, SenderProfile, sender_profile, with_owners
from xlcrm.core.sheets import sheet_name
from xlcrm.core.mailmerge.templates_sheet import ALL_OCCASIONS, Template
from xlcrm.core.followups.touches import TOUCH_COLUMNS
from xlcrm.core.mailmerge.send_window import parse_window
from xlcrm.mail import outbox
from xlcrm.mail.batch import Batch, BatchResult, Clock, Outgoing, SystemClock, unexpected
from xlcrm.mail.journal import Journal, journal_path
from xlcrm.mail.message import Built, Party, Refused, build
from xlcrm.mail.render import Refused as NotMade, Renderer

Touches = pd.DataFrame | Callable[[Session, dt.date], pd.DataFrame] | None

NO_RULES = Msg("The follow-up rules are not installed in this xlcrm, so there is nothing to remind anyone of yet.",
               "此版本的 xlcrm 尚未安装跟进规则,暂时没有可提醒的事项。")
NO_TEMPLATE = Msg("No active template named '{name}' in sheet {sheet}. Templates: {names}",
                  "工作表 {sheet} 中没有名为“{name}”的启用模板。现有模板:{names}")
BAD_TEST_TO = Msg("--test-to {address} is not a valid address ({why})", "--test-to {address} 不是有效的邮箱地址({why})")
BAD_TEMPLATE_WINDOW = Msg("Template '{name}' (sheet {sheet}, row {row}), {setting}: {why}",
                          "模板“{name}”(工作表 {sheet},第 {row} 行)的{setting}:{why}")
NO_SENDER_YET = Msg("No sender is set yet: fill in the mail sender block of the settings sheet before sending.",
                    "尚未设置发件人:发送前请填写设置表中的“发件设置”。")
DIGEST_OFF = Msg("The owners' daily digest ('{template}') goes out once their addresses are in the settings sheet "
                 "(Owners' contact details).", "填写设置表“负责人联系方式”中的邮箱后,才会发送负责人每日汇总(“{template}”)。")
RENDERING = Msg("Writing messages", "生成邮件")
DRY_RUN = Msg("Reminders for {day} (dry run, nothing sent): {counts}", "{day} 的提醒(预览,未发送):{counts}")
SENT_RUN = Msg("Reminders for {day}: {counts}", "{day} 的提醒:{counts}")
TEST_RUN = Msg("Reminders for {day}, test to {to}: {counts}", "{day} 的提醒,测试发送到 {to}:{counts}")
NOTHING = Msg("nothing due", "没有到期事项")
PREVIEW_AT = Msg("Preview: sheet '{sheet}'; {count} .eml files in {folder}",
                 "预览:工作表“{sheet}”;{count} 封 .eml 邮件在 {folder}")
SEND_HINT = Msg("To send them: xlcrm remind {book} --send (or --test-to YOUR_ADDRESS first)",
                "发送:xlcrm remind {book} --send(可先用 --test-to 自己的邮箱 试发)")
LOG_AT = Msg("Send log: sheet '{sheet}'; journal {journal}", "发送记录:工作表“{sheet}”;日志文件 {journal}")
REASONS = Msg("  {label}: {reason} ({count})", "  {label}:{reason}({count} 封)")
FAILED_LINE = Msg("  Failed: {customer} (row {row}, {template}) to {to}: {reason}",
                  "  发送失败:{customer}(第 {row} 行,{template})→ {to}:{reason}")
IN_FLIGHT_LINE = Msg("  In flight, check by hand: {customer} ({template}) to {to}{why}",
                     "  状态不明,请人工核对:{customer}({template})→ {to}{why}")
BECAUSE = Msg(": {reason}", ":{reason}")
UNMATCHED = Msg("Due touches no active template fits: {list}", "没有启用模板适用的到期事项:{list}")
STOPPED = Msg("Stopped: {why}", "已停止:{why}")
DAMAGED = Msg("The journal had {count} damaged line(s), skipped (a crash while writing); what they said is "
              "treated as not known.", "发送日志中有 {count} 行损坏(写入时程序中断),已跳过。")
SAVE_FAILED = Msg("The messages above were sent and journaled, but the workbook could not be updated: {why} "
                  "Run `xlcrm remind` again (without --send) to bring the send log sheet up to date.",
                  "以上邮件已发送并记入日志,但无法更新工作簿:{why} 请再运行一次 `xlcrm remind`(不加 --send)以更新发送记录表。")
SETTLED = {"sent": Msg("marked sent by the team", "已由团队确认发出"),
           "resend": Msg("marked not sent by the team; will be sent again", "已由团队确认未发出,将重新发送")}
COUNTED = ("send", "sent", "test_sent", "failed", "deferred", "in_flight", "held", "skip", "refused", "unsent", "done")
PREVIEW_FROM = "sender-not-set@example.com"


@dataclass
class RemindResult:
    session: Session
    saved: SaveResult
    plan: pd.DataFrame
    mode: str  # dry | send | test
    today: dt.date
    outbox: Path
    journal: Path
    test_to: str | None = None
    eml_count: int = 0
    stopped: Msg | None = None
    notes: list[Msg] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(self.plan["decision"]) if len(self.plan) else Counter()

    def lines(self, lang: str) -> list[str]:
        counts = self.counts()
        listed = pick(lang, ", ", ",").join(f"{DECISIONS[d].text(lang)} {counts[d]}" for d in COUNTED if counts[d])
        head = {"dry": DRY_RUN, "send": SENT_RUN, "test": TEST_RUN}[self.mode]
        lines = [head(day=f"{self.today:%Y-%m-%d}", to=self.test_to, counts=listed or NOTHING).text(lang)]
        lines += self._reasons(lang)
        lines += [FAILED_LINE(customer=r["customer"], row=_int(r["row"]) or "-", template=r["template"], to=r["to"],
                              reason=r["reason"] if isinstance(r["reason"], Msg) else "-").text(lang)
                  for r in self.plan[self.plan["decision"].eq("failed")].head(20).to_dict("records")]
        lines += [IN_FLIGHT_LINE(customer=r["customer"], template=r["template"], to=r["to"],
                                 why=BECAUSE(reason=r["reason"]) if isinstance(r["reason"], Msg) else "").text(lang)
                  for r in self.plan[self.plan["decision"].eq("in_flight")].head(20).to_dict("records")]
        lines += [note.text(lang) for note in self.notes]
        if self.stopped:
            lines.append(STOPPED(why=self.stopped).text(lang))
        if self.mode == "dry":
            lines.append(PREVIEW_AT(sheet=sheet_name("preview", self.session.lang), count=self.eml_count,
                                    folder=str(self.outbox)).text(lang))
            if counts["send"]:
                lines.append(SEND_HINT(book=shell_quoted(self.session.book.name)).text(lang))
        else:
            lines.append(LOG_AT(sheet=sheet_name("send_log", self.session.lang), journal=str(self.journal)).text(lang))
        return lines + saved_lines(self.saved, lang)

    def _reasons(self, lang: str) -> list[str]:
        shown = self.plan[self.plan["decision"].isin(["skip", "held", "refused", "unsent"])]  # failed: one by one
        groups: dict[tuple[str, str], list[Msg]] = {}
        for decision, reason in zip(shown["decision"], shown["reason"]):
            if isinstance(reason, Msg):
                groups.setdefault((decision, reason.en), []).append(reason)
        biggest = sorted(groups.items(), key=lambda item: -len(item[1]))[:8]
        return [REASONS(label=DECISIONS[d], reason=_generic(reasons, lang), count=len(reasons)).text(lang)
                for (d, _), reasons in biggest]


def shell_quoted(name: str) -> str:
    """The workbook's name as it must be typed in the user's shell (quotes, spaces, $ in it)."""
    return f'"{name}"' if os.name == "nt" else shlex.quote(name)


def _generic(reasons: list[Msg], lang: str) -> str:
    """A reason for a summary line: the particulars all its messages share, '…' for those that differ."""
    first = reasons[0]
    shared = {key: value if all(r.args.get(key) == value for r in reasons) else "…"
              for key, value in first.args.items()}
    return Msg(first.en, first.zh, shared).text(lang)


def remind(book: Book, template: str | None = None, today: dt.date | None = None, send: bool = False,
           test_to: str | None = None, progress: Progress = quiet, mailer=None, touches: Touches = None,
           overrides: dict[str, Any] | None = None, clock: Clock | None = None) -> RemindResult:
    """Plan, render and preview (or send) today's reminders; see the module's docstring."""
    clock = clock or SystemClock()
    now = clock.now()
    today = today or now.date()
    now = now if now.date() == today else dt.datetime.combine(today, now.time())
    mode = "test" if test_to else ("send" if send else "dry")
    test_to = _checked_test_address(test_to) if test_to else None
    notes: list[Msg] = []
    session = open_session(book)
    session.settings = with_owners(session.settings, _owners(session))
    profile = sender_profile(session.settings, overrides).beside(book.folder)
    if mode != "dry":
        profile.require_server()
        notes += profile.warnings()
    templates_sheet, templates, template_edits = load_templates(session)
    chosen = _chosen(templates, template, templates_sheet)
    due = _due_touches(session, today, touches)
    journal = Journal(journal_path(book.folder, book.name))
    history, sheet_history = _history(session, journal, now, notes)
    rules = Rules(today=today, now=now, min_days=profile.min_days, daily_cap=profile.daily_cap,
                  sent_today=_sent_today(history, today), windows=_windows(chosen, profile, templates_sheet),
                  test=bool(test_to))
    plan = _plan(session, due, chosen, history, rules, profile, notes)
    renderer = Renderer(chosen, field_names(session.customers.table.headers), set(DIGEST_FIELDS), templates_sheet,
                        session.customers.table.headers)
    table = session.customers.table
    contexts = customer_contexts(session.customers.records, table.cells, table.headers, session.lang)
    built = _render_all(plan, due, renderer, contexts, profile, session, now, test_to, progress)
    box = outbox.outbox_folder(book.folder, book.name)
    eml_count, stopped = 0, None
    if mode == "dry":
        eml_count = _write_preview(plan, built, box)
    else:
        stopped = _send(plan, built, mailer, profile, journal, clock, progress, mode, box, today)
        history = merged_history(journal.history(), sheet_history)
    edits = housekeeping(session, "remind") + template_edits + [preview_edit(plan, session.lang), log_edit(history, session.lang)]
    if mode == "send":
        edits += status_edits(session, plan, today, session.lang)
    saved = _save(book, edits, mode)
    return RemindResult(session, saved, plan, mode, today, box, journal.path, test_to, eml_count, stopped, notes)


def _owners(session: Session) -> list[str]:
    records = session.customers.records
    return sorted(records["owner"].dropna().map(str).unique()) if "owner" in records else []


def _history(session: Session, journal: Journal, now: dt.datetime, notes: list[Msg]):
    """(what is known to have been sent: journal plus send log sheet, the sheet's part alone)."""
    sheet_history, decisions = read_log(session)
    if decisions:
        _settle(journal, decisions, now)
    history = merged_history(journal.history(), sheet_history)
    if journal.damaged_lines:
        notes.append(DAMAGED(count=journal.damaged_lines))
    return history, sheet_history


def _plan(session: Session, due: pd.DataFrame, chosen: list[Template], history: pd.DataFrame, rules: Rules,
          profile: SenderProfile, notes: list[Msg]) -> pd.DataFrame:
    """Customers' messages, then the owners' digests, under one window and one daily cap."""
    plan, unmatched = plan_messages(due, _mail_customers(session), chosen, history, rules)
    digest = next((t for t in chosen if t.is_digest), None)
    addresses = {name: owner.email for name, owner in profile.owners.items() if owner.email}
    if digest is not None and addresses:
        plan = pd.concat([plan, plan_digests(digest_items(due), addresses, digest, history, rules)], ignore_index=True)
    elif digest is not None:
        notes.append(DIGEST_OFF(template=digest.name))
    apply_cap(plan, rules)
    if len(unmatched):
        notes.append(UNMATCHED(list=", ".join(f"{ALL_OCCASIONS[o].text(session.lang) if o in ALL_OCCASIONS else o} "
                                              f"{n}" for o, n in unmatched.items())))
    if not profile.from_address:
        notes.append(NO_SENDER_YET)
    return plan


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


def _due_touches(session: Session, today: dt.date, touches: Touches) -> pd.DataFrame:
    """The due touches: given, computed by a given function, or by the follow-up rules."""
    if touches is None:
        if importlib.util.find_spec("xlcrm.actions.followups") is None:
            raise XlcrmError(NO_RULES)
        from xlcrm.actions import followups

        touches = followups.due_touches
    frame = touches(session, today) if callable(touches) else touches
    missing = set(TOUCH_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"due touches lack columns {sorted(missing)}")
    frame = frame.loc[:, list(TOUCH_COLUMNS)].reset_index(drop=True)
    frame["due"] = pd.to_datetime(frame["due"])
    return frame


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


def _windows(templates: list[Template], profile: SenderProfile, sheet: str) -> dict:
    windows = {}
    for template in templates:
        def error(key: str, why: Msg, t=template) -> XlcrmError:
            return XlcrmError(BAD_TEMPLATE_WINDOW(name=t.name, sheet=sheet, row=t.row, setting=key, why=why))

        own = parse_window(template.days, template.hours, error, keys=("发送日 / Sending days", "发送时段 / Sending hours"))
        windows[template.name] = profile.window.combine(own)
    return windows


def _sent_today(history: pd.DataFrame, today: dt.date) -> int:
    if not len(history):
        return 0
    went = history["state"].isin(["sent", "sending"]) & pd.to_datetime(history["at"]).dt.date.eq(today)
    return int(went.sum())


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
            journal.record(key, "sent" if verdict == "sent" else "unsent", at=now, reason=SETTLED[verdict].text("en"))


def _render_all(plan: pd.DataFrame, due: pd.DataFrame, renderer: Renderer, contexts: dict[int, dict],
                profile: SenderProfile, session: Session, now: dt.datetime, test_to: str | None,
                progress: Progress) -> dict[int, Built]:
    """Render every message that may go out and build those going now; a refused one is decided so."""
    lang = session.lang
    wanted = plan.index[plan["decision"].isin(["send", "held"])]
    touches = due.assign(_key=[f"{k}|{o}|{d:%Y-%m-%d}" for k, o, d in zip(due["key"], due["occasion"], due["due"])])
    by_touch = {k: t for k, t in zip(touches["_key"], touches.to_dict("records"))}
    owners_due = digest_items(due)
    sender = Party(profile.from_name or profile.company, profile.from_address or PREVIEW_FROM)
    built: dict[int, Built] = {}
    shown: dict[str, dict[int, Any]] = {c: {} for c in ("subject", "body", "attachments", "cc", "decision", "reason")}
    items = plan.loc[wanted].to_dict("records")
    for index, item in progress(list(zip(wanted, items)), len(items), RENDERING):
        if item["occasion"] == "digest":
            context = digest_context(item["owner"], owners_due.get(item["owner"], due.iloc[0:0]), contexts, profile,
                                     now.date(), lang)
            to_name = item["owner"]
        else:
            touch = by_touch[f"{item['key']}|{item['occasion']}|{pd.Timestamp(item['due']):%Y-%m-%d}"]
            context = touch_context(contexts[int(item["row"])], touch, profile, now.date(), lang)
            to_name = context.get("contact") or context.get("customer") or ""
        cc = _copies(item, profile)
        try:  # held messages are previewed; their MIME is made by the run that sends them
            rendered = renderer.render(item["template"], context, item["customer"])
        except NotMade as refused:  # a blank field (never 'Dear ,'), or a broken template: the others go out
            shown["decision"][index], shown["reason"][index] = "refused", refused.reason
            continue
        try:
            if item["decision"] == "send":
                built[index] = build(rendered, sender, Party(to_name, item["to"]), cc, item["msg_key"],
                                     session.book.folder, now, test_to, lang)
        except Refused as refused:
            shown["decision"][index], shown["reason"][index] = "refused", refused.reason
        shown["subject"][index], shown["body"][index] = rendered.subject, rendered.text
        shown["attachments"][index] = ", ".join(rendered.attachments) or None
        shown["cc"][index] = ", ".join(c.address for c in cc) or None
    for column, values in shown.items():
        update = pd.Series(values, dtype=object)
        if column in plan:
            plan[column] = plan[column].astype(object)
            plan.loc[update.index, column] = update
        else:
            full = update.reindex(plan.index).astype(object)
            plan[column] = full.where(full.notna(), None)
    return built


def _copies(item: dict, profile: SenderProfile) -> list[Party]:
    if not profile.cc_owner or item["occasion"] == "digest":
        return []
    owner: Owner | None = profile.owners.get(item["owner"]) if isinstance(item["owner"], str) else None
    if owner and owner.email and owner.email.lower() != str(item["to"]).lower():
        return [Party(owner.name, owner.email)]
    return []


def _write_preview(plan: pd.DataFrame, built: dict[int, Built], box: Path) -> int:
    outbox.clear_preview(box)
    plan["file"] = None
    written = 0
    for number, index in enumerate(plan.index, start=1):
        if plan.at[index, "decision"] == "send" and index in built:
            name = outbox.file_name(number, str(plan.at[index, "customer"]), str(plan.at[index, "template"]))
            outbox.write(box, name, built[index].as_bytes())
            plan.at[index, "file"] = name
            written += 1
    return written


def _send(plan: pd.DataFrame, built: dict[int, Built], mailer, profile: SenderProfile, journal: Journal, clock: Clock,
          progress: Progress, mode: str, box: Path, today: dt.date) -> Msg | None:
    from xlcrm import bootstrap

    mailer = mailer or bootstrap.mailer()
    test = mode == "test"
    ready = [i for i in plan.index if plan.at[i, "decision"] == "send" and i in built]
    items = {i: _outgoing(plan.loc[i], built[i], test) for i in ready}
    with journal.writing():
        taken = _taken_meanwhile(journal, items)  # another run may have sent some since this one planned
        for index in taken:
            plan.loc[index, ["decision", "reason"]] = ["done", ALREADY_SENT(at="-")]
            ready.remove(index)
        result: BatchResult = Batch(mailer, profile, journal, clock).run(
            [item for i, item in items.items() if i not in taken], progress)
    sent_box = outbox.sent_folder(box, today, test)
    plan["file"] = None
    for number, index in enumerate(ready, start=1):
        outcome = result.outcomes[items[index].key]
        plan.loc[index, ["decision", "reason"]] = [outcome.state, outcome.reason]
        if outcome.state in ("sent", "test_sent", "in_flight"):
            name = outbox.file_name(number, str(plan.at[index, "customer"]), str(plan.at[index, "template"]))
            try:
                outbox.write(sent_box, name, built[index].as_bytes())
            except OSError as error:  # a full disk: the message went out and is journaled; only the copy is lost
                return result.stopped or unexpected(error)
            plan.at[index, "file"] = str((sent_box / name).relative_to(box))
    return result.stopped


def _taken_meanwhile(journal: Journal, items: dict[int, Outgoing]) -> list[int]:
    latest = journal.latest()
    return [i for i, item in items.items() if latest.get(item.key, {}).get("state") in ("sent", "sending")]


def _outgoing(item: pd.Series, message: Built, test: bool) -> Outgoing:
    record = {"customer": item["customer"], "customer_key": item["key"], "row": _int(item["row"]),
              "template": item["template"], "occasion": item["occasion"],
              "due": f"{pd.Timestamp(item['due']):%Y-%m-%d}", "to": ", ".join(message.envelope_to),
              "subject": str(message.message["Subject"]), "message_id": str(message.message["Message-ID"])}
    if not test:
        record["to"] = item["to"]
    key = ("test|" if test else "") + item["msg_key"]
    return Outgoing(key, message.envelope_from, message.envelope_to, message.as_bytes(), record, test)


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _save(book: Book, edits: list, mode: str) -> SaveResult:
    try:
        return book.apply(edits)
    except XlcrmError as error:
        if mode == "dry":
            raise
        raise XlcrmError(SAVE_FAILED(why=error.msg)) from error
