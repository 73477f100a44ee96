"""The sender profile: who sends, through which server, how fast, when, and the owners' addresses.

Two blocks of the settings sheet. The password is never here: it lives in the OS keyring or in
XLCRM_SMTP_PASSWORD (see mail/credentials.py). Reading the profile only parses and checks text;
nothing connects anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.parse import clean_text
from xlcrm.core.settings import Block, Col, KV_COLUMNS, Settings, kv
from xlcrm.core.mailmerge.send_window import SendWindow, parse_window

SECURITY = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
MIN_DAYS = 3  # the default days between two messages to one customer
# Well-known mailboxes: the server is guessed from the login's domain when the host is left empty.
PROVIDERS = {
    "qq.com": ("smtp.qq.com", "ssl"), "foxmail.com": ("smtp.qq.com", "ssl"),
    "163.com": ("smtp.163.com", "ssl"), "126.com": ("smtp.126.com", "ssl"), "yeah.net": ("smtp.yeah.net", "ssl"),
    "sina.com": ("smtp.sina.com", "ssl"), "aliyun.com": ("smtp.aliyun.com", "ssl"),
    "gmail.com": ("smtp.gmail.com", "ssl"), "outlook.com": ("smtp-mail.outlook.com", "starttls"),
    "hotmail.com": ("smtp-mail.outlook.com", "starttls"),
}

SENDER = Block(
    "sender", Msg("Mail sender", "发件设置"), KV_COLUMNS,
    lambda: [
        kv("smtp_host", "", Msg("SMTP server", "发信服务器(SMTP)"),
           Msg("e.g. smtp.qq.com, smtp.163.com, smtp.qiye.aliyun.com, smtp.office365.com, smtp.gmail.com. "
               "Empty: guessed from the login for QQ, 163, 126, Aliyun, Gmail and Outlook mailboxes.",
               "例如 smtp.qq.com、smtp.163.com、smtp.qiye.aliyun.com、smtp.office365.com、smtp.gmail.com。"
               "留空:QQ、163、126、阿里云、Gmail、Outlook 邮箱按登录账号自动填写。")),
        kv("smtp_port", "", Msg("Port", "端口"),
           Msg("Empty: 465 for ssl, 587 for starttls, 25 for none.", "留空:ssl 用 465,starttls 用 587,none 用 25。")),
        kv("smtp_security", "ssl", Msg("Security (ssl, starttls or none)", "加密方式(ssl、starttls 或 none)"),
           Msg("none only for a relay inside your own network.", "none 仅用于公司内网的转发服务器。")),
        kv("smtp_plain_login", "no", Msg("Log in without encryption (local relay only)", "不加密也登录(仅限内网转发)"),
           Msg("no: with security none, xlcrm never sends the password. yes only for a relay inside your own network; "
               "every run then warns.", "否:加密方式为 none 时,xlcrm 从不发送密码。仅公司内网的转发服务器可填 是;"
               "每次运行都会提示。")),
        kv("smtp_user", "", Msg("Login (your mailbox address)", "登录账号(邮箱地址)"),
           Msg("The password is never kept in the workbook: run `xlcrm password` once, or set XLCRM_SMTP_PASSWORD "
               "for a scheduled job. Empty: no login (a relay).",
               "密码不保存在工作簿里:运行一次 `xlcrm password` 存入系统钥匙串,定时任务可用环境变量 "
               "XLCRM_SMTP_PASSWORD。留空:不登录(内网转发服务器)。")),
        kv("from_address", "", Msg("Sender address", "发件地址"), Msg("Empty: the login.", "留空:同登录账号。")),
        kv("from_name", "", Msg("Sender name", "发件人名称"), Msg("e.g. 恒信销售部", "例如:恒信销售部")),
        kv("company", "", Msg("Company (signature)", "公司名称(签名)"),
           Msg("Used in the default templates' signature.", "用于默认模板的签名。")),
        kv("rate_per_minute", 20, Msg("Messages per minute at most", "每分钟最多发送"),
           Msg("Mailboxes block accounts that send too fast.", "发送过快会被邮箱服务商限制。")),
        kv("daily_cap", 100, Msg("Messages per day at most", "每天最多发送"),
           Msg("The rest wait for the next day; QQ and 163 mailboxes allow a few hundred a day.",
               "超出部分顺延到第二天;QQ、163 邮箱每天限额约数百封。")),
        kv("send_days", "", Msg("Sending days", "发送日"),
           Msg("e.g. working days (holidays off, make-up days on), Mon-Fri, 周二至周四; empty: any day. A template "
               "may set its own.", "例如 工作日(节假日不发,调休上班日照发)、周一至周五、Tue-Thu;留空:每天。模板可单独设置。")),
        kv("send_hours", "", Msg("Sending hours", "发送时段"),
           Msg("e.g. 9-18 or 9:30-17:00; empty: any time. Messages outside wait for the next window.",
               "例如 9-18 或 9:30-17:00;留空:不限。时段外的邮件等到下一个时段再发。")),
        kv("cc_owner", "no", Msg("Copy (CC) the owner", "抄送负责人"),
           Msg("yes: each customer's owner gets a copy (their address is in the block below).",
               "是:抄送该客户的负责人(地址填在下方的负责人联系方式中)。")),
        kv("min_days", MIN_DAYS, Msg("At most one message per customer every (days)", "同一客户至少间隔(天)"),
           Msg("Appointment reminders are always sent.", "预约提醒不受此限制。")),
        kv("smtp_certificate", "", Msg("Server certificate (file)", "服务器证书(文件)"),
           Msg("Only for a server with its own certificate (self-signed, or your company's CA): its .pem/.crt file, "
               "beside the workbook or a full path. Empty: the system's trusted certificates.",
               "仅用于使用自有证书的服务器(自签名或公司内部 CA):证书文件(.pem/.crt),放在工作簿旁边或填完整路径。"
               "留空:使用系统信任的证书。")),
    ],
)

OWNERS = Block(
    "owners", Msg("Owners' contact details", "负责人联系方式"),
    (Col("owner", "Owner", "负责人"), Col("email", "E-mail", "邮箱"), Col("phone", "Phone", "电话")),
    lambda: [],
    key="owner",
    note=Msg("Addresses get the daily digest and, when asked, a copy of their customers' mail; "
             "the phone goes into the signature.",
             "邮箱用于接收每日待办汇总和抄送;电话用于邮件签名。"),
)

BAD_SETTING = Msg("Settings sheet, {block}, '{setting}': {why}", "设置表“{block}”中的“{setting}”:{why}")
BAD_SECURITY = Msg("'{value}' is not one of ssl, starttls, none", "“{value}”不是 ssl、starttls、none 之一")
BAD_NUMBER = Msg("'{value}' is not a whole number", "“{value}”不是整数")
BELOW_ZERO = Msg("'{value}' is below 0: write a whole number, 0 or more", "“{value}”小于 0:请填写 0 或更大的整数")
NO_HOST = Msg("no SMTP server is set (e.g. smtp.qq.com)", "未填写发信服务器(例如 smtp.qq.com)")
BAD_HOST = Msg("'{value}' is not a server name; write it alone, e.g. smtp.qq.com (the port goes in smtp_port)",
               "“{value}”不是服务器地址;只填服务器名,例如 smtp.qq.com(端口填在 smtp_port)")
BAD_FROM = Msg("'{value}' is not an e-mail address; write the address alone, e.g. sales@example.com, and the name "
               "in from_name", "“{value}”不是邮箱地址;只填地址,例如 sales@example.com,名称填在 from_name")
PLAIN_LOGIN_ALLOWED = Msg("Warning: the login and password go to the server without encryption ('smtp_plain_login' "
                          "is yes); keep this for a relay inside your own network only.",
                          "注意:账号和密码以不加密的方式发给服务器(“smtp_plain_login”为 是);仅限公司内网的转发服务器。")
NO_FROM = Msg("no sender address: fill in the login or the sender address",
              "没有发件地址:请填写登录账号或发件地址")


@dataclass(frozen=True)
class Owner:
    name: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SenderProfile:
    host: str
    port: int
    security: str
    user: str
    from_address: str
    from_name: str
    company: str
    rate_per_minute: float
    daily_cap: int
    window: SendWindow
    cc_owner: bool
    min_days: int
    owners: dict[str, Owner] = field(default_factory=dict)
    certificate: str = ""  # a certificate file to trust besides the system's (self-signed or company CA)
    plain_login: bool = False  # a login over an unencrypted connection, asked for on purpose (a local relay)

    def beside(self, folder: Path) -> "SenderProfile":
        """The certificate file read relative to the workbook's folder."""
        if not self.certificate or Path(self.certificate).expanduser().is_absolute():
            return replace(self, certificate=str(Path(self.certificate).expanduser()) if self.certificate else "")
        return replace(self, certificate=str(folder / self.certificate))

    def require_server(self) -> None:
        """Before sending: a server and a sender address must be known."""
        if not self.host:
            raise XlcrmError(_bad("smtp_host", NO_HOST))
        if not self.from_address:
            raise XlcrmError(_bad("from_address", NO_FROM))

    def warnings(self) -> list[Msg]:
        """What a run says every time about how it sends (a password crossing the network in clear)."""
        return [PLAIN_LOGIN_ALLOWED] if self.security == "none" and self.user and self.plain_login else []


