"""Sending a batch: one connection reused, a steady rate, retries with back-off, every step journaled.

For each message: wait for the rate, write `sending` to the journal (on disk), run the SMTP
transaction, write the outcome. What concerns one recipient never holds up the others: a 4xx
at RCPT or at DATA defers that message to a later run (put off on DEFER_LIMIT different days, it is marked
failed), a 5xx at RCPT, or at DATA naming the mailbox, fails it with the server's words. The same 4xx for
THROTTLE_RUN messages in a row, to different recipients, is about the session (a sending limit worded as "try
again later"), not them: the batch stops as for a rate limit and none of them counts as put off. A temporary
fault of the connection (dropped, 421) reconnects and retries the same message after a pause; dropped every time
while the server was asked to take the customer's address (RCPT), that message is put off like a 4xx and the batch
goes on (twice in a row, to different recipients, it is the server's trouble: the batch stops). A message too large
for the server fails alone; after TOO_BIG_PER_TEMPLATE of one template, its other messages wait untried. A fatal fault
(connection, TLS, login, sender, a sending limit, no password) stops the batch with the current message
written back as not sent; when the connection cannot be opened again after messages went out, the stop says
how many did. A message the server may have received without answering stays `sending`: in
flight, for a human to check.
An error nobody foresaw (out of memory, a full disk) stops the batch with a message saying what
to do; the journal keeps every line written before it. Ctrl-C stops it too, saying how many went out.
A recipient is put off on at most DEFER_LIMIT days, counted by address whatever the template.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg, counted
from xlcrm.core.mailmerge.sender_profile import SenderProfile
from xlcrm.mail.batch_words import copies_note, interrupted, unexpected
from xlcrm.mail.faults import (RETRY_WAITS, Deferred, Fatal, Rejected, SendFault, SendInterrupted, Temporary,
                               Uncertain, without_nothing_sent)
from xlcrm.mail.journal import Journal, deferral_key

__all__ = ["Batch", "BatchResult", "Clock", "Connection", "Mailer", "Outcome", "Outgoing", "SystemClock", "unexpected"]

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
DROPPED_AT_RECIPIENT = Msg("each time it was asked to take mail for {address}, {why} ({tried})",
                           "每次请服务器接收发给 {address} 的邮件,{why}(试了 {tries} 次)")
TOO_BIG_PER_TEMPLATE = 2  # messages of one template refused as too large: the rest of it would be too
TEMPLATE_TOO_BIG = Msg("not tried: {count} messages of the template {template} were refused as too large for the "
                       "server; shrink or remove its attachment (or shorten it): the next run tries them again",
                       "未尝试发送:模板“{template}”已有 {count} 封邮件因超过服务器允许的大小被拒收;请压缩或删除其附件"
                       "(或精简模板):下次运行时会再试")


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
        self._deferred_days: dict[str, set[str]] = {}  # recipient -> days put off before (journal.deferral_key)
        self._put_off: list[tuple[Outgoing, str]] = []  # put off in a row in this session (and the answer)
        self._sent = 0  # messages that went out in this batch
        self._too_big: dict[str, int] = {}  # template -> its messages refused as too large in this batch
        self._dropped: Outgoing | None = None  # put off for a connection dropped at RCPT, no answer since
        self._hung_up_before: set[str] = set()  # recipients put off for that on an earlier run: not waited on again

    def run(self, items: list[Outgoing], progress: Callable[..., Iterable] | None = None) -> BatchResult:
        result = BatchResult()
        interval = 60.0 / self.profile.rate_per_minute if self.profile.rate_per_minute > 0 else 0.0
        next_start = self.clock.monotonic()
        current: Outgoing | None = None
        self._deferred_days, self._hung_up_before = self.journal.deferred_days(), self.journal.hung_up_on()
        try:
            for item in (progress(items, len(items), SENDING) if progress else items):
                self.clock.sleep(max(0.0, next_start - self.clock.monotonic()))
                next_start = self.clock.monotonic() + interval
                current = item
                result.outcomes[item.key] = self._one(item)
        except _Stop as stop:
            result.stopped = stop.reason
        except KeyboardInterrupt:  # Ctrl-C: the one being handed over (journaled `sending`) is of unknown outcome
            in_doubt = sum(o.state == "in_flight" for o in result.outcomes.values()) + (self._open_key is not None)
            raise SendInterrupted(interrupted(self._sent, in_doubt, self.journal.path.name)) from None
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
        template = str(item.record.get("template") or "")
        if self._too_big.get(template, 0) >= TOO_BIG_PER_TEMPLATE:  # never journaled: not tried, tried next run
            return Outcome("unsent", TEMPLATE_TOO_BIG(count=self._too_big[template], template=template),
                           self.clock.now())
        self._connected()
        self.journal.record(item.key, "sending", at=self.clock.now(), test=item.test, **item.record)
        self._open_key = item.key
        dropped_at_recipient = True  # every try so far dropped while asking RCPT
        for attempt in range(len(self.backoff) + 1):
            try:
                delivery = self._connected().send(item.sender, item.recipients, item.payload)
                self._put_off, self._dropped = [], None
                return self._finish(item, "test_sent" if item.test else "sent", None,
                                    copies_note(delivery), journal_state="sent")
            except Rejected as fault:
                self._put_off, self._dropped = [], None
                self._stop_if_refused_alike(item, fault)
                alike = fault.recipient or fault.too_big
                self._refused = None if alike else (_without_addresses(fault.reason, item), item)
                if fault.recipient and item.recipients:
                    self._refused_to[item.recipients[0].lower()] = fault
                if fault.too_big:
                    self._too_big[template] = self._too_big.get(template, 0) + 1
                return self._finish(item, "failed", fault.reason, None, code=fault.code,
                                    recipient_refused=fault.recipient or None, too_big=fault.too_big or None)
            except Deferred as fault:
                self._dropped = None
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
                dropped_at_recipient = dropped_at_recipient and fault.at_recipient is not None
                again = deferral_key(address, item.test) in self._hung_up_before  # no 85 s of back-off every run
                if dropped_at_recipient and (attempt >= len(self.backoff) or again):
                    return self._put_off_dropped(item, fault, attempt + 1)
                self._pause_or_stop(attempt, fault, item)
            except _Stop as stop:
                self._finish(item, "unsent", stop.reason, None)
                raise
            except Fatal as fault:
                self._finish(item, "unsent", fault.reason, None)
                raise _Stop(fault.reason) from None
        raise AssertionError("unreachable")

    def _put_off_dropped(self, item: Outgoing, fault: Temporary, tries: int) -> Outcome:
        """The connection dropped at this recipient's RCPT on every try: nothing was handed over, so the message is
        put off like a 4xx and the batch goes on; the same again for the next message is the server's trouble."""
        earlier, self._dropped = self._dropped, item
        if earlier is not None:
            reason = GAVE_UP(why=fault.reason, tries=tries)
            self._revised[earlier.key] = self._finish(earlier, "unsent", reason, None)
            self._finish(item, "unsent", reason, None)
            raise _Stop(reason)
        deferral = Deferred(DROPPED_AT_RECIPIENT(address=fault.at_recipient, why=fault.reason, tries=tries,
                                                 tried=counted(tries, "try", "tries")), None)
        self._deferred_to[(item.recipients[0] if item.recipients else "").lower()] = deferral
        return self._deferred(item, deferral, hung_up=True)

    def _deferred(self, item: Outgoing, fault: Deferred, **extra: Any) -> Outcome:
        """Put off by the server: tried again on later runs, until its address was put off on DEFER_LIMIT different
        days, whichever template (runs on one day count once: five runs in an afternoon are no reason to give up)."""
        today = self.clock.now().date().isoformat()
        address = item.recipients[0] if item.recipients else item.key
        tries = len(self._deferred_days.get(deferral_key(address, item.test), set()) | {today})
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
        their address and never stop the batch, nor do refusals of a message too large (about its size)."""
        if fault.recipient or fault.too_big or self._refused is None or \
                self._refused[0] != _without_addresses(fault.reason, item):
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


def _without_addresses(reason: Msg, item: Outgoing) -> str:
    text = reason.text("en")
    for address in item.recipients:
        text = text.replace(address, "")
    return text
