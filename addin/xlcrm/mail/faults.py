"""What can go wrong while sending, sorted by what the batch must do about it."""

from __future__ import annotations

from xlcrm.core.i18n import Msg

RETRY_WAITS: tuple[float, ...] = (5, 20, 60)  # seconds before each retry of a temporary fault (a busy server)


class SendFault(Exception):
    def __init__(self, reason: Msg):
        super().__init__(reason.text("en"))
        self.reason = reason


class Temporary(SendFault):
    """Not delivered, and safe to try again at once (connection dropped before the end of data, 421)."""

    def __init__(self, reason: Msg, at_recipient: str | None = None):
        super().__init__(reason)
        self.at_recipient = at_recipient  # dropped while the server was asked to take mail for this address (RCPT)


class Rejected(SendFault):
    """The server refused this message for good (550 for the recipient, 554 for the content): mark it failed."""

    def __init__(self, reason: Msg, code: int | None, recipient: bool = False, too_big: bool = False):
        super().__init__(reason)
        self.code = code
        self.recipient = recipient  # about this address, whatever the message (at RCPT, or 5.1.x/5.2.x at DATA)
        self.too_big = too_big  # larger than the server takes (552, 5.3.4): about this message's size alone


class Deferred(SendFault):
    """The server put this message off (4xx at RCPT or at DATA: greylisting, a full mailbox): not sent, tried
    again on a later run, while the batch goes on with the others."""

    def __init__(self, reason: Msg, code: int | None, recipient: bool = True, mailbox_full: bool = False):
        super().__init__(reason)
        self.code = code
        self.recipient = recipient  # about the customer's address: their other messages in this batch wait too
        self.mailbox_full = mailbox_full  # said of this mailbox (X.2.2): never a sign the session is held back


class Uncertain(SendFault):
    """The whole message went out but no answer came back: it may have been delivered. Never resent blindly."""


class Fatal(SendFault):
    """Nothing more can be sent in this batch (authentication, TLS, no password, sender refused)."""


# How a stop message that assumed nothing had gone out ends (smtp.py's connection and login faults): on a reconnect
# after messages went out it is said otherwise (batch.py), so these endings are cut off there.
NOTHING_SENT_ENDINGS = ((" Nothing was sent.", "本批未发送。"), (" Nothing more was sent.", "已停止发送。"))


def without_nothing_sent(reason: Msg) -> Msg:
    """The reason without its closing 'Nothing was sent.' (in both languages), its particulars kept."""
    en, zh = reason.en, reason.zh
    for en_end, zh_end in NOTHING_SENT_ENDINGS:
        en = en[:-len(en_end)] if en.endswith(en_end) else en
        zh = zh[:-len(zh_end)] if zh.endswith(zh_end) else zh
    return Msg(en.rstrip(), zh.rstrip(" ;;"), reason.args)


class SendInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch, with what had gone out before it (a KeyboardInterrupt still: the program stops)."""

    def __init__(self, reason: Msg):
        super().__init__(reason.text("en"))
        self.reason = reason