_SCHEME = re.compile(r"^(?P<scheme>[a-z]+)://", re.IGNORECASE)
_HOST = re.compile(r"^[\w.-]+$|^\[[0-9a-fA-F:.]+\]$")
SECURITY_SPELLINGS = {"ssl/tls": "ssl", "tls/ssl": "ssl", "smtps": "ssl", "start tls": "starttls",
                      "start-tls": "starttls", "plain": "none", "无": "none", "不加密": "none"}


def _server(value: str) -> tuple[str, int | None, str | None]:
    """'smtps://smtp.qq.com:465/' -> ('smtp.qq.com', 465, 'ssl'): what is unambiguous is accepted."""
    if not value:
        return "", None, None
    text, implied = value.strip().rstrip("/"), None
    scheme = _SCHEME.match(text)
    if scheme:
        implied = {"smtps": "ssl", "ssl": "ssl"}.get(scheme["scheme"].lower())
        text = text[scheme.end():]
    host, _, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    if not text or not _HOST.match(host) or (port and not port.isdigit()):
        raise XlcrmError(_bad("smtp_host", BAD_HOST(value=value)))
    return host, int(port) if port else None, implied


def _security(value: str) -> str:
    text = value.strip().lower()
    return SECURITY_SPELLINGS.get(text, text)


