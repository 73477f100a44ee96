"""One personal message as MIME: the same bytes go to the outbox (.eml) and to the SMTP server.

Built with the standard email package, ASCII on the wire: Chinese subjects and display names as
RFC 2047 encoded words, bodies UTF-8 in base64 or quoted-printable, attachment names per RFC 2231,
so any server accepts it without SMTPUTF8 or 8BITMIME. Only an address with non-ASCII letters
before the @ (用户@例子.cn) needs SMTPUTF8: its headers go as UTF-8 and smtp.py sends it only to
a server that offers SMTPUTF8. A line break in any header field is
refused (header injection), whatever put it there.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import mimetypes
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email

from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.default_templates import DIGEST
from xlcrm.mail.render import Refused, Rendered


class _HeaderClasses(HeaderRegistry):
    """The standard registry, making each header's class once: the stdlib makes a new class every time a header
    is set or read (some 40 microseconds, twenty times per message: seconds of a send of thousands)."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


POLICY = policy.SMTP.clone(cte_type="7bit", max_line_length=78, header_factory=_HeaderClasses())
TEST_PREFIX = Msg("[TEST] ", "[测试] ")

LINE_BREAK = Msg("the {field} has a line break, which could forge mail headers; refused",
                 "{field}中含有换行符(可能被用来伪造邮件头),已拒绝")
BAD_ADDRESS = Msg("'{address}' is not a valid address ({why})", "“{address}”不是有效的邮箱地址({why})")
NO_ATTACHMENT = Msg("attachment '{name}' not found in {folder}", "在 {folder} 中找不到附件“{name}”")
OUTSIDE = Msg("attachment '{name}' is outside the workbook's folder", "附件“{name}”不在工作簿所在文件夹内")
FIELDS = {"subject": Msg("subject", "主题"), "to": Msg("recipient's name", "收件人名称"),
          "from": Msg("sender name", "发件人名称"), "cc": Msg("CC name", "抄送人名称")}


@dataclass(frozen=True)
class Party:
    name: str
    address: str


@dataclass(frozen=True)
class Built:
    message: EmailMessage
    envelope_to: tuple[str, ...]
    envelope_from: str
    payload: bytes  # the message as it goes on the wire and into the outbox, serialised once

    def as_bytes(self) -> bytes:
        return self.payload


def _one_line(value: str, field: str) -> str:
    if "\r" in value or "\n" in value:
        raise Refused(LINE_BREAK(field=FIELDS[field]))
    return value


@functools.lru_cache(maxsize=4096)  # the sender's address is asked three times per message, thousands of messages
def ascii_address(address: str) -> str:
    """The address as it goes on the wire: IDN domains in punycode; others refused with a reason."""
    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as error:
        raise Refused(BAD_ADDRESS(address=address, why=str(error))) from None
    return checked.ascii_email or checked.normalized  # non-ASCII before the @: sent only where SMTPUTF8 is offered


def _address(party: Party, field: str) -> Address:
    name = _one_line(party.name or "", field)
    local, domain = ascii_address(party.address).rsplit("@", 1)
    return Address(display_name=name, username=local, domain=domain)


def attachment_paths(names: tuple[str, ...], folder: Path) -> list[Path]:
    if not names:  # most messages: no need to ask the file system where the folder is, thousands of times
        return []
    root = folder.resolve()
    paths = []
    for name in names:
        path = (root / name).resolve()
        if root not in path.parents:
            raise Refused(OUTSIDE(name=name))
        if not path.is_file():
            raise Refused(NO_ATTACHMENT(name=name, folder=str(root)))
        paths.append(path)
    return paths


def build(rendered: Rendered, sender: Party, to: Party, cc: list[Party], key: str, folder: Path,
          now: dt.datetime, test_to: str | None = None, lang: str = "zh") -> Built:
    """The message for one recipient (a test sends it to test_to only, marked as a test)."""
    subject = _one_line(rendered.subject, "subject")
    message = EmailMessage(policy=POLICY)
    message["From"] = _address(sender, "from")
    if test_to:
        message["To"] = _address(Party(to.name, test_to), "to")
        message["Subject"] = TEST_PREFIX.text(lang) + subject
        message["X-Xlcrm-Test"] = "yes"
        message["X-Xlcrm-Original-To"] = str(_address(to, "to"))
        copies: list[Address] = []
    else:
        message["To"] = _address(to, "to")
        message["Subject"] = subject
        copies = [_address(c, "cc") for c in cc]
        if copies:
            message["Cc"] = copies
    message["Date"] = format_datetime(now.astimezone())
    domain = message["From"].addresses[0].domain
    # Stable per reminder (a resend is recognisably the same message); a test gets a fresh one each time.
    test_mark = f".test{now:%Y%m%d%H%M%S%f}" if test_to else ""
    message["Message-ID"] = f"<{message_id_part(key)}{test_mark}@{domain}>"
    message["X-Xlcrm-Id"] = message_id_part(key)
    if not key.startswith(f"{DIGEST}|"):  # batch mail to customers: large mailboxes expect a way to stop it
        message["List-Unsubscribe"] = unsubscribe_link(ascii_address(sender.address), key.split("|", 1)[0])
    message.set_content(rendered.text, charset="utf-8", cte=_encoding(rendered.text))
    if rendered.html is not None:
        message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte=_encoding(rendered.html))
    for path in attachment_paths(rendered.attachments, folder):
        _attach(message, path)
    recipients = [a.addr_spec for a in message["To"].addresses] + [a.addr_spec for a in copies]
    envelope = tuple(dict.fromkeys(recipients))
    wire = POLICY if all(a.isascii() for a in envelope) else POLICY.clone(utf8=True)  # SMTPUTF8 (RFC 6532)
    return Built(message, envelope, ascii_address(sender.address), message.as_bytes(policy=wire))


def _attach(message: EmailMessage, path: Path) -> None:
    """A file as it is; a text file in UTF-8 says so, so a mail program shows Chinese in it right."""
    kind, _ = mimetypes.guess_type(path.name)
    main, sub = (kind or "application/octet-stream").split("/", 1)
    data = path.read_bytes()
    if main == "text":
        try:
            message.add_attachment(data.decode("utf-8"), subtype=sub, charset="utf-8", cte="base64",
                                   filename=path.name)
            return
        except UnicodeDecodeError:  # another encoding: sent as the bytes it is
            pass
    message.add_attachment(data, maintype=main, subtype=sub, filename=path.name)


def _encoding(text: str) -> str:
    """7bit for short-lined ASCII, else base64 (shorter than quoted-printable for Chinese; 7-bit safe)."""
    return "7bit" if text.isascii() and all(len(line) <= 900 for line in text.splitlines()) else "base64"


def unsubscribe_link(sender: str, customer_key: str) -> str:
    """A mailto to the sender naming the customer (RFC 2369), so the team sees whom to mark opted out."""
    return f"<mailto:{sender}?subject={quote('unsubscribe ' + customer_key, safe='')}>"


def message_id_part(key: str) -> str:
    """A stable id per idempotency key: the same reminder has the same Message-ID however often it is built."""
    return "xlcrm." + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
