"""Wiring the real adapters in: the CLI and the ribbon get their book (and later mailer) here."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlcrm.book.file import FileBook


def file_book(path: str | os.PathLike) -> "FileBook":
    from xlcrm.book.file import FileBook  # here, not at the top: a ribbon button never loads the file back-end

    return FileBook(path)


def live_book(xw_book):
    """The workbook open in Excel (an xlwings Book), for the ribbon."""
    from xlcrm.book.live import LiveBook

    return LiveBook(xw_book)


def mailer():
    """The real mailer: SMTP through yagmail, the password from the OS keyring or XLCRM_SMTP_PASSWORD."""
    from xlcrm.mail.smtp import SmtpMailer

    return SmtpMailer()
