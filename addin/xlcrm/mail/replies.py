"""What an SMTP answer to one message concerns, and so what the batch does about it (faults.py).

Only what concerns every message stops a batch: the connection, the sender address, a sending limit.
An answer about one recipient (RFC 3463 X.1.x and X.2.x, a mailbox unknown or disabled) fails or
defers that message alone (a full mailbox, X.2.2, is always put off: the address is right), whether it came at RCPT or at the end of DATA; a 4xx for one message is
put off to a later run rather than waited on, since a retry within seconds meets the same answer. A message too
large for the server (552 at MAIL FROM or at the end of DATA, X.3.4) fails that message alone, saying its size,
the server's limit and the fix. A sending limit is known by its words before any 4xx (421 included) is retried.
"""

from __future__ import annotations

import re
from typing import Callable

from xlcrm.core.i18n import Msg
from xlcrm.mail.faults import Deferred, Fatal, Rejected, Temporary

SERVER_SAID = Msg("the server answered {code} {text}", "服务器答复 {code} {text}")
SENDER_REFUSED = Msg("The server refused the sender address {sender}: {code} {text}. Nothing more was sent.",
                     "服务器拒绝了发件地址 {sender}:{code} {text}。已停止发送。")
LIMIT_REACHED = Msg("The mailbox reached a sending limit ({why}); stopped. What was not sent goes out on a later run "
                    "(lower rate_per_minute or daily_cap in the settings if this comes back).",
                    "邮箱达到了发送上限({why}),已停止;未发出的邮件会在之后运行时发送(如反复出现,请调低设置中的"
                    " rate_per_minute 或 daily_cap)。")
TOO_BIG = Msg("too large for the server (the message is {size}; the server's limit: {limit}; {code} {text}): shrink or "
              "remove the attachment, or shorten the template",
              "邮件超过服务器允许的大小(本邮件 {size};服务器上限:{limit};{code} {text}):请压缩或删除附件,或精简模板")
LIMIT_NOT_SAID = Msg("not stated", "未说明")
MAILBOX_FULL = Msg("the recipient's mailbox is full ({code} {text})", "收件人的邮箱已满({code} {text})")
RELAY_DENIED = Msg("The server {host} will not pass mail on for this sender ({why}): it is about the sender or the "
                   "login, not the recipient. Check 'smtp_user' and 'from_address' with the mail administrator. "
                   "Nothing more was sent.",
                   "服务器 {host} 不为该发件人转发邮件({why}):问题在发件人或登录账号,而不是收件人。请与邮件管理员核对"
                   "“smtp_user”和“from_address”。已停止发送。")


def reply_text(response: bytes | str) -> str:
    text = response.decode("utf-8", "replace") if isinstance(response, bytes) else str(response)
    return " ".join(text.split())[:300]


# A permanent answer about the mailbox's sending limits, not about this message (Gmail's 5.4.5 quota,
# "too many messages", 发送频率, 163's 邮件数量超出限制...): the rest would be refused the same way, so the batch stops.
_LIMIT = re.compile(r"too many|quota|sending limit|daily limit|rate limit|\blimit(ed)? exceeded|frequen|"
                    r"\b5\.4\.5\b|频率|频繁|超限|超出.{0,6}限|超过.*(限|上限)|达到.{0,8}上限|过多", re.IGNORECASE)
_ABOUT_ADDRESS = re.compile(r"\b[45]\.[12]\.\d{1,3}\b")  # RFC 3463: addressing or the recipient's mailbox
# ...except X.1.7 and X.1.8, the sender's address (Postfix says "Sender address rejected" even at RCPT)
_ABOUT_SENDER = re.compile(r"\b[45]\.1\.[78]\b|sender address rejected", re.IGNORECASE)
_RELAY = re.compile(r"relay(ing)? (access )?(denied|not permitted|prohibited)|not permitted to relay|"
                    r"unable to relay|relay not allowed", re.IGNORECASE)
# The recipient's mailbox is full (RFC 3463 X.2.2, or said in words): their address is right and the mailbox may be
# emptied, so the message is put off to later runs (the batch's put-off limit), never refused for the address.
_FULL_CODE = re.compile(r"\b[45]\.2\.2\b")
_FULL_WORDS = re.compile(r"mailbox (is )?full|over ?quota|quota|空间不足|邮箱已满|容量", re.IGNORECASE)
_SENDING_WORDS = re.compile(r"\b[45]\.[47]\.\d{1,3}\b|send|daily|rate", re.IGNORECASE)  # Gmail's 5.4.5 sending quota
# the connection's count, not an address nor the mailbox's sending limit: retried on a new connection
_SESSION_WIDE = re.compile(r"\b4\.5\.3\b|too many recipients|too many (concurrent |simultaneous )?(connections|sessions)",
                           re.IGNORECASE)
# Too large (RFC 3463 X.3.4 for the system, X.2.3 for the mailbox; RFC 5321's 552 at the end of DATA, RFC 1870's at
# MAIL FROM with SIZE): about this message's size, whoever it is for.
_TOO_BIG_CODE = re.compile(r"\b5\.3\.4\b|\b5\.2\.3\b")
_TOO_BIG_WORDS = re.compile(r"too (big|large)|size (limit|exceed)|"
                            r"exceeds? (the )?(fixed |max(imum)? |allowed )*(message )?size|too much (mail )?data|"
                            r"(邮件|信件|附件).{0,6}(过大|太大|超大|超过.{0,8}大小)|大小.{0,6}(超|限制)", re.IGNORECASE)
