"""The store's contract, run on SQLite and on PostgreSQL through the same code: identity, contacts, the
send reservation under concurrent writers, ownership, migrations, and a store out of reach."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest
import sqlalchemy as sa

from xlcrm import bootstrap
from xlcrm.core.errors import XlcrmError
from xlcrm.store import Contact, Send, Unreachable
from xlcrm.store.migrations import LATEST, migrate
from xlcrm.store.sql import open_store

NOW = dt.datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def store(store_url):
    opened = bootstrap.store_connector()(store_url)
    yield opened
    opened.close()


def test_one_customer_in_two_workbooks_gets_one_stable_id(store):
    first = store.identify([("华东机电", ["n:华东机电|p:13800000001"]), ("Acme", ["n:acme|e:a@acme.com"])], NOW)
    again = store.identify([("Acme", ["n:acme|e:a@acme.com", "n:acme|p:555123"]),
                            ("华东机电", ["n:华东机电|p:13800000001"]), ("华东机电", ["n:华东机电|p:13900000009"])], NOW)
    assert again[:2] == first[::-1]
    assert again[2] not in first  # same name, another phone: another customer
    assert store.identify([("Acme", ["n:acme|p:555123"])], NOW) == [first[1]]  # the identity the second one added


def test_a_contact_synced_twice_counts_once_and_the_latest_day_wins(store):
    [customer] = store.identify([("Acme", ["n:acme"])], NOW)
    calls = [Contact("k1", customer, dt.date(2026, 11, 1), "phone", "", "Ann", "log"),
             Contact("k2", customer, dt.date(2026, 11, 20), "visit", "", "Bob", "log")]
    assert store.add_contacts("book-a", calls) == 2
    assert store.add_contacts("book-a", calls) == 0
    assert store.last_contacts([customer]) == {customer: dt.date(2026, 11, 20)}


def test_two_writers_reserving_the_same_fifty_messages_at_once_share_them_out(store_url):
    """Two connections (two PCs) reserve the same keys at the same moment: each key is held by exactly one."""
    connect = bootstrap.store_connector()
    first, second = connect(store_url), connect(store_url)
    ids = first.identify([(f"c{i}", [f"n:c{i}"]) for i in range(50)], NOW)
    wanted = [Send(f"{i}|followup|2026-11-23", i) for i in ids]
    held: dict[str, set[str]] = {}
    start = threading.Barrier(2)

    def reserve(name, store, order):
        start.wait()
        held[name] = store.reserve(name, order, NOW)

    threads = [threading.Thread(target=reserve, args=("a", first, wanted)),
               threading.Thread(target=reserve, args=("b", second, wanted[::-1]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert held["a"].isdisjoint(held["b"]) and len(held["a"] | held["b"]) == 50
    assert first.reserve("a", wanted, NOW) == held["a"]  # a re-run after a crash holds its own again
    first.settle("a", sorted(held["a"]), [], NOW)
    second.settle("b", [], sorted(held["b"]), NOW)  # b could not send: released, a may take them
    assert first.reserve("a", wanted, NOW) == held["b"]
    first.close()
    second.close()


def test_sends_journaled_offline_reach_the_store_once(store):
    [customer] = store.identify([("Acme", ["n:acme"])], NOW)
    went = [Send(f"{customer}|birthday|2026-11-20", customer)]
    assert store.record_sent("book-a", went, NOW) == 1
    assert store.record_sent("book-a", went, NOW) == 0
    assert store.reserve("book-b", went, NOW) == set()  # nobody sends it again
    assert store.status().sends == 1


def test_a_typed_owner_goes_to_the_store_and_a_reassignment_comes_back_without_overwriting_a_typed_one(store):
    a, b = store.identify([("Acme", ["n:acme"]), ("Bolt", ["n:bolt"])], NOW)
    assert store.merge_owners("book", {a: "Ann", b: "Ann"}, NOW) == {a: "Ann", b: "Ann"}
    assert store.reassign("ann", "Carol", NOW) == 2  # spelled differently: still Ann
    # Bolt's cell was retyped to Dan in the workbook meanwhile: the team's word stays, and goes to the store
    assert store.merge_owners("book", {a: "Ann", b: "Dan"}, NOW) == {a: "Carol", b: "Dan"}
    assert store.status().owners == {"Carol": 1, "Dan": 1}
    assert store.merge_owners("book", {a: "Carol", b: "Dan"}, NOW) == {a: "Carol", b: "Dan"}


def store_of_schema(connect, store_url: str, version: int):
    """The store's database made to exist, then rolled back by hand to an older schema: its engine."""
    first = connect(store_url)
    first.close()
    engine = first.engine
    with engine.begin() as connection:
        for table in ("placements", "ownership", "sends", "contacts", "customer_keys", "customers", "workbooks",
                      "schema_version"):
            connection.exec_driver_sql(f"DROP TABLE {table}")
    assert migrate(engine, upto=version) == version
    return engine


