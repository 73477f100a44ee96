"""In team mode no message goes out without its reservation in the store: with the store set but out of reach a send
stops before the first message (a preview still works from the workbook alone, and says what it cannot know), and a
store that goes away between the sync and the reservation stops the send the same way; the next run sends them once."""

from __future__ import annotations

import socket
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import TODAY, make_book
from helpers.mailbook import point_at
from xlcrm import bootstrap
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError
from xlcrm.mail.journal import Journal, journal_path
from xlcrm.mail.smtp import SmtpMailer


def delivered(server) -> Counter:
    return Counter((r.rcpt_tos[0], r.message["Subject"]) for r in server.received)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sent_in_journal(book: Path) -> int:
    history = Journal(journal_path(book.parent, book.name)).history()
    return int(history["state"].isin(["sent", "sending"]).sum()) if len(history) else 0


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_with_the_store_down_a_send_stops_before_the_first_message(tmp_path, mail_server, monkeypatch, where):
    book = make_book(tmp_path, customers=20)
    expected, _ = point_at(book, mail_server)
    assert expected
    down = (f"sqlite:///{tmp_path / 'unplugged-drive' / 'team.db'}" if where == "sqlite"
            else f"postgresql://xlcrm@127.0.0.1:{_closed_port()}/team")
    monkeypatch.setenv("XLCRM_STORE", down)
    monkeypatch.setenv("XLCRM_STORE_PASSWORD", "pw")
    before = book.read_bytes()
    with pytest.raises(XlcrmError) as stopped:
        remind(FileBook(book), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30),
               team=bootstrap.store_connector(timeout=2))
    assert "Nothing was sent" in stopped.value.msg.text("en") and "未发送任何邮件" in stopped.value.msg.text("zh")
    assert "cannot be reached" in stopped.value.msg.text("en")
    assert not mail_server.received and _sent_in_journal(book) == 0
    assert book.read_bytes() == before  # nothing marked as sent in the workbook either
    preview = remind(FileBook(book), RemindRequest(today=TODAY), team=bootstrap.store_connector(timeout=2))
    assert (preview.plan["decision"] == "send").sum() == sum(expected.values())  # a dry run works alone
    assert any("not known" in line for line in preview.lines("en"))
    assert any("不知道其他工作簿" in line for line in preview.lines("zh"))


class _StoreGoesAway:
    """A progress callback (called first while the messages are rendered: after the sync, before the reservation)
    that takes the store away for real: another connection locks the SQLite file, or PostgreSQL stops letting
    anyone into the database and ends its sessions."""

    def __init__(self, url: str):
        self.url, self.lock, self.done = url, None, False

    def __call__(self, items, total, label):
        if not self.done:
            self.done = True
            if self.url.startswith("sqlite"):
                self.lock = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
                self.lock.execute("BEGIN EXCLUSIVE")
            else:
                self._postgres(False)
        return items

    def back(self) -> None:
        if self.lock is not None:
            self.lock.execute("ROLLBACK")
            self.lock.close()
        elif self.done:
            self._postgres(True)

    def _postgres(self, allow: bool) -> None:
        from helpers.postgres import PASSWORD

        target = sa.make_url(self.url)
        admin = sa.create_engine(target.set(drivername="postgresql+psycopg", password=PASSWORD, database="postgres"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{target.database}" ALLOW_CONNECTIONS {str(allow).lower()}')
            if not allow:
                connection.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                           "WHERE datname = :name AND pid <> pg_backend_pid()"),
                                   {"name": target.database})
        admin.dispose()


def test_a_store_gone_between_the_sync_and_the_reservation_stops_the_send(tmp_path, store_url, mail_server,
                                                                         monkeypatch):
    book = make_book(tmp_path, customers=20)
    expected, _ = point_at(book, mail_server)
    monkeypatch.setenv("XLCRM_STORE", store_url)
    connect = bootstrap.store_connector(timeout=1)
    away = _StoreGoesAway(store_url)
    try:
        with pytest.raises(XlcrmError) as stopped:
            remind(FileBook(book), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), progress=away,
                   team=connect)
    finally:
        away.back()
    assert away.done and "Nothing was sent" in stopped.value.msg.text("en")
    assert not mail_server.received and _sent_in_journal(book) == 0
    again = remind(FileBook(book), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), team=connect)
    assert delivered(mail_server) == expected, "the store back, each message goes out once"
    assert not any("cannot be reached" in line for line in again.lines("en"))
