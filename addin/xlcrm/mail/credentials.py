"""The SMTP password: from XLCRM_SMTP_PASSWORD (scheduled jobs) or the OS keyring, never from the workbook.

The keyring entry is yagmail's (service 'yagmail', the login as user name), so a mailbox already
registered with yagmail works as it is. The password is never printed or written anywhere.
"""

from __future__ import annotations

import os

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

ENV = "XLCRM_SMTP_PASSWORD"
SERVICE = "yagmail"

NO_PASSWORD = Msg("No password for {user}: run `xlcrm password BOOK.xlsx` once to keep it in the system keyring, "
                  "or set the environment variable XLCRM_SMTP_PASSWORD (for a scheduled job). Nothing was sent.",
                  "没有 {user} 的密码:请运行一次 `xlcrm password 工作簿.xlsx` 把密码存入系统钥匙串,"
                  "或设置环境变量 XLCRM_SMTP_PASSWORD(定时任务)。未发送任何邮件。")
NO_KEYRING = Msg("The system keyring cannot be used here ({why}); set XLCRM_SMTP_PASSWORD instead.",
                 "此处无法使用系统钥匙串({why});请改用环境变量 XLCRM_SMTP_PASSWORD。")


FROM_ENV = Msg("the password came from the environment variable XLCRM_SMTP_PASSWORD (it is used before the keyring): "
               "correct it there.", "密码取自环境变量 XLCRM_SMTP_PASSWORD(优先于钥匙串):请在那里改正。")
FROM_KEYRING = Msg("the password came from the system keyring: run `xlcrm password BOOK.xlsx` to replace it.",
                   "密码取自系统钥匙串:请运行 `xlcrm password 工作簿.xlsx` 重新保存。")


def password_origin(user: str) -> Msg:
    """Where password_for(user) finds the password, for a refused login's message."""
    return FROM_ENV if os.environ.get(ENV) else FROM_KEYRING


def password_for(user: str) -> str:
    """The password to log in as user; an XlcrmError saying how to provide one if there is none."""
    from_env = os.environ.get(ENV)
    if from_env:
        return from_env
    try:
        import keyring
        from keyring.errors import KeyringError

        stored = keyring.get_password(SERVICE, user)
    except (ImportError, RuntimeError) as error:
        raise XlcrmError(NO_KEYRING(why=type(error).__name__)) from None
    except KeyringError as error:
        raise XlcrmError(NO_KEYRING(why=str(error) or type(error).__name__)) from None
    if not stored:
        raise XlcrmError(NO_PASSWORD(user=user))
    return stored


def store_password(user: str, password: str) -> None:
    """Keep the password in the OS keyring, where yagmail looks for it."""
    try:
        import yagmail
        from keyring.errors import KeyringError

        yagmail.register(user, password)
    except (ImportError, RuntimeError) as error:
        raise XlcrmError(NO_KEYRING(why=type(error).__name__)) from None
    except KeyringError as error:
        raise XlcrmError(NO_KEYRING(why=str(error) or type(error).__name__)) from None


def forget_password(user: str) -> bool:
    try:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        keyring.delete_password(SERVICE, user)
        return True
    except PasswordDeleteError:
        return False
    except (ImportError, RuntimeError, KeyringError) as error:
        raise XlcrmError(NO_KEYRING(why=str(error) or type(error).__name__)) from None


STORE_ENV, STORE_SERVICE = "XLCRM_STORE_PASSWORD", "xlcrm-store"


def store_secret(user: str, host: str) -> str | None:
    """The team store's password: XLCRM_STORE_PASSWORD, else the keyring's entry 'xlcrm-store' for USER@HOST
    (`keyring set xlcrm-store USER@HOST`), else None (a store that needs none: SQLite, a trusted login).
    host: as the URL writes it (TEAMPC); an entry under the lower-cased host (teampc) is found too."""
    from_env = os.environ.get(STORE_ENV)
    if from_env or not user:
        return from_env or None
    try:
        import keyring
        from keyring.errors import KeyringError

        for name in dict.fromkeys((f"{user}@{host}", f"{user}@{host.lower()}")):
            found = keyring.get_password(STORE_SERVICE, name)
            if found:
                return found
        return None
    except (ImportError, RuntimeError, KeyringError):
        return None  # no usable keyring: the login says what is missing
