"""What a reminder run did, as the CLI prints it and the ribbon's message box shows it."""

from __future__ import annotations

import datetime as dt
import os
import shlex
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xlcrm.actions.report_lines import saved_lines
from xlcrm.actions.session import Session
from xlcrm.book import SaveResult
from xlcrm.core.i18n import Msg, pick
from xlcrm.core.mailmerge.send_plan import DECISIONS

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
DEFERRED_LINE = Msg("  Put off by the server: {customer} (row {row}, {template}) to {to}: {reason}",
                    "  服务器暂缓:{customer}(第 {row} 行,{template})→ {to}:{reason}")
IN_FLIGHT_LINE = Msg("  In flight, check by hand: {customer} ({template}) to {to}{why}",
                     "  状态不明,请人工核对:{customer}({template})→ {to}{why}")
SENT_WITH_NOTE = Msg("  Sent, but: {customer} (row {row}, {template}) to {to}: {reason}",
                     "  已发送,但:{customer}(第 {row} 行,{template})→ {to}:{reason}")
BECAUSE = Msg(": {reason}", ":{reason}")
STOPPED = Msg("Stopped: {why}", "已停止:{why}")
COUNTED = ("send", "sent", "test_sent", "failed", "deferred", "in_flight", "held", "skip", "refused", "unsent", "done")


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
        noted = self.plan["decision"].isin(["sent", "test_sent"]) & self.plan["reason"].map(
            lambda r: isinstance(r, Msg)) if len(self.plan) else self.plan["decision"].eq("")
        for shown, line in ((self.plan["decision"].eq("failed"), FAILED_LINE),  # one by one, with why
                            (self.plan["decision"].eq("deferred"), DEFERRED_LINE), (noted, SENT_WITH_NOTE)):
            lines += [line(customer=r["customer"], row=row_number(r["row"]) or "-", template=r["template"], to=r["to"],
                           reason=r["reason"] if isinstance(r["reason"], Msg) else "-").text(lang)
                      for r in self.plan[shown].head(20).to_dict("records")]
        lines += [IN_FLIGHT_LINE(customer=r["customer"], template=r["template"], to=r["to"],
                                 why=BECAUSE(reason=r["reason"]) if isinstance(r["reason"], Msg) else "").text(lang)
                  for r in self.plan[self.plan["decision"].eq("in_flight")].head(20).to_dict("records")]
        lines += [note.text(lang) for note in self.session.notes + self.notes]  # the workbook's, then the run's
        if self.stopped:
            lines.append(STOPPED(why=self.stopped).text(lang))
        if self.mode == "dry":
            lines.append(PREVIEW_AT(sheet=self.session.written_name("preview"), count=self.eml_count,
                                    folder=str(self.outbox)).text(lang))
            if counts["send"]:
                lines.append(SEND_HINT(book=shell_quoted(typed_path(self.session.book))).text(lang))
        else:
            lines.append(LOG_AT(sheet=self.session.written_name("send_log"), journal=str(self.journal)).text(lang))
        return lines + saved_lines(self.saved, lang)

    def _reasons(self, lang: str) -> list[str]:
        shown = self.plan[self.plan["decision"].isin(["skip", "held", "refused", "unsent"])]  # the rest: one by one
        groups: dict[tuple, list[Msg]] = {}
        for decision, reason in zip(shown["decision"], shown["reason"]):
            if isinstance(reason, Msg):
                groups.setdefault((decision, reason.en), []).append(reason)
        groups = {key: part for (decision, en), reasons in groups.items()
                  for key, part in _by_particulars(decision, en, reasons).items()}
        biggest = sorted(groups.items(), key=lambda item: -len(item[1]))[:8]
        return [REASONS(label=DECISIONS[key[0]], reason=_generic(reasons, lang), count=len(reasons)).text(lang)
                for key, reasons in biggest]


def _by_particulars(decision: str, en: str, reasons: list[Msg], most: int = 3) -> dict[tuple, list[Msg]]:
    """One line per particular (which template goes first) when there are a few; else one line, '…' for them."""
    kinds: dict[tuple, list[Msg]] = {}
    for reason in reasons:
        kinds.setdefault((decision, en, tuple(sorted((k, str(v)) for k, v in reason.args.items()))), []).append(reason)
    return kinds if len(kinds) <= most else {(decision, en): reasons}


def typed_path(book) -> str:
    """The workbook as the user can type it from the folder they are in: relative when it is inside that folder,
    otherwise its full path."""
    path = book.folder / book.name
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def shell_quoted(name: str) -> str:
    """The workbook's name as it must be typed in the user's shell (quotes, spaces, $ in it)."""
    return f'"{name}"' if os.name == "nt" else shlex.quote(name)


def row_number(value) -> int | None:
    """A plan's Excel row (None for an owner's digest, which has no row)."""
    return None if value is None or pd.isna(value) else int(value)


def _generic(reasons: list[Msg], lang: str) -> str:
    """A reason for a summary line: the particulars all its messages share, '…' for those that differ."""
    first = reasons[0]
    shared = {key: value if all(r.args.get(key) == value for r in reasons) else "…"
              for key, value in first.args.items()}
    return Msg(first.en, first.zh, shared).text(lang)
