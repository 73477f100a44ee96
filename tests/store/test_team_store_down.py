"""In team mode no message goes out without its reservation in the store: with the store set but out of reach a send
stops before the first message (a preview still works from the workbook alone, and says what it cannot know), and a
store that goes away between the sync and the reservation stops the send the same way; the next run sends them once.
A store that goes away in the middle of the batch stops it before the next message: the store can no longer record
what goes out, so the rest stay unsent (and reserved for this workbook), and the next run sends them once."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import TODAY, make_book
from helpers.mailbook import point_at
from helpers.store_away import StoreGoesAway
from xlcrm import bootstrap
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.actions.team import status
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


def test_a_store_gone_between_the_sync_and_the_reservation_stops_the_send(tmp_path, store_url, mail_server,
                                                                         monkeypatch):
    book = make_book(tmp_path, customers=20)
    expected, _ = point_at(book, mail_server)
    monkeypatch.setenv("XLCRM_STORE", store_url)
    connect = bootstrap.store_connector(timeout=1)
    away = StoreGoesAway(store_url)
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


class _AwayAfterFirst:
    """A real SMTP mailer whose first message, once the server took it, takes the store away (`away.away()`)."""

    def __init__(self, mailer: SmtpMailer, away: "StoreGoesAway | _SessionsEnded"):
        self.mailer, self.away, self.backoff = mailer, away, mailer.backoff

    def connect(self, profile):
        connection, away = self.mailer.connect(profile), self.away

        class _Connection:
            def send(self, sender, recipients, payload):
                delivery = connection.send(sender, recipients, payload)
                away.away()
                return delivery

            def close(self):
                connection.close()

        return _Connection()


def test_a_store_gone_in_the_middle_of_the_batch_stops_it(tmp_path, store_url, mail_server, monkeypatch):
    book = make_book(tmp_path, customers=20)
    expected, _ = point_at(book, mail_server)
    assert sum(expected.values()) >= 3
    monkeypatch.setenv("XLCRM_STORE", store_url)
    connect = bootstrap.store_connector(timeout=1)
    away = StoreGoesAway(store_url)
    try:
        result = remind(FileBook(book), RemindRequest(today=TODAY, send=True),
                        _AwayAfterFirst(SmtpMailer(timeout=30), away), team=connect)
    finally:
        away.back()
    assert away.done and len(mail_server.received) == 1, "messages went out after the store stopped answering"
    assert _sent_in_journal(book) == 1
    decisions = Counter(result.plan["decision"])
    assert decisions["sent"] == 1 and decisions["unsent"] == sum(expected.values()) - 1
    en, zh = "\n".join(result.lines("en")), "\n".join(result.lines("zh"))
    assert "stopped answering during the sending" in en and "after 1 message had gone out" in en
    assert "were not sent" in en and "团队数据库停止响应" in zh and "其余邮件未发送" in zh
    assert not any("Nothing was sent" in line for line in result.lines("en"))
    again = remind(FileBook(book), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), team=connect)
    assert delivered(mail_server) == expected, "the store back, the rest go out, each message once"
    assert again.stopped is None and status(connect, store_url).status.sends == sum(expected.values())


class _SessionsEnded:
    """PostgreSQL ends xlcrm's sessions but still lets it in (a restart, a dropped link), once."""

    def __init__(self, url: str):
        self.url, self.done = url, False

    def away(self) -> None:
        if self.done:
            return
        self.done = True
        from helpers.postgres import PASSWORD

        target = sa.make_url(self.url)
        admin = sa.create_engine(target.set(drivername="postgresql+psycopg", password=PASSWORD, database="postgres"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            ended = connection.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                               "WHERE datname = :name AND pid <> pg_backend_pid()"),
                                       {"name": target.database}).scalar_one()
        admin.dispose()
        assert ended >= 1


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)  # sessions ended from outside: PostgreSQL's
def test_a_session_ended_in_the_middle_of_the_batch_is_opened_again_and_the_batch_goes_on(tmp_path, store_url,
                                                                                          mail_server, monkeypatch):
    """The store still answers (a new session): it can record the sends, so the batch goes on, each message once."""
    book = make_book(tmp_path, customers=20)
    expected, _ = point_at(book, mail_server)
    monkeypatch.setenv("XLCRM_STORE", store_url)
    connect = bootstrap.store_connector(timeout=1)
    ended = _SessionsEnded(store_url)
    result = remind(FileBook(book), RemindRequest(today=TODAY, send=True),
                    _AwayAfterFirst(SmtpMailer(timeout=30), ended), team=connect)
    assert ended.done and result.stopped is None
    assert delivered(mail_server) == expected
    assert status(connect, store_url).status.sends == sum(expected.values())