def _from(address: str, name: str) -> tuple[str, str]:
    """A from address typed as '张三 <a@b.cn>' gives the name too (the from_name cell wins when filled)."""
    given_name, bare = split_from(address)
    if address and (bare.count("@") != 1 or any(c in bare for c in " <>,;\"")):
        raise XlcrmError(_bad("from_address", BAD_FROM(value=address)))
    return name or given_name, bare


def _bad(key: str, why: Msg) -> Msg:
    return BAD_SETTING(block=SENDER.title, setting=key, why=why)


def _int(settings: Settings, key: str, value: Any, default: int) -> int:
    text = clean_text(value)
    if not text:
        return default
    number = settings.number(key, "sender")
    if number is None or number != int(number):
        raise XlcrmError(_bad(key, BAD_NUMBER(value=text)))
    if number < 0:
        raise XlcrmError(_bad(key, BELOW_ZERO(value=text)))
    return int(number)


def owners_of(settings: Settings) -> dict[str, Owner]:
    rows = settings.rows(OWNERS.id)
    return {clean_text(r.get("owner")): Owner(clean_text(r.get("owner")), clean_text(r.get("email")),
                                              clean_text(r.get("phone")))
            for r in rows if clean_text(r.get("owner"))}


def with_owners(settings: Settings, names: list[str]) -> Settings:
    """The owners found in the customer sheet listed in the settings, so users see where to type addresses."""
    rows = list(settings.rows(OWNERS.id))
    known = {clean_text(r.get("owner")) for r in rows}
    rows += [{"owner": n, "email": None, "phone": None} for n in dict.fromkeys(names) if n and n not in known]
    return replace(settings, blocks={**settings.blocks, OWNERS.id: rows})


def sender_profile(settings: Settings, overrides: dict[str, Any] | None = None) -> SenderProfile:
    """The profile from the settings sheet, with the command line's overrides on top."""
    given = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}
    text = {key: clean_text(given.get(key, settings.value(key, "sender"))) for key in
            ("smtp_host", "smtp_port", "smtp_security", "smtp_user", "from_address", "from_name", "company",
             "send_days", "send_hours", "smtp_certificate")}
    user = text["smtp_user"]
    host, host_port, implied = _server(text["smtp_host"])
    security = _security(text["smtp_security"]) or implied or "ssl"
    guessed = not host and "@" in user and user.rsplit("@", 1)[1].lower() in PROVIDERS
    if guessed:
        host, security = PROVIDERS[user.rsplit("@", 1)[1].lower()]
    if security not in SECURITY:
        raise XlcrmError(_bad("smtp_security", BAD_SECURITY(value=text["smtp_security"])))
    port = given.get("smtp_port") or _int(settings, "smtp_port", text["smtp_port"],
                                          host_port or DEFAULT_PORTS.get(security, 25))
    if guessed:  # a well-known mailbox on its other port (QQ, 163 and Outlook take 587 with starttls too)
        security = {465: "ssl", 587: "starttls"}.get(int(port), security)
    from_name, from_address = _from(text["from_address"], text["from_name"])
    window = parse_window(text["send_days"], text["send_hours"], lambda key, why: XlcrmError(_bad(key, why)))
    return SenderProfile(
        host=host, port=int(port), security=security, user=user,
        from_address=from_address or user, from_name=from_name, company=text["company"],
        rate_per_minute=float(settings.number("rate_per_minute", "sender", 20) or 0),
        daily_cap=_int(settings, "daily_cap", settings.value("daily_cap", "sender"), 100),
        window=window, cc_owner=settings.flag("cc_owner", "sender"),
        min_days=_int(settings, "min_days", settings.value("min_days", "sender"), MIN_DAYS),
        owners=owners_of(settings), certificate=text["smtp_certificate"],
        plain_login=settings.flag("smtp_plain_login", "sender"))


_ADDRESS = re.compile(r"^\s*(?P<name>.*?)\s*<(?P<addr>[^<>]+)>\s*$")


def split_from(value: str) -> tuple[str, str]:
    """'恒信销售部 <sales@x.cn>' -> (name, address); a bare address has no name."""
    match = _ADDRESS.match(value or "")
    return (match["name"].strip('" '), match["addr"].strip()) if match else ("", (value or "").strip())
