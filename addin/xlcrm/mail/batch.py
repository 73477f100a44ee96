"""Sending a batch: one connection reused, a steady rate, retries with back-off, every step journaled.

For each message: wait for the rate, write `sending` to the journal (on disk), run the SMTP
transaction, write the outcome. What concerns one recipient never holds up the others: a 4xx
at RCPT or at DATA defers that message to a later run (put off on DEFER_LIMIT different days, it is marked
failed), a 5xx at RCPT, or at DATA naming the mailbox, fails it with the server's words. The same 4xx for
THROTTLE_RUN messages in a row, to different recipients, is about the session (a sending limit worded as "try
again later"), not them: the batch stops as for a rate limit and none of them counts as put off. A temporary
fault of the connection (dropped, 421) reconnects and retries the same message after a pause; a fatal fault
(connection, TLS, login, sender, a sending limit, no password) stops the batch with the current message
written back as not sent; when the connection cannot be opened again after messages went out, the stop says
how many did. A message the server may have received without answering stays `sending`: in
flight, for a human to check.
An error nobody foresaw (out of memory, a full disk) stops the batch with a message saying what
to do; the journal keeps every line written before it.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg, counted
from xlcrm.core.mailmerge.sender_profile import SenderProfile
from xlcrm.mail.faults import (RETRY_WAITS, Deferred, Fatal, Rejected, SendFault, Temporary, Uncertain,
                               without_nothing_sent)
from xlcrm.mail.journal import Journal

SENDING = Msg("Sending", "正在发送")
GAVE_UP = Msg("The server kept failing ({why}) after {tries} tries; stopped. What was not sent goes out on the next "
              "run.", "服务器连续 {tries} 次出错({why}),已停止;未发出的邮件会在下次运行时发送。")
NOT_STARTED = Msg("the batch stopped before this message", "本批在此之前已停止")
SAME_REFUSAL = Msg("The server refused two messages in a row the same way ({why}): it is about the mailbox or the "
                   "text, not the recipients; stopped, and neither counts as failed. What was not sent goes out on the "
                   "next run.", "服务器连续两封以同样的理由拒收({why}):问题在邮箱或内容,而不是收件人;已停止,"
                   "这两封不算发送失败,未发出的邮件会在下次运行时发送。")
DEFER_LIMIT = 5  # days a recipient may be put off (greylisting clears in minutes, a full mailbox in days)
DEFERRED = Msg("the server put this recipient off ({why}); tried again on the next run (day {tries} of {limit})",
               "服务器暂缓接收该收件人({why});下次运行时重试(第 {tries} 天,共 {limit} 天)")
DEFERRED_TOO_OFTEN = Msg("the server put this recipient off on {tries} different days ({why}); given up. Write resend "
                         "in the send log's Decision column to try again",
                         "服务器已在 {tries} 个不同的日子暂缓接收该收件人({why}),不再重试。如需再试,请在发送记录的“处理”列"
                         "填写 重发")
THROTTLE_RUN = 3  # messages in a row put off alike, to different recipients, that mean the session is held back
THROTTLED = Msg("The server put off {count} messages in a row, to different recipients, with the same answer ({why}): "
                "it is holding back this mailbox for now (a sending limit), not the recipients. Stopped; none of them "
                "counts as put off, and what was not sent goes out on a later run (lower rate_per_minute or daily_cap "
                "in the settings if this comes back).",
                "服务器连续 {count} 封发给不同收件人的邮件都以同样的答复暂缓({why}):是这个邮箱暂时被限制发送(发送上限),"
                "而不是收件人的问题。已停止;这些邮件不算暂缓,未发出的邮件会在之后运行时发送(如反复出现,请调低设置中的"
                " rate_per_minute 或 daily_cap)。")
_GREYLISTING = ("greylist", "graylist", "grey list", "gray list", "灰名单")  # per recipient, whoever is asked
RECONNECT_FAILED = Msg("{why} {messages} of this batch had already gone out; the connection was lost and could not "
                       "be opened again, so the rest were not sent: they go out on the next run.",
                       "{why}本批已发出 {sent} 封;连接中断后无法重新连接,其余邮件未发送,会在下次运行时发送。")
UNEXPECTED = Msg("An unexpected error stopped the sending ({error}). {advice} Every message is in the send journal: "
                 "what was sent is not sent again; a message marked 'in flight' needs checking in the Sent folder.",
                 "发送时出现意外错误({error}),已停止。{advice}每封邮件都记在发送日志中:已发出的不会重发;"
                 "标为“状态不明”的请在“已发送”中核对。")
ADVICE = {MemoryError: Msg("The computer ran out of memory: close other programs and run again.",
                           "电脑内存不足:请关闭其他程序后再运行。"),
          OSError: Msg("Check that the disk beside the workbook has free space and that the folder can be written, "
                       "then run again.", "请检查工作簿所在磁盘是否有剩余空间、文件夹是否可写,然后再运行。")}
OTHER_ADVICE = Msg("Run again; if it comes back, run with XLCRM_DEBUG=1 and send the output to whoever looks after "
                   "xlcrm.", "请再运行一次;如果仍然出现,请加 XLCRM_DEBUG=1 运行,并把输出发给负责 xlcrm 的人。")
COPY_REFUSED = Msg("sent; only the copy to {address} was refused by the server ({code} {text})",
                   "已发送;仅抄送 {address} 被服务器拒收({code} {text})")
COPY_PUT_OFF = Msg("sent; only the copy to {address} was put off by the server ({code} {text}) and not sent",
                   "已发送;仅抄送 {address} 被服务器暂缓({code} {text}),抄送未发出")


class Connection(Protocol):
    def send(self, sender: str, recipients: tuple[str, ...], payload: bytes) -> Any: ...

    def close(self) -> None: ...


class Mailer(Protocol):
    backoff: tuple[float, ...]

    def connect(self, profile: SenderProfile) -> Connection: ...


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class Outgoing:
    key: str  # journal key (a test's is prefixed)
    sender: str
    recipients: tuple[str, ...]
    payload: bytes
    record: dict[str, Any]  # what the journal keeps about it (customer, template, to, ...)
    test: bool = False


@dataclass
class Outcome:
    state: str  # sent | test_sent | failed | deferred | in_flight | unsent
    reason: Msg | None = None
    at: dt.datetime | None = None
    code: int | None = None


@dataclass
class BatchResult:
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    stopped: Msg | None = None


class _Stop(Exception):
    def __init__(self, reason: Msg):
        self.reason = reason


class Batch:
    def __init__(self, mailer: Mailer, profile: SenderProfile, journal: Journal, clock: Clock):
        self.mailer, self.profile, self.journal, self.clock = mailer, profile, journal, clock
        self.connection: Connection | None = None
        self.backoff = tuple(getattr(mailer, "backoff", RETRY_WAITS))
        self._refused: tuple[str, Outgoing] | None = None  # the last message refused for its content, not address
        self._revised: dict[str, Outcome] = {}
        self._refused_to: dict[str, Rejected] = {}  # addresses refused at RCPT in this batch: not asked again
        self._deferred_to: dict[str, Deferred] = {}  # addresses put off in this batch: not asked again either
        self._open_key: str | None = None  # journaled as `sending`, no outcome written yet
        self._deferred_days: dict[str, set[str]] = {}  # key -> days it was put off before (from the journal)
        self._put_off: list[tuple[Outgoing, str]] = []  # put off in a row in this session (and the answer)
        self._sent = 0  # messages that went out in this batch

    def run(self, items: list[Outgoing], progress: Callable[..., Iterable] | None = None) -> BatchResult:
        result = BatchResult()
        interval = 60.0 / self.profile.rate_per_minute if self.profile.rate_per_minute > 0 else 0.0
        next_start = self.clock.monotonic()
        current: Outgoing | None = None
        self._deferred_days = self.journal.deferred_days()
        try:
            for item in (progress(items, len(items), SENDING) if progress else items):
                self.clock.sleep(max(0.0, next_start - self.clock.monotonic()))
                next_start = self.clock.monotonic() + interval
                current = item
                result.outcomes[item.key] = self._one(item)
        except _Stop as stop:
            result.stopped = stop.reason
        except Exception as error:  # noqa: BLE001 - whatever it is, the user gets words and the journal stays whole
            result.stopped = unexpected(error)
            if current is not None and current.key == self._open_key:  # journaled as sending, outcome unknown
                result.outcomes[current.key] = Outcome("in_flight", result.stopped, self.clock.now())
        finally:
            self._drop()
        result.outcomes.update(self._revised)
        for item in items:
            result.outcomes.setdefault(item.key, Outcome("unsent", NOT_STARTED))
        return result

    def _connected(self) -> Connection:
        """The batch's connection, opened (with retries) before anything is journaled for a message."""
        for attempt in range(len(self.backoff) + 1):
            try:
                if self.connection is None:
                    self.connection = self.mailer.connect(self.profile)
                return self.connection
            except Fatal as fault:
                raise _Stop(self._after_sent(fault.reason)) from None
            except XlcrmError as error:  # no password (keyring empty or unusable): the user's own fix, as it is
                raise _Stop(self._after_sent(error.msg)) from None
            except Temporary as fault:
                self._pause_or_stop(attempt, fault)
        raise AssertionError("unreachable")

    def _after_sent(self, reason: Msg) -> Msg:
        """A stop while (re)connecting: after messages went out, their count replaces 'Nothing was sent'."""
        if not self._sent:
            return reason
        return RECONNECT_FAILED(why=without_nothing_sent(reason), sent=self._sent,
                                messages=counted(self._sent, "message", "messages"))

    def _one(self, item: Outgoing) -> Outcome:
        address = item.recipients[0].lower() if item.recipients else ""
        earlier = self._refused_to.get(address)
        if earlier is not None:
            return self._finish(item, "failed", earlier.reason, None, code=earlier.code, recipient_refused=True,
                                **item.record)  # never journaled as sending: the log still names whom
        if address in self._deferred_to:
            return self._deferred(item, self._deferred_to[address], **item.record)
        self._connected()
        self.journal.record(item.key, "sending", at=self.clock.now(), test=item.test, **item.record)
        self._open_key = item.key
        for attempt in range(len(self.backoff) + 1):
            try:
                delivery = self._connected().send(item.sender, item.recipients, item.payload)
                self._put_off = []
                return self._finish(item, "test_sent" if item.test else "sent", None,
                                    _copies_note(delivery), journal_state="sent")
            except Rejected as fault:
                self._put_off = []
                self._stop_if_refused_alike(item, fault)
                self._refused = None if fault.recipient else (_without_addresses(fault.reason, item), item)
                if fault.recipient and item.recipients:
                    self._refused_to[item.recipients[0].lower()] = fault
                return self._finish(item, "failed", fault.reason, None, code=fault.code,
                                    recipient_refused=fault.recipient or None)
            except Deferred as fault:
                if fault.recipient:
                    self._deferred_to[address] = fault
                outcome = self._deferred(item, fault)
                self._stop_if_throttled(item, fault)
                return outcome
            except Uncertain as fault:
                self._drop()
                at = self.clock.now()  # still `sending`, now with why it is unknown (not a stopped program)
                self.journal.record(item.key, "sending", at=at, test=item.test, reason=fault.reason, uncertain=True)
                self._open_key = None
                return Outcome("in_flight", fault.reason, at)
            except Temporary as fault:
                self._drop()
                self._pause_or_stop(attempt, fault, item)
            except _Stop as stop:
                self._finish(item, "unsent", stop.reason, None)
                raise
            except Fatal as fault:
                self._finish(item, "unsent", fault.reason, None)
                raise _Stop(fault.reason) from None
        raise AssertionError("unreachable")

    def _deferred(self, item: Outgoing, fault: Deferred, **extra: Any) -> Outcome:
        """Put off by the server: tried again on later runs, until it was put off on DEFER_LIMIT different days
        (runs on one day count once: five runs in an afternoon are no reason to give up)."""
        today = self.clock.now().date().isoformat()
        tries = len(self._deferred_days.get(item.key, set()) | {today})
        if tries >= DEFER_LIMIT:
            return self._finish(item, "failed", DEFERRED_TOO_OFTEN(tries=tries, why=fault.reason), None,
                                code=fault.code, deferrals=tries, **extra)
        return self._finish(item, "deferred", DEFERRED(why=fault.reason, tries=tries, limit=DEFER_LIMIT), None,
                            code=fault.code, deferrals=tries, **extra)

    def _stop_if_throttled(self, item: Outgoing, fault: Deferred) -> None:
        """THROTTLE_RUN messages in a row put off alike, to different recipients, in one session: the server holds
        back the mailbox, whatever it says (451 4.7.1 Please try again later). Stop as for a sending limit; they were
        not put off for themselves, so they go back to not sent. Greylisting or a full mailbox is about each recipient."""
        said = _without_addresses(fault.reason, item)
        per_recipient = fault.mailbox_full or any(word in said.lower() for word in _GREYLISTING)
        if per_recipient or (self._put_off and self._put_off[-1][1] != said):
            self._put_off = []
        if per_recipient:
            return
        self._put_off.append((item, said))
        if len(self._put_off) < THROTTLE_RUN:
            return
        reason = THROTTLED(count=len(self._put_off), why=fault.reason)
        for earlier, _ in self._put_off:
            self._revised[earlier.key] = self._finish(earlier, "unsent", reason, None, throttled=True)
        raise _Stop(reason)

    def _stop_if_refused_alike(self, item: Outgoing, fault: Rejected) -> None:
        """A second refusal of the content worded like the last (a policy, the mailbox blocked): the first was
        no failure of its own either. Refusals naming the recipient (at RCPT, or a mailbox code at DATA) are about
        their address and never stop the batch."""
        if fault.recipient or self._refused is None or self._refused[0] != _without_addresses(fault.reason, item):
            return
        earlier = self._refused[1]
        reason = SAME_REFUSAL(why=fault.reason)
        self._revised[earlier.key] = self._finish(earlier, "unsent", reason, None)
        self._finish(item, "unsent", reason, None)
        raise _Stop(reason)

    def _pause_or_stop(self, attempt: int, fault: SendFault, item: Outgoing | None = None) -> None:
        if attempt >= len(self.backoff):
            reason = GAVE_UP(why=fault.reason, tries=attempt + 1)
            if item is not None:
                self._finish(item, "unsent", reason, None)
            raise _Stop(reason)
        self.clock.sleep(self.backoff[attempt])

    def _finish(self, item: Outgoing, state: str, reason: Msg | None, note: Msg | None,
                journal_state: str | None = None, code: int | None = None, **extra: Any) -> Outcome:
        at = self.clock.now()
        shown = reason or note
        self.journal.record(item.key, journal_state or state, at=at, test=item.test, code=code, reason=shown,
                            **extra)
        self._open_key = None
        self._sent += state in ("sent", "test_sent")
        return Outcome(state, shown, at, code)

    def _drop(self) -> None:
        self._put_off = []  # a new session starts afresh
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def unexpected(error: BaseException) -> Msg:
    """An error no rule foresaw, in words a user can act on (a full disk, no memory)."""
    advice = next((words for kind, words in ADVICE.items() if isinstance(error, kind)), OTHER_ADVICE)
    described = getattr(error, "strerror", None) or str(error) or ""
    return UNEXPECTED(error=f"{type(error).__name__}: {described}".rstrip(": "), advice=advice)


def _without_addresses(reason: Msg, item: Outgoing) -> str:
    text = reason.text("en")
    for address in item.recipients:
        text = text.replace(address, "")
    return text


def _copies_note(delivery: Any) -> Msg | None:
    refused = getattr(delivery, "refused_copies", None) or []
    if not refused:
        return None
    address, code, text = refused[0]
    return (COPY_PUT_OFF if 400 <= int(code) < 500 else COPY_REFUSED)(address=address, code=code, text=text)
