"""Where the built messages go: the outbox's preview (.eml files) on a dry run, or the mailer, one batch
journaled message by message, with a copy of each one sent in the outbox's dated folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from xlcrm.actions.progress import Progress
from xlcrm.actions.remind_result import row_number
from xlcrm.actions.team_sync import ELSEWHERE, TeamClaim
from xlcrm.core.i18n import Msg, counted
from xlcrm.core.mailmerge.send_plan import ALREADY_SENT
from xlcrm.core.mailmerge.sender_profile import SenderProfile
from xlcrm.mail import outbox
from xlcrm.mail.batch import Batch, BatchResult, Clock, Mailer, Outgoing, unexpected
from xlcrm.mail.journal import Journal, journals_beside
from xlcrm.mail.message import Built

SENT_ELSEWHERE = Msg("already {state} from another workbook in this folder (its journal {journal})",
                     "此文件夹中的另一个工作簿已{state_zh}(其发送日志 {journal})")
STATES = {"sent": ("sent", "发送"), "sending": ("in flight", "在发送中,状态不明")}
NOT_SENT_TWICE = Msg("{messages} not sent: another workbook in this folder already sent them or has them in flight "
                     "(journal {journals}). A copy or backup of a workbook builds the same messages; send from the "
                     "workbook that journal belongs to.",
                     "{count} 封邮件未发送:此文件夹中的另一个工作簿已经发送(或正在发送)这些邮件(发送日志 {journals})。"
                     "工作簿的副本或备份会生成同样的邮件;请从该发送日志所属的工作簿发送。")


def write_preview(plan: pd.DataFrame, built: dict[int, Built], box: Path) -> int:
    """One .eml per message that would go out, in place of the last preview's; how many were written."""
    outbox.clear_preview(box)
    plan["file"] = None
    written = 0
    for number, (index, decision) in enumerate(zip(plan.index, plan["decision"]), start=1):
        if decision == "send" and index in built:
            name = outbox.file_name(number, str(plan.at[index, "customer"]), str(plan.at[index, "template"]))
            outbox.write(box, name, built[index].as_bytes(), durable=False)
            plan.at[index, "file"] = name
            written += 1
    return written


def send(plan: pd.DataFrame, built: dict[int, Built], mailer: Mailer, profile: SenderProfile, journal: Journal,
         clock: Clock, progress: Progress, test: bool, box: Path, today: dt.date,
         claim: TeamClaim | None = None, notes: list[Msg] | None = None) -> Msg | None:
    """Send what is ready, each outcome written into the plan; why the batch stopped, if it did.
    claim: team mode, each message reserved in the team store first (another workbook's stays theirs).
    notes: gets a line naming the other journals in the folder that already had some of the messages."""
    ready = [i for i in plan.index if plan.at[i, "decision"] == "send" and i in built]
    items = {i: _outgoing(plan.loc[i], built[i], test) for i in ready}
    with journal.writing():
        taken = _taken_meanwhile(journal, items)  # another run may have sent some since this one planned
        for index in taken:
            plan.loc[index, ["decision", "reason"]] = ["done", ALREADY_SENT(at="-")]
            ready.remove(index)
        for index in _sent_beside(journal, items, ready, plan, notes if notes is not None else []):
            ready.remove(index)
            taken.append(index)
        for index in claim.taken_elsewhere({i: items[i] for i in ready}) if claim else []:
            plan.loc[index, ["decision", "reason"]] = ["done", ELSEWHERE]
            ready.remove(index)
            taken.append(index)
        result: BatchResult = Batch(mailer, profile, journal, clock).run(
            [item for i, item in items.items() if i not in taken], progress)
        if claim:
            claim.settle(result.outcomes)
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


def _sent_beside(journal: Journal, items: dict[int, Outgoing], ready: list[int], plan: pd.DataFrame,
                 notes: list[Msg]) -> list[int]:
    """The ready messages another journal in this folder has sent or in flight (a copy of this workbook, or this
    one before it was renamed): each marked done with that journal named, and one note for the run."""
    found: list[int] = []
    journals: list[str] = []
    for other in journals_beside(journal.path):
        try:
            claimed = other.claimed()
        except OSError:  # unreadable (locked away, no permission): nothing can be known from it
            continue
        for index in [i for i in ready if i not in found]:
            item = items[index]
            state = claimed.get(item.key) or claimed.get(str(item.record.get("message_id")))
            if state:
                en, zh = STATES[state]
                plan.loc[index, ["decision", "reason"]] = [
                    "done", SENT_ELSEWHERE(state=en, state_zh=zh, journal=other.path.name)]
                found.append(index)
                journals += [other.path.name] if other.path.name not in journals else []
    if found:
        notes.append(NOT_SENT_TWICE(count=len(found), messages=counted(len(found), "message", "messages"),
                                    journals=", ".join(journals)))
    return found


def _outgoing(item: pd.Series, message: Built, test: bool) -> Outgoing:
    record = {"customer": item["customer"], "customer_key": item["key"], "row": row_number(item["row"]),
              "template": item["template"], "occasion": item["occasion"],
              "due": f"{pd.Timestamp(item['due']):%Y-%m-%d}", "to": ", ".join(message.envelope_to),
              "subject": str(message.message["Subject"]), "message_id": str(message.message["Message-ID"])}
    if not test:
        record["to"] = item["to"]
    key = ("test|" if test else "") + item["msg_key"]
    return Outgoing(key, message.envelope_from, message.envelope_to, message.as_bytes(), record, test)
