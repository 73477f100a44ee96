"""Wiring the real adapters in: the entry points (cli, ribbon) get the book, the mailer, the team store and the
system's region here, and hand them to the actions as parameters."""

from __future__ import annotations

import atexit
import gc
import locale
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlcrm.book.file import FileBook


def file_book(path: str | os.PathLike, read_ahead: bool = False) -> "FileBook":
    """The workbook on disk; read_ahead: its sheets are read in a second thread from now on (call it before
    importing the action, whose libraries then load while the sheets are read)."""
    from xlcrm.book.file import FileBook  # here, not at the top: a ribbon button never loads the file back-end

    book = FileBook(path)
    if read_ahead:
        book.read_ahead()
    return book


def load_while_reading(book: "FileBook", report: bool = False) -> None:
    """Import now what the command loads later (the file back-end's writing half; the report's charts and page;
    the holiday calendar the settings' defaults name), if the workbook is still being read ahead: that thread
    mostly waits on calamine, which leaves the GIL free, so this takes time the run spends waiting anyway."""
    if not book.reading_ahead:
        return
    from xlcrm.book.file import part_inventory, patch  # noqa: F401
    if report:
        from xlcrm.reports import charts, html  # noqa: F401

        charts.prepare()
    from xlcrm.core.followups.care import default_holidays  # every run's settings list China's holidays

    default_holidays()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one command, resumed after it.

    A command makes a few million objects that live to its end (the sheets' rows and cells) and few in
    reference cycles (2,000-30,000 objects at 10,000 customers, the report's charts most); the collector
    would walk the live ones again and again as they grow: 0.2-0.5 s of a run at 10,000 customers. Memory is
    freed by reference counting as before; what cycles there are wait for the collector's next run after.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def one_command_process() -> None:
    """The process runs one command and ends (the `xlcrm` command line): the collector stays paused to the end,
    and at exit what is still alive is frozen out of its reach, so that Python's shutdown does not walk
    it all once more (as long again as pausing saved: 0.3-0.6 s of a run at 10,000 customers)."""
    gc.disable()
    atexit.register(gc.freeze)


def live_book(xw_book):
    """The workbook open in Excel (an xlwings Book), for the ribbon."""
    from xlcrm.book.live import LiveBook

    return LiveBook(xw_book)


def mailer():
    """The real mailer: SMTP through yagmail, the password from the OS keyring or XLCRM_SMTP_PASSWORD."""
    from xlcrm.mail.smtp import SmtpMailer

    return SmtpMailer()


def store_connector(timeout: float = 5.0):
    """Opens the team store: XLCRM_STORE (it wins for a run) or the settings' `store`; None when both are empty.
    The password comes from XLCRM_STORE_PASSWORD or the keyring, never from the workbook."""

    def connect(url_from_settings: str):
        url = (os.environ.get("XLCRM_STORE") or url_from_settings or "").strip()
        if not url:
            return None
        from xlcrm.mail.credentials import store_secret
        from xlcrm.store.sql import open_store
        from xlcrm.store.url import login

        user, host = login(url)  # a URL that cannot be read: an XlcrmError saying what is wrong, not the password
        return open_store(url, store_secret(user, host), timeout)

    return connect


def system_region() -> str | None:
    """The computer's region as a country code ('US' from en_US.UTF-8, 'CN' from zh_CN), None when unsaid,
    which chooses the holiday calendar when the workbook's settings name none."""
    name = locale.getlocale()[0] or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    code = name.split(".")[0].split("_")[-1] if "_" in name else ""
    return code.upper() if len(code) == 2 and code.isalpha() else None
