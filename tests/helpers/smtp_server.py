"""A real SMTP server on loopback (aiosmtpd) with TLS and AUTH, recording what it receives, with scripted faults.

Faults are counted per command the server sees, so a test can say "drop the connection at the
3rd MAIL FROM", "answer 451 to the 2nd end of DATA", "refuse this recipient with 550", "take the
4th message and hang up without answering", or "hold the 5th message until told to answer".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
import warnings
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "sales@xlcrm-test.example.com", "授权码-s3cret"


def make_certificate(folder: Path, names: tuple[str, ...] = ("localhost", "127.0.0.1")) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, or the given names (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alt = [x509.IPAddress(ipaddress.ip_address(n)) if n[0].isdigit() else x509.DNSName(n) for n in names]
    now = dt.datetime.now(dt.timezone.utc)
    public = key.public_key()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(alt), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, False, False, False), True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    user: str | None

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.content, policy=policy.default)


@dataclass
class Faults:
    drop_at_mail: set[int] = field(default_factory=set)  # hang up instead of answering the Nth MAIL FROM
    data_replies: dict[int, str] = field(default_factory=dict)  # answer the Nth end of DATA with this (not kept)
    drop_after_data: set[int] = field(default_factory=set)  # keep the Nth message, hang up without answering
    reject_rcpt: dict[str, str] = field(default_factory=dict)  # recipient -> reply, e.g. "550 5.1.1 unknown"
    reject_every_rcpt: str | None = None  # e.g. "554 5.7.1 <{address}>: Relay access denied"
    rcpt_script: dict[str, list[str]] = field(default_factory=dict)  # recipient -> answer per attempt (the last
    # repeats; "250 ..." accepts), e.g. ["451 4.7.1 greylisted", "250 OK"]
    data_for: dict[str, str] = field(default_factory=dict)  # recipient -> answer to its end of DATA (not kept)
    hold_at_data: int | None = None  # keep the Nth message, answer only when `release` is set
    release: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)  # set once the held message arrived


class Recorder:
    def __init__(self, faults: Faults):
        self.faults = faults
        self.received: list[Received] = []
        self.mails = self.datas = 0
        self.logins: list[str] = []
        self.asked: list[str] = []  # every RCPT TO address, accepted or not
        self.attempts: Counter = Counter()  # RCPT TO per address

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mails += 1
        if self.mails in self.faults.drop_at_mail:
            server.transport.close()
            return "421 going away"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.asked.append(address)
        self.attempts[address] += 1
        script = self.faults.rcpt_script.get(address)
        if script:
            answer = script[min(self.attempts[address], len(script)) - 1]
            if not answer.startswith("250"):
                return answer
        if address in self.faults.reject_rcpt:
            return self.faults.reject_rcpt[address]
        if self.faults.reject_every_rcpt:
            return self.faults.reject_every_rcpt.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        number = self.datas
        if number in self.faults.data_replies:
            return self.faults.data_replies[number]
        scripted = next((self.faults.data_for[a] for a in envelope.rcpt_tos if a in self.faults.data_for), None)
        if scripted:
            return scripted
        user = session.auth_data if isinstance(session.auth_data, str) else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or
                                      envelope.content, user))
        if number in self.faults.drop_after_data:
            server.transport.close()
            return "250 OK (never heard)"
        if number == self.faults.hold_at_data:
            self.faults.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.faults.release.wait, 30)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    good = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER and \
        auth_data.password.decode("utf-8") == PASSWORD
    return AuthResult(success=good, handled=False, auth_data=auth_data.login.decode() if good else None)


class MailServer:
    """aiosmtpd on 127.0.0.1 with implicit TLS (ssl) or STARTTLS and AUTH required, or a plain relay (none)."""

    def __init__(self, folder: Path, security: str = "ssl", faults: Faults | None = None,
                 auth: tuple[str, ...] | None = None, cert_names: tuple[str, ...] = ("localhost", "127.0.0.1"),
                 eight_bit: bool = True, plain_auth: bool = False, smtputf8: bool = True):
        """auth: the only AUTH mechanisms offered (e.g. ("LOGIN",)); () offers no AUTH at all.
        plain_auth: a relay without encryption that still asks for a login (security none).
        smtputf8: offer SMTPUTF8 (addresses with non-ASCII letters before the @)."""
        self.cert, key = make_certificate(folder, cert_names)
        self.security = security
        self.faults = faults or Faults()
        self.recorder = Recorder(self.faults)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.port = free_port()
        options = dict(authenticator=authenticator, auth_required=True)
        plain_only = {"enable_SMTPUTF8": smtputf8} if eight_bit else {"decode_data": True, "enable_SMTPUTF8": False}
        if auth == ():  # implicit TLS: AUTH kept for STARTTLS, which never comes; STARTTLS: an empty AUTH line
            options = {"auth_exclude_mechanism": {"LOGIN", "PLAIN"}} if security == "starttls" else {}
        elif auth:
            options["auth_exclude_mechanism"] = {"LOGIN", "PLAIN"} - {m.upper() for m in auth}
        if security == "none" and plain_auth:  # a relay inside the office that wants a login all the same
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, authenticator=authenticator,
                                         auth_required=True, auth_require_tls=False, **plain_only)
        elif security == "none":  # a relay inside the office: plain, no login
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **plain_only)
        elif security == "ssl":  # implicit TLS: aiosmtpd cannot tell, so it is told not to insist on STARTTLS
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, ssl_context=context,
                                         auth_require_tls=auth == (), **options, **plain_only)
        else:
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, tls_context=context,
                                         require_starttls=True, **options, **plain_only)

    @property
    def received(self) -> list[Received]:
        return self.recorder.received

    def start(self) -> "MailServer":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "AUTH without TLS": the socket itself is TLS
            self.controller.start()
        return self

    def stop(self) -> None:
        self.faults.release.set()
        self.controller.stop()

    def settings(self) -> dict[str, object]:
        """The sender block a user would fill in for this server."""
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": self.security,
                "smtp_user": USER, "from_address": USER, "from_name": "恒信销售部", "company": "恒信科技有限公司",
                "rate_per_minute": 0}


class SilentServer:
    """Accepts connections on loopback and never says a word (a firewall, a hung server)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:  # closed by stop()
                return

    def start(self) -> "SilentServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def delivered(server) -> Counter:
    """(recipient, subject) of each message the server received, counted: exactly-once checks compare these."""
    return Counter((r.rcpt_tos[0], r.message["Subject"]) for r in server.received)
