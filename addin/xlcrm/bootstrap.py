"""Wiring the real adapters in: the CLI and the ribbon get their book (and later mailer) here."""

from __future__ import annotations

import os

from xlcrm.book.file import FileBook


def file_book(path: str | os.PathLike) -> FileBook:
    return FileBook(path)


def mailer():
    """The real mailer: SMTP through yagmail, the password from the OS keyring or XLCRM_SMTP_PASSWORD."""
    from xlcrm.mail.smtp import SmtpMailer

    return SmtpMailer()
