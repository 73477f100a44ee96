"""The team store's URL, read before anything connects: sqlite:///PATH or postgresql://USER@HOST[:PORT]/DATABASE.

A URL that cannot be read is the user's to correct, so it is an XlcrmError that names what is wrong; its text never
repeats the URL's user-and-host part, where a password with an unencoded '@' or ':' would show (SQLAlchemy hides
a password only in a URL it could read).
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

SQLITE = ("sqlite", "sqlite+pysqlite")
POSTGRESQL = ("postgresql", "postgres", "postgresql+psycopg")
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<rest>.*)$", re.DOTALL)

FORMS = Msg("A store URL is sqlite:///PATH (one PC) or postgresql://USER@HOST[:PORT]/DATABASE (a team).",
            "数据库地址的格式为 sqlite:///路径(单机)或 postgresql://用户@主机[:端口]/数据库(团队)。")
PASSWORD_HINT = Msg("If the URL holds a password with @ : / # ? or %, percent-encode them (@ is %40, : is %3A, / is "
                    "%2F, # is %23, ? is %3F, % is %25), or leave the password out of the URL and set "
                    "XLCRM_STORE_PASSWORD or `keyring set xlcrm-store USER@HOST`.",
                    "如果地址中的密码含有 @ : / # ? 或 %,请进行百分号编码(@ 写作 %40,: 写作 %3A,/ 写作 %2F,"
                    "# 写作 %23,? 写作 %3F,% 写作 %25);或者不要把密码写在地址里,改用环境变量 XLCRM_STORE_PASSWORD"
                    "或 `keyring set xlcrm-store 用户@主机`。")
NOT_A_URL = Msg("The team store (setting `store` or XLCRM_STORE) is not a URL. {forms} A file path is written "
                "sqlite:///C:/Users/ann/xlcrm-team.db.",
                "团队数据库(设置项 store 或 XLCRM_STORE)不是有效的地址。{forms}文件路径应写成 "
                "sqlite:///C:/Users/ann/xlcrm-team.db。")
UNSUPPORTED = Msg("The team store's URL names the database driver '{driver}', which xlcrm does not support: it "
                  "works with SQLite (sqlite://) and PostgreSQL (postgresql://, through psycopg 3). {forms}",
                  "团队数据库地址使用的驱动“{driver}”不受支持:xlcrm 只支持 SQLite(sqlite://)和 PostgreSQL"
                  "(postgresql://,通过 psycopg 3)。{forms}")
UNREADABLE = Msg("The team store's URL cannot be read: {what}. {forms} {hint}",
                 "无法读取团队数据库地址:{what}。{forms}{hint}")
BAD_PORT = Msg("the port is not a number from 1 to 65535", "端口不是 1 到 65535 之间的数字")
MANY_AT = Msg("it holds more than one '@', so where the password ends and the host begins cannot be told (the "
              "password's own '@' is written %40)", "地址中有多个“@”,无法分辨密码在哪里结束、主机从哪里开始"
              "(密码中的“@”应写作 %40)")
NO_PATH = Msg("it names no file (sqlite:///PATH; an in-memory database is no one's to share)",
              "没有文件路径(sqlite:///路径;内存数据库无法共享)")
OTHER = Msg("its form is not one xlcrm reads", "格式无法识别")


def store_url(url: str) -> sa.URL:
    """The URL, its driver set to the one xlcrm uses; an XlcrmError naming what is wrong (never the password)."""
    match = _SCHEME.match(url.strip())
    if not match:
        raise XlcrmError(NOT_A_URL(forms=FORMS))
    scheme = match["scheme"].lower()
    if scheme not in SQLITE + POSTGRESQL:
        raise XlcrmError(UNSUPPORTED(driver=scheme if len(scheme) <= 40 else scheme[:40] + "…", forms=FORMS))
    try:
        target = sa.make_url(url.strip())
        port = target.port  # read here: a port that is no number fails in SQLAlchemy only now, or at connect
    except (ValueError, TypeError, sa.exc.ArgumentError):
        target, port = None, None
    if scheme in SQLITE:
        if target is None or not target.database:
            raise XlcrmError(_unreadable(OTHER if target is None else NO_PATH))
        return target.set(drivername="sqlite")
    if match["rest"].count("@") > 1:
        raise XlcrmError(_unreadable(MANY_AT))
    if target is None or (port is not None and not 0 < port < 65536):
        raise XlcrmError(_unreadable(BAD_PORT))
    return target.set(drivername="postgresql+psycopg")


def login(url: str) -> tuple[str, str]:
    """(user, host as written) of the store's URL, for the keyring's entry USER@HOST; an XlcrmError if unreadable."""
    target = store_url(url)
    return target.username or "", target.host or ""


def _unreadable(what: Msg) -> Msg:
    return UNREADABLE(what=what, forms=FORMS, hint=PASSWORD_HINT)
