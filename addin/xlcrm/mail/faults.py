"""What can go wrong while sending, sorted by what the batch must do about it."""

from __future__ import annotations

from xlcrm.core.i18n import Msg


class SendFault(Exception):
    def __init__(self, reason: Msg):
        super().__init__(reason.text("en"))
        self.reason = reason


class Temporary(SendFault):
    """Not delivered, and safe to try again (connection dropped before the end of data, 421, 451...)."""


class Rejected(SendFault):
    """The server refused this message for good (550 for the recipient, 554 for the content): mark it failed."""

    def __init__(self, reason: Msg, code: int | None, recipient: bool = False):
        super().__init__(reason)
        self.code = code
        self.recipient = recipient  # refused at RCPT: about this address, whatever the message


class Deferred(SendFault):
    """The server put off this recipient (4xx at RCPT: greylisting, a full mailbox): not sent, tried again on a
    later run, while the batch goes on with the others."""

    def __init__(self, reason: Msg, code: int):
        super().__init__(reason)
        self.code = code


class Uncertain(SendFault):
    """The whole message went out but no answer came back: it may have been delivered. Never resent blindly."""


class Fatal(SendFault):
    """Nothing more can be sent in this batch (authentication, TLS, no password, sender refused)."""
