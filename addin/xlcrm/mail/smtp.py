"""SMTP through yagmail: SSL or STARTTLS with a verifying TLS context, login, one connection per batch.

yagmail opens and logs in the connection (its keyring entry holds the password, see credentials.py);
the message itself is xlcrm's own MIME (message.py), sent with the SMTP commands one by one so
the batch knows how far a transaction got when something breaks:

- refused or dropped before the whole message was handed over: not delivered, safe to retry;
- dropped after the final dot, before the server's answer: it may have been delivered (Uncertain);
- 421 or a dropped line before the end: the connection's trouble, retried with back-off (a 421 naming a sending
  limit, "Too many messages", stops the batch at once);
- any other 4xx, at RCPT or at DATA: this message is put off to a later run (Deferred);
- 5xx for the recipient or the content, or a message too large (552 to its SIZE at MAIL FROM, RFC 1870, or at the
  end of DATA): this message failed (what each answer concerns: replies.py);
- dropped while the server was asked to take a recipient (RCPT): retried, then that message put off (batch.py);
- authentication, TLS, a refused sender, a sending limit: the batch stops.

yagmail's own `send` is not used: it turns text into HTML, attaches any string that happens to
name a file, and retries on its own, which would hide the stage a failure happened at.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from typing import Callable

import yagmail

from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.sender_profile import SenderProfile
from xlcrm.mail.credentials import password_for, password_origin
from xlcrm.mail.smtp_deadline import Deadline, WatchedSMTP
from xlcrm.mail.smtp_wire import auth_utf8, dot_stuffed, probe_security
from xlcrm.mail.faults import RETRY_WAITS, Fatal, Rejected, Temporary, Uncertain
from xlcrm.mail.replies import data_fault, mail_fault, recipient_fault, reply_fault, reply_text

AUTH_FAILED = Msg("The server {host} refused the login {user} ({code} {text}). Check the login and password "
                  "(QQ and 163 mailboxes need an authorisation code, not the web password); {where} Nothing was sent.",
                  "服务器 {host} 拒绝了账号 {user} 的登录({code} {text})。请检查账号和密码"
                  "(QQ、163 邮箱需使用授权码而不是网页登录密码);{where}本批未发送。")
NO_METHOD = Msg("The server {host} offers no login method xlcrm can use (it offers: {offered}). Ask the mail "
                "administrator for a PLAIN or LOGIN login over ssl or starttls. Nothing was sent.",
                "服务器 {host} 提供的登录方式 xlcrm 无法使用(服务器提供:{offered})。请向邮件管理员确认可在 ssl 或 starttls "
                "下使用 PLAIN 或 LOGIN 登录。本批未发送。")
NO_AUTH = Msg("The server {host}:{port} does not offer a login ({text}), but a login is set ('smtp_user'). A relay "
              "that needs none: leave smtp_user empty. Otherwise the login is on another port (465 with ssl, 587 with "
              "starttls). Nothing was sent.",
              "服务器 {host}:{port} 不提供登录({text}),但设置了登录账号(“smtp_user”)。无需登录的内网转发服务器:"
              "请清空 smtp_user;否则登录在另一个端口(465 用 ssl,587 用 starttls)。本批未发送。")
TLS_FAILED = Msg("Secure connection to {host}:{port} failed ({why}). Check the security setting (ssl for port 465, "
                 "starttls for 587) and the server name. Nothing was sent.",
                 "与 {host}:{port} 建立加密连接失败({why})。请检查加密方式(465 端口用 ssl,587 用 starttls)和服务器地址。"
                 "本批未发送。")
CERT_FAILED = Msg("The certificate of {host} cannot be trusted ({why}). {what} Nothing was sent.",
                  "{host} 的证书不受信任({why})。{what}本批未发送。")
CERT_OWN = Msg("If the server uses its own certificate (self-signed or your company's CA), get that file from the mail "
               "administrator and put its name in 'smtp_certificate' (settings sheet, Mail sender).",
               "如果服务器使用自有证书(自签名或公司内部 CA),请向邮件管理员索取证书文件,并填入设置表“发件设置”的“smtp_certificate”。")
CERT_NAME = Msg("The certificate is for another name: write in 'smtp_host' the server name it was issued to "
                "(e.g. smtp.example.com rather than an IP address or an alias).",
                "证书对应的是另一个名称:请在“smtp_host”中填写证书所签发的服务器名称(例如 smtp.example.com,而不是 IP 地址或别名)。")
CERT_DATE = Msg("The certificate has expired or is not valid yet: check this computer's date, then tell the mail "
                "administrator.", "证书已过期或尚未生效:请检查本机日期,再告知邮件管理员。")
BAD_CERT_FILE = Msg("The certificate file in 'smtp_certificate' ({path}) cannot be used: {why}. Nothing was sent.",
                    "“smtp_certificate”中的证书文件({path})无法使用:{why}。本批未发送。")
NO_SERVER = Msg("Cannot find the SMTP server {host} ({why}): check 'smtp_host' (settings sheet, Mail sender). Nothing "
                "was sent.", "找不到发信服务器 {host}({why}):请检查设置表“发件设置”中的“smtp_host”。本批未发送。")
CANNOT_CONNECT = Msg("Cannot connect to {host}:{port} ({why})", "无法连接 {host}:{port}({why})")
DROPPED = Msg("the server closed the connection ({why})", "服务器断开了连接({why})")
WRONG_SECURITY = Msg("{host}:{port} {speaks}, but the settings say {security}. Set 'smtp_security' (settings sheet, "
                      "Mail sender) to {fix}, or run with --smtp-security {fix}. Nothing was sent.",
                      "{host}:{port} {speaks},但设置为 {security}。请把设置表“发件设置”中的“smtp_security”改为 {fix},"
                      "或加参数 --smtp-security {fix}。本批未发送。")
SPEAKS = {"ssl": Msg("expects a secure connection from the start (implicit TLS)", "要求一开始就建立加密连接(隐式 TLS)"),
          "starttls": Msg("speaks plain SMTP first and offers STARTTLS", "先以明文 SMTP 应答并支持 STARTTLS"),
          "none": Msg("speaks plain SMTP without encryption", "只支持不加密的 SMTP")}
NOTHING_LISTENS = Msg("Nothing answers at {host}:{port} (connection refused). Check the server and the port "
                      "('smtp_port': 465 for ssl, 587 for starttls, 25 for none). Nothing was sent.",
                      "{host}:{port} 没有服务(连接被拒绝)。请检查服务器地址和端口(“smtp_port”:ssl 用 465,starttls 用 587,"
                      "none 用 25)。本批未发送。")
UNREACHABLE = Msg("Cannot reach {host}:{port} ({why}). Check the server and the port; a firewall or the internet "
                  "provider may block this port (port 25 often is: try 465 with ssl or 587 with starttls). Nothing "
                  "more was sent.", "无法连接 {host}:{port}({why})。请检查服务器地址和端口;防火墙或网络运营商可能封锁了该端口"
                  "(25 端口常被封锁:可改用 465 + ssl 或 587 + starttls)。已停止发送。")
SILENT = Msg("{host}:{port} accepted the connection but said nothing within {seconds} s, neither plain SMTP nor TLS. "
             "Check the server and the port, or try again later. Nothing more was sent.",
             "{host}:{port} 接受了连接,但 {seconds} 秒内没有任何应答(既不是明文 SMTP 也不是 TLS)。请检查服务器地址和端口,"
             "或稍后再试。已停止发送。")
NEEDS_LOGIN = Msg("The server {host} takes mail only after a login ({code} {text}): fill in 'smtp_user' (settings "
                  "sheet, Mail sender) and run `xlcrm password BOOK.xlsx`. Nothing more was sent.",
                  "服务器 {host} 要求先登录才能发信({code} {text}):请填写设置表“发件设置”中的“smtp_user”,"
                  "并运行 `xlcrm password 工作簿.xlsx`。已停止发送。")
PLAIN_LOGIN = Msg("{host}:{port} is set to no encryption ('smtp_security' none) while a login is set: the password "
                  "would cross the network in clear, so xlcrm does not log in. Use ssl (port 465) or starttls (port "
                  "587). Only for a relay inside your own network: set 'smtp_plain_login' to yes. Nothing was sent.",
                  "{host}:{port} 设置为不加密(“smtp_security”为 none),同时填写了登录账号:密码会以明文经过网络,"
                  "因此 xlcrm 不登录。请改用 ssl(465 端口)或 starttls(587 端口)。仅限公司内网的转发服务器:"
                  "把“smtp_plain_login”设为 是。本批未发送。")
NO_ENCRYPTION_HERE = Msg("{host}:{port} speaks plain SMTP without encryption, and a login is set: the password would "
                         "cross the network in clear. Use the port where this server offers encryption (465 with ssl, "
                         "587 with starttls). Nothing was sent.",
                         "{host}:{port} 只支持不加密的 SMTP,而设置了登录账号:密码会以明文经过网络。请改用该服务器提供"
                         "加密的端口(465 用 ssl,587 用 starttls)。本批未发送。")
NO_SMTPUTF8 = Msg("the address {address} has non-ASCII characters before the @, and the server does not accept such "
                  "addresses (no SMTPUTF8); ask the customer for another address",
                  "地址 {address} 的 @ 前含有非 ASCII 字符,而服务器不接受这类地址(不支持 SMTPUTF8);请向客户索取其他地址")
NO_ANSWER = Msg("the message was passed to the server, but the server gave no answer ({why}): it is unknown whether "
                "it got the message, so it is not sent again by itself",
                "邮件已传给服务器,但服务器没有答复({why}):不知道服务器是否收到了这封邮件,因此不会自动重发")


SLOW_OPEN = Msg("{host}:{port} took more than {seconds} s to connect, greet and log in (it answers, but only a little "
                "at a time): stopped waiting. Check the server and the port, or try again later. Nothing more was sent.",
                "{host}:{port} 在 {seconds} 秒内未完成连接、问候和登录(服务器有应答,但一点一点地拖延):已停止等待。请检查"
                "服务器地址和端口,或稍后再试。已停止发送。")

OPEN_TIMEOUT = 15  # seconds to connect, greet, secure and log in; a server that says nothing is not waited on
OPEN_DEADLINE = 60  # seconds for all of it together: a server trickling its greeting a line at a time is not waited on
PROBE_TIMEOUT = 5


@dataclass
class Delivery:
    refused_copies: list[tuple[str, int, str]] = field(default_factory=list)  # CC addresses the server refused


def tls_context(certificate: str = "") -> ssl.SSLContext:
    """Certificates are verified against the system's trust store (or SSL_CERT_FILE), plus the profile's own file."""
    context = ssl.create_default_context()
    if certificate:
        try:
            context.load_verify_locations(cafile=certificate)
        except (OSError, ssl.SSLError) as error:
            raise Fatal(BAD_CERT_FILE(path=certificate, why=getattr(error, "strerror", None) or str(error))) from None
    return context


# OpenSSL's verify codes: the name does not match; expired or not yet valid
_NAME_CODES, _DATE_CODES = {62, 64}, {9, 10}


def _cert_advice(error: ssl.SSLCertVerificationError) -> Msg:
    code = error.verify_code
    return CERT_NAME if code in _NAME_CODES else CERT_DATE if code in _DATE_CODES else CERT_OWN


class SmtpConnection:
    def __init__(self, profile: SenderProfile, password: str | None, timeout: float):
        self.profile, self._password, self.timeout = profile, password, timeout
        self._client: yagmail.SMTP | None = None
        self._features: dict[str, str] = {}
        self._asking: str | None = None  # the recipient the server is being asked to take (RCPT TO)

    def open(self) -> "SmtpConnection":
        """Connect, secure and log in within OPEN_TIMEOUT a step and OPEN_DEADLINE in all; a wrong security setting
        is named with its fix."""
        deadline = Deadline(OPEN_DEADLINE)
        try:
            with deadline:
                client = self._login(deadline)
        except Fatal:
            raise
        except Exception as error:
            if deadline.expired:
                raise Fatal(SLOW_OPEN(host=self.profile.host, port=self.profile.port, seconds=OPEN_DEADLINE)) from None
            raise self._connect_fault(error) from None
        client.smtp.sock.settimeout(self.timeout)  # sending a big message may take longer than opening
        self._client = client
        return self

    def _login(self, deadline: Deadline) -> yagmail.SMTP:
        profile = self.profile
        if profile.security == "none" and profile.user and not profile.plain_login:  # never a password in clear
            speaks = probe_security(profile.host, profile.port, min(self.timeout, PROBE_TIMEOUT))
            if speaks in ("ssl", "starttls"):
                raise Fatal(WRONG_SECURITY(host=profile.host, port=profile.port, speaks=SPEAKS[speaks],
                                           security=profile.security, fix=speaks))
            raise Fatal(PLAIN_LOGIN(host=profile.host, port=profile.port))
        context = tls_context(profile.certificate)
        options: dict = {"timeout": min(self.timeout, OPEN_TIMEOUT)}
        ascii_only = f"{profile.user}{self._password or ''}".isascii()
        if profile.security == "ssl":
            options["context"] = context
        client = WatchedSMTP(
            deadline,
            user=profile.user or None, password=self._password, host=profile.host, port=profile.port,
            smtp_ssl=profile.security == "ssl",
            smtp_starttls={"context": context} if profile.security == "starttls" else False,
            smtp_skip_login=not profile.user or not ascii_only, soft_email_validation=False, **options)
        client.user = profile.user  # yagmail would append @gmail.com to a login without one
        try:
            client.login()
            if profile.user and not ascii_only:  # smtplib encodes AUTH as ASCII; a password with 中文 or é needs UTF-8
                auth_utf8(client.smtp, profile.user, self._password or "")
        except BaseException:
            self._features = dict(getattr(getattr(client, "smtp", None), "esmtp_features", None) or {})
            client.is_closed = True
            _quietly_close(getattr(client, "smtp", None))
            raise
        return client

    def _connect_fault(self, error: Exception) -> Exception:
        p = self.profile
        if _wrong_door(error):
            speaks = probe_security(p.host, p.port, min(self.timeout, PROBE_TIMEOUT))
            if speaks == "none" and p.user and p.security != "none":  # never advise sending a password in clear
                return Fatal(NO_ENCRYPTION_HERE(host=p.host, port=p.port))
            if speaks in SPEAKS and speaks != p.security:
                return Fatal(WRONG_SECURITY(host=p.host, port=p.port, speaks=SPEAKS[speaks], security=p.security,
                                            fix=speaks))
            if speaks == "refused":
                return Fatal(NOTHING_LISTENS(host=p.host, port=p.port))
            if speaks == "unreachable":
                return Fatal(UNREACHABLE(host=p.host, port=p.port, why=str(error) or type(error).__name__))
            if speaks is None and _timed_out(error):
                return Fatal(SILENT(host=p.host, port=p.port, seconds=round(min(self.timeout, OPEN_TIMEOUT))))
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return Fatal(AUTH_FAILED(host=p.host, user=p.user, code=error.smtp_code,
                                     text=reply_text(error.smtp_error), where=password_origin(p.user)))
        if isinstance(error, smtplib.SMTPException) and "no suitable authentication" in str(error).lower():
            offered = self._offered()  # an empty AUTH line offers nothing at all
            return Fatal(NO_METHOD(host=p.host, offered=offered) if offered else
                         NO_AUTH(host=p.host, port=p.port, text="AUTH"))
        if isinstance(error, smtplib.SMTPNotSupportedError):
            reason = NO_AUTH if "auth" in str(error).lower() else TLS_FAILED
            return Fatal(reason(host=p.host, port=p.port, text=str(error), why=str(error)))
        if isinstance(error, ssl.SSLCertVerificationError):
            return Fatal(CERT_FAILED(host=p.host, why=error.verify_message or str(error), what=_cert_advice(error)))
        if isinstance(error, ssl.SSLError):
            return Fatal(TLS_FAILED(host=p.host, port=p.port, why=error.reason or str(error)))
        if isinstance(error, socket.gaierror):
            return Fatal(NO_SERVER(host=p.host, why=error.strerror or str(error)))
        if isinstance(error, smtplib.SMTPResponseException):
            return reply_fault(error.smtp_code, error.smtp_error,
                                lambda reason, code: Fatal(CANNOT_CONNECT(host=p.host, port=p.port, why=reason)))
        if isinstance(error, (smtplib.SMTPException, OSError)):
            return Temporary(CANNOT_CONNECT(host=p.host, port=p.port, why=str(error) or type(error).__name__))
        raise error

    def _offered(self) -> str:
        """The login methods the server listed (kept by smtplib from its EHLO answer), for the message."""
        return self._features.get("auth", "").strip()

    def _connected(self) -> yagmail.SMTP:
        assert self._client is not None, "open() comes before sending"
        return self._client

    def send(self, sender: str, recipients: tuple[str, ...], payload: bytes) -> Delivery:
        smtp = self._connected().smtp
        handed_over = False
        self._asking = None
        try:
            smtp.ehlo_or_helo_if_needed()
            size, limit = len(payload), self._size_limit(smtp)
            sized = [f"SIZE={size}"] if smtp.has_extn("size") else []  # RFC 1870: too big is said before the data
            code, response = smtp.mail(sender, self._utf8_options(sender, recipients) + sized)
            if code != 250:
                _reset(smtp)
                raise self._needs_more(code, response) or mail_fault(sender, code, response, size, limit)
            delivery = self._recipients(smtp, sender, recipients)
            code, response = smtp.docmd("DATA")
            if code != 354:
                _reset(smtp)
                raise data_fault(sender, code, response, recipients, size, limit)
            smtp.send(dot_stuffed(payload))
            handed_over = True
            code, response = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            why = str(error) or type(error).__name__
            self.close()
            if handed_over:
                raise Uncertain(NO_ANSWER(why=why)) from None
            raise Temporary(DROPPED(why=why), at_recipient=self._asking) from None
        finally:
            smtp.command_encoding = "ascii"
        if code != 250:  # answered: the server did not take it, so nothing is in doubt
            raise data_fault(sender, code, response, recipients, size, limit)
        return delivery

    @staticmethod
    def _size_limit(smtp: smtplib.SMTP) -> int | None:
        """The largest message the server said it takes (EHLO SIZE), if it said."""
        value = str(smtp.esmtp_features.get("size", "")).strip()
        return int(value) if value.isdigit() and int(value) > 0 else None

    def _utf8_options(self, sender: str, recipients: tuple[str, ...]) -> list[str]:
        """MAIL FROM options for an address with non-ASCII letters before the @: SMTPUTF8 when the server offers
        it; without it the message is refused, naming the address (nothing else is affected)."""
        wide = [a for a in (*recipients, sender) if not a.isascii()]
        if not wide:
            return []
        smtp = self._connected().smtp
        if not smtp.has_extn("smtputf8"):
            raise Rejected(NO_SMTPUTF8(address=wide[0]), None, recipient=wide[0] in recipients[:1])
        smtp.command_encoding = "utf-8"
        return ["SMTPUTF8"] + (["BODY=8BITMIME"] if smtp.has_extn("8bitmime") else [])

    def _needs_more(self, code: int, response) -> Fatal | None:
        """530 (RFC 4954): the server wants STARTTLS or a login before it takes mail from anyone."""
        if code != 530:
            return None
        p = self.profile
        if "starttls" in reply_text(response).lower():
            return Fatal(WRONG_SECURITY(host=p.host, port=p.port, speaks=SPEAKS["starttls"], security=p.security,
                                        fix="starttls"))
        return Fatal(NEEDS_LOGIN(host=p.host, code=code, text=reply_text(response)))

    def _recipients(self, smtp: smtplib.SMTP, sender: str, recipients: tuple[str, ...]) -> Delivery:
        delivery = Delivery()
        for index, address in enumerate(recipients):
            self._asking = address  # a connection dropped now was dropped at this address
            code, response = smtp.rcpt(address)
            self._asking = None
            if code in (250, 251):
                continue
            if index == 0:  # the customer: no point sending the copy alone
                _reset(smtp)
                raise self._needs_more(code, response) or recipient_fault(self.profile.host, sender, code, response)
            delivery.refused_copies.append((address, code, reply_text(response)))
        return delivery

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # closing a broken connection: nothing left to save
                pass
            self._client = None


def _wrong_door(error: Exception) -> bool:
    """Failures that mean the security setting (or the port) may not be what the server speaks."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return False
    if isinstance(error, socket.gaierror):
        return False  # the name is unknown: said as such
    return isinstance(error, (OSError, smtplib.SMTPNotSupportedError, smtplib.SMTPServerDisconnected))


def _timed_out(error: BaseException | None) -> bool:
    while error is not None:  # smtplib wraps a read timeout in SMTPServerDisconnected
        if isinstance(error, (TimeoutError, socket.timeout)):
            return True
        error = error.__context__
    return False


def _reset(smtp: smtplib.SMTP) -> None:
    """RSET after a refusal; a server that hung up with its answer (421) is found out by the next message."""
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError):
        pass


def _quietly_close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.close()
        except Exception:  # a half-open connection: nothing to save
            pass


class SmtpMailer:
    """The real mailer: opens yagmail connections with the profile and the password from keyring or env."""

    def __init__(self, timeout: float = 60, backoff: tuple[float, ...] = RETRY_WAITS,
                 password: Callable[[str], str] = password_for):
        self.timeout, self.backoff, self._password = timeout, backoff, password
        self._cached: dict[str, str] = {}

    def connect(self, profile: SenderProfile) -> SmtpConnection:
        secret = None
        if profile.user:
            secret = self._cached.get(profile.user) or self._password(profile.user)
            self._cached[profile.user] = secret
        return SmtpConnection(profile, secret, self.timeout).open()
