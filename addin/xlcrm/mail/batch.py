"""Sending a batch: one connection reused, a steady rate, retries with back-off, every step journaled.

For each message: wait for the rate, write `sending` to the journal (on disk), run the SMTP
transaction, write the outcome. A temporary failure reconnects and retries the same message
after a pause; a rejected recipient fails that message only; a fatal fault (login, TLS) stops
the batch with the current message written back as not sent. A message the server may have
received without answering stays `sending`: in flight, for a human to check.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol

from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.sender_profile import SenderProfile
from xlcrm.mail.faults import Fatal, Rejected, SendFault, Temporary, Uncertain
from xlcrm.mail.journal import Journal

SENDING = Msg("Sending", "正在发送")
GAVE_UP = Msg("The server kept failing ({why}) after {tries} tries; stopped. What was not sent goes out on the next "
              "run.", "服务器连续 {tries} 次出错({why}),已停止;未发出的邮件会在下次运行时发送。")
NOT_STARTED = Msg("the batch stopped before this message", "本批在此之前已停止")
SAME_REFUSAL = Msg("The server refused two messages in a row the same way ({why}): it is about the mailbox or the "
                   "text, not the recipients; stopped, and neither counts as failed. What was not sent goes out on the "
                   "next run.", "服务器连续两封以同样的理由拒收({why}):问题在邮箱或内容,而不是收件人;已停止,"
                   "这两封不算发送失败,未发出的邮件会在下次运行时发送。")
COPY_REFUSED = Msg("the copy to {address} was refused ({code} {text})", "抄送 {address} 被拒收({code} {text})")


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
    state: str  # sent | test_sent | failed | in_flight | unsent
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
        self.backoff = tuple(getattr(mailer, "backoff", (5, 20, 60)))
        self._refused: tuple[str, Outgoing] | None = None  # the last message refused for its content, not address
        self._revised: dict[str, Outcome] = {}
        self._refused_to: dict[str, Rejected] = {}  # addresses refused at RCPT in this batch: not asked again

    def run(self, items: list[Outgoing], progress: Callable[..., Iterable] | None = None) -> BatchResult:
        result = BatchResult()
        interval = 60.0 / self.profile.rate_per_minute if self.profile.rate_per_minute > 0 else 0.0
        next_start = self.clock.monotonic()
        try:
            for item in (progress(items, len(items), SENDING) if progress else items):
                self.clock.sleep(max(0.0, next_start - self.clock.monotonic()))
                next_start = self.clock.monotonic() + interval
                result.outcomes[item.key] = self._one(item)
        except _Stop as stop:
            result.stopped = stop.reason
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
                raise _Stop(fault.reason) from None
            except Temporary as fault:
                self._pause_or_stop(attempt, fault)
        raise AssertionError("unreachable")

    def _one(self, item: Outgoing) -> Outcome:
        earlier = self._refused_to.get(item.recipients[0].lower()) if item.recipients else None
        if earlier is not None:
            return self._finish(item, "failed", earlier.reason, None, code=earlier.code, recipient_refused=True,
                                **item.record)  # never journaled as sending: the log still names whom
        self._connected()
        self.journal.record(item.key, "sending", at=self.clock.now(), test=item.test, **item.record)
        for attempt in range(len(self.backoff) + 1):
            try:
                delivery = self._connected().send(item.sender, item.recipients, item.payload)
                return self._finish(item, "test_sent" if item.test else "sent", None,
                                    _copies_note(delivery), journal_state="sent")
            except Rejected as fault:
                self._stop_if_refused_alike(item, fault)
                about_address = fault.recipient and _ADDRESS_SPECIFIC.search(fault.reason.text("en"))
                self._refused = None if about_address else (_without_addresses(fault.reason, item), item)
                if fault.recipient and item.recipients:
                    self._refused_to[item.recipients[0].lower()] = fault
                return self._finish(item, "failed", fault.reason, None, code=fault.code,
                                    recipient_refused=fault.recipient or None)
            except Uncertain as fault:
                self._drop()
                return Outcome("in_flight", fault.reason, self.clock.now())  # the journal keeps `sending`
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

    def _stop_if_refused_alike(self, item: Outgoing, fault: Rejected) -> None:
        """A second refusal worded like the last, not about an address ('relay access denied', a policy): the
        first was no failure of its own either."""
        if self._refused is None or self._refused[0] != _without_addresses(fault.reason, item):
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
        self.journal.record(item.key, journal_state or state, at=at, test=item.test, code=code,
                            reason=shown.text("en") if shown else None, **extra)
        return Outcome(state, shown, at, code)

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# Answers about this recipient alone (RFC 3463 X.1.x addressing, X.2.x mailbox; the usual wordings): two of
# them in a row are two bad addresses, not a mailbox-wide refusal.
_ADDRESS_SPECIFIC = re.compile(r"\b5\.[12]\.\d{1,3}\b|unknown|no such|not exist|does not exist|invalid|not found|"
                               r"unavailable|disabled|inactive|mailbox full|over quota|不存在|无效", re.IGNORECASE)


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
    return COPY_REFUSED(address=address, code=code, text=text)
