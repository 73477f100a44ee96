"""SMTP on the wire, below yagmail: what a port speaks, a UTF-8 login, the DATA section."""

from __future__ import annotations

import base64
import re
import smtplib
import socket
import ssl


def probe_security(host: str, port: int, timeout: float) -> str | None:
    """What is at host:port: 'ssl', 'starttls' or 'none' (what the server speaks), 'refused' (nothing listens),
    'unreachable' (no connection within the timeout), or None (connected, but it answers neither way).

    Only a look at the greeting: no certificate is checked and nothing is sent but EHLO and QUIT."""
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    try:
        raw = socket.create_connection((host, port), timeout)
    except ConnectionRefusedError:
        return "refused"
    except OSError:
        return "unreachable"
    try:
        with raw, insecure.wrap_socket(raw, server_hostname=host):
            return "ssl"
    except ssl.SSLError:
        pass  # not TLS from the start: perhaps plain SMTP, which greets first
    except OSError:
        return None
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as plain:
            plain.ehlo()
            return "starttls" if plain.has_extn("starttls") else "none"
    except (smtplib.SMTPException, OSError):
        return None


def auth_utf8(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN (RFC 4616) or, when the server offers only that, LOGIN, with UTF-8 credentials."""
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    offered = smtp.esmtp_features["auth"].upper().split()

    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    if "PLAIN" in offered:
        code, response = smtp.docmd("AUTH", "PLAIN " + b64(f"\0{user}\0{password}"))
    elif "LOGIN" in offered:
        code, response = smtp.docmd("AUTH", "LOGIN")
        for answer in (user, password):
            if code == 334:
                code, response = smtp.docmd(b64(answer))
    else:
        raise smtplib.SMTPException("No suitable authentication method found.")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, response)


_LINE_ENDS = re.compile(rb"\r\n|\n|\r")


def dot_stuffed(payload: bytes) -> bytes:
    """The DATA section: CRLF line ends, leading dots doubled, ended by CRLF . CRLF (RFC 5321 4.5.2)."""
    body = _LINE_ENDS.sub(b"\r\n", payload)
    body = re.sub(rb"(?m)^\.", b"..", body)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"