def test_a_store_made_by_the_first_schema_is_migrated_with_its_data(store_url):
    connect = bootstrap.store_connector()
    engine = store_of_schema(connect, store_url, 1)
    with engine.begin() as connection:
        assert "owner" not in {c["name"] for c in sa.inspect(connection).get_columns("customers")}
        connection.exec_driver_sql("INSERT INTO customers (name, created_at) VALUES ('Acme', '2026-01-01')")
        connection.exec_driver_sql("INSERT INTO customer_keys VALUES ('n:acme', 1)")
    engine.dispose()
    store = connect(store_url)
    assert store.status().version == LATEST == 3
    assert store.identify([("Acme", ["n:acme"])], NOW) == [1]
    [customer] = store.identify([("Acme", ["n:acme"])], NOW)
    assert store.merge_owners("book", {customer: "Ann"}, NOW) == {customer: "Ann"}
    store.close()


def test_a_store_of_schema_2_gains_the_send_address_and_keeps_its_sends(store_url):
    connect = bootstrap.store_connector()
    engine = store_of_schema(connect, store_url, 2)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO customers (name, created_at) VALUES ('Acme', '2026-01-01')")
        connection.exec_driver_sql("INSERT INTO customer_keys VALUES ('n:acme', 1)")
        connection.exec_driver_sql("INSERT INTO sends VALUES ('1|followup|2026-11-20', 1, 'book-a', 'sent', "
                                   "'2026-11-22 10:00:00')")
    engine.dispose()
    store = connect(store_url)
    try:
        assert store.status().version == 3 and store.status().sends == 1
        with store.engine.connect() as connection:
            assert "address" in {c["name"] for c in sa.inspect(connection).get_columns("sends")}
        again = Send("1|followup|2026-11-23", 1, dt.date(2026, 11, 21), ("followup",), "a@acme.com")
        assert store.reserve("book-b", [again], NOW) == set()  # the old send still holds by its customer
    finally:
        store.close()


def test_an_xlcrm_knowing_schema_2_refuses_the_store_saying_to_update(store_url, monkeypatch):
    """Schema 2 did not say that a contact of source 'mail' is no personal contact, and the xlcrm before it read every
    contact as one: schema 3 makes an xlcrm that knows 2 alone refuse the store rather than misread it."""
    bootstrap.store_connector()(store_url).close()  # made at the newest schema
    monkeypatch.setattr("xlcrm.store.migrations.LATEST", 2)  # what an xlcrm of schema 2 knows
    with pytest.raises(XlcrmError) as refused:
        bootstrap.store_connector()(store_url)
    assert "newer xlcrm (schema 3, this one knows 2)" in refused.value.msg.text("en")
    assert "结构版本 3" in refused.value.msg.text("zh")


def test_a_store_out_of_reach_says_so_within_the_timeout(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(Unreachable):
        open_store(f"postgresql://xlcrm@127.0.0.1:{port}/team", "pw", timeout=2)
    with pytest.raises(Unreachable):
        open_store(f"sqlite:///{tmp_path / 'not-mounted' / 'team.db'}", timeout=2)
    assert time.monotonic() - started < 10


def test_no_store_set_means_no_store(monkeypatch):
    monkeypatch.delenv("XLCRM_STORE", raising=False)
    assert bootstrap.store_connector()("") is None


def test_the_environment_wins_over_the_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("XLCRM_STORE", f"sqlite:///{tmp_path / 'env.db'}")
    store = bootstrap.store_connector()(f"sqlite:///{tmp_path / 'settings.db'}")
    store.close()
    assert (tmp_path / "env.db").exists() and not (tmp_path / "settings.db").exists()
