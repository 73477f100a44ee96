import datetime as dt
import os
from pathlib import Path

import pytest

from xlcrm.book import file as file_book
from xlcrm.core.sample import SHEET_NAMES, make_sample

TODAY = dt.date(2026, 11, 23)

# xlwings' remote-interpreter Book stands in for Excel in the live back-end's tests; xlwings accepts
# this key for noncommercial use such as this project's tests. Set before xlwings is first imported.
# The product itself never needs a key (tests/excel/test_ribbon.py checks that).
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def make_book(folder: Path, lang: str = "zh", customers: int = 40, seed: int = 7, today: dt.date = TODAY) -> Path:
    """A sample tracking workbook on disk, as `xlcrm sample` writes it."""
    return file_book.create(folder / f"{SHEET_NAMES[lang][0]}.xlsx", make_sample(customers, lang, seed, today))


@pytest.fixture
def zh_book(tmp_path: Path) -> Path:
    return make_book(tmp_path, "zh")


@pytest.fixture
def en_book(tmp_path: Path) -> Path:
    return make_book(tmp_path, "en")


@pytest.fixture
def mail_server(tmp_path, monkeypatch):
    """A real SMTP server on loopback with implicit TLS and AUTH; the client trusts its certificate."""
    from helpers.smtp_server import PASSWORD, MailServer

    folder = tmp_path / "server"
    folder.mkdir()
    server = MailServer(folder, "ssl").start()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    yield server
    server.stop()


@pytest.fixture
def ready(zh_book, mail_server):
    """A workbook previewed once and given the server's settings; (recipient, subject) of the messages a send
    should deliver, counted."""
    from helpers.mailbook import point_at

    return zh_book, point_at(zh_book, mail_server)[0]


@pytest.fixture
def memory_keyring():
    """The keyring `xlcrm password` writes to, held in memory for one test: the machine's stays untouched."""
    import keyring

    from helpers.memory_keyring import MemoryKeyring

    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server on loopback for the whole run (helpers/postgres.py); skips, saying why, without one."""
    from helpers.postgres import postgres_server as server

    yield from server()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path, monkeypatch):
    """A fresh, empty team store's URL, SQLite and PostgreSQL in turn; no password in it: as for a user, it comes
    from XLCRM_STORE_PASSWORD."""
    monkeypatch.delenv("XLCRM_STORE", raising=False)
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'team.db'}"
    from helpers.postgres import PASSWORD, new_database

    host, port = request.getfixturevalue("postgres_server")
    monkeypatch.setenv("XLCRM_STORE_PASSWORD", PASSWORD)
    return new_database(host, port)