_RATE_WORDS = re.compile(r"too many|rate|frequen|daily|quota|per (minute|hour|day)|频率|频繁|过多|每日|每天", re.IGNORECASE)
_ENHANCED = re.compile(r"\b[45]\.\d{1,3}\.\d{1,3}\b")


def about_recipient(text: str) -> bool:
    return bool(_ABOUT_ADDRESS.search(text)) and not _ABOUT_SENDER.search(text)


def mailbox_full(text: str) -> bool:
    return bool(_FULL_CODE.search(text)) or (bool(_FULL_WORDS.search(text)) and not _SENDING_WORDS.search(text)
                                              and not _ABOUT_SENDER.search(text))


def too_big(code: int, text: str) -> bool:
    """A 5xx saying the message is larger than the server (or the mailbox) takes; a bare 552 (RFC 5321: exceeded
    storage allocation) unless it says the mailbox is full or a sending limit."""
    if not 500 <= code < 600 or _FULL_CODE.search(text) or _ABOUT_SENDER.search(text):
        return False
    if _TOO_BIG_CODE.search(text) or (_TOO_BIG_WORDS.search(text) and not _RATE_WORDS.search(text)):
        return True
    return code == 552 and not _ENHANCED.search(text) and not mailbox_full(text) and not _LIMIT.search(text)


def size_text(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1000))} KB"


def too_big_fault(code: int, response, size: int, limit: int | None) -> Rejected:
    return Rejected(TOO_BIG(size=size_text(size), limit=size_text(limit) if limit else LIMIT_NOT_SAID, code=code,
                            text=reply_text(response)), code, too_big=True)


def mail_fault(sender: str, code: int, response, size: int, limit: int | None) -> Exception:
    """An answer to MAIL FROM other than 250: a message too large (552 to its SIZE) fails alone; a sending limit
    (421 4.7.0 Too many messages) stops the batch at once; anything else is about the sender or the session."""
    text = reply_text(response)
    if too_big(code, text):
        return too_big_fault(code, response, size, limit)
    if 400 <= code < 500 and _sending_limit(text):
        return Fatal(LIMIT_REACHED(why=SERVER_SAID(code=code, text=text)))
    return reply_fault(code, response, lambda reason, c: Fatal(SENDER_REFUSED(sender=sender, code=c, text=text)))


def _sending_limit(text: str) -> bool:
    return bool(_LIMIT.search(text)) and not about_recipient(text) and not _SESSION_WIDE.search(text)


def _full(code: int, text: str, recipient: bool) -> Deferred:
    return Deferred(MAILBOX_FULL(code=code, text=text), code, recipient=recipient, mailbox_full=True)


def recipient_fault(host: str, sender: str, code: int, response) -> Exception:
    """An answer to RCPT for the customer: about that address alone (deferred or refused, the batch goes on),
    unless it is about the sender, relaying for this sender, a sending limit, or a closing connection."""
    text = reply_text(response)
    if _ABOUT_SENDER.search(text):
        return Fatal(SENDER_REFUSED(sender=sender, code=code, text=text))
    if 400 <= code < 600 and code != 421 and mailbox_full(text):
        return _full(code, text, recipient=True)
    if 400 <= code < 500:
        return put_off(code, response, recipient=True)
    if _RELAY.search(text):
        return Fatal(RELAY_DENIED(host=host, why=SERVER_SAID(code=code, text=text)))
    return reply_fault(code, response, lambda why, c: Rejected(why, c, recipient=True))


def data_fault(sender: str, code: int, response, recipients: tuple[str, ...], size: int = 0,
               limit: int | None = None) -> Exception:
    """An answer to DATA or to the message's final dot other than 250: the server did not take the message.
    With one recipient, an answer naming a mailbox (552 5.2.2 mailbox full) is about that address, like at RCPT;
    a message too large (552 5.3.4) fails alone; a 4xx is put off to a later run; the sender, a sending limit or
    a closing connection concern every message."""
    text = reply_text(response)
    if _ABOUT_SENDER.search(text):
        return Fatal(SENDER_REFUSED(sender=sender, code=code, text=text))
    if too_big(code, text):
        return too_big_fault(code, response, size, limit)
    alone = len(recipients) == 1
    if alone and 400 <= code < 600 and code != 421 and mailbox_full(text):
        return _full(code, text, recipient=True)
    if 400 <= code < 500:
        return put_off(code, response, recipient=alone)
    if alone and about_recipient(text):
        return Rejected(SERVER_SAID(code=code, text=text), code, recipient=True)
    return reply_fault(code, response, Rejected)


def put_off(code: int, response, recipient: bool) -> Exception:
    """A 4xx for one message: a sending limit stops the batch, even said with 421 ("421 4.7.0 Too many messages");
    the connection's trouble (421, too many recipients on it) is retried now; anything else defers the message to a
    later run, the batch going on."""
    text = reply_text(response)
    reason = SERVER_SAID(code=code, text=text)
    if _sending_limit(text):
        return Fatal(LIMIT_REACHED(why=reason))
    if code == 421 or _SESSION_WIDE.search(text):
        return Temporary(reason)
    return Deferred(reason, code, recipient=recipient)


def reply_fault(code: int, response, permanent: Callable[[Msg, int], Exception]) -> Exception:
    reason = SERVER_SAID(code=code, text=reply_text(response))
    if 400 <= code < 500:
        return Temporary(reason)
    if code != 552 and not about_recipient(reply_text(response)) and _LIMIT.search(reply_text(response)):
        return Fatal(LIMIT_REACHED(why=reason))
    return permanent(reason, code)
