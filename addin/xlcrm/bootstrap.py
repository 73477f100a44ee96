"""Wiring the real adapters in: the CLI and the ribbon get their book (and later mailer) here."""

from __future__ import annotations

import os

from xlcrm.book.file import FileBook


def file_book(path: str | os.PathLike) -> FileBook:
    return FileBook(path)


def live_book(xw_book):
    """The workbook open in Excel (an xlwings Book), for the ribbon."""
    from xlcrm.book.live import LiveBook

    return LiveBook(xw_book)


def mailer():
    """The real mailer: SMTP through yagmail, the password from the OS keyring or XLCRM_SMTP_PASSWORD."""
    from xlcrm.mail.smtp import SmtpMailer

    return SmtpMailer()
