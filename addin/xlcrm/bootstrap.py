"""Wiring the real adapters in: the CLI and the ribbon get their book (and later mailer) here."""

from __future__ import annotations

import os

from xlcrm.book.file import FileBook


def file_book(path: str | os.PathLike) -> FileBook:
    return FileBook(path)
