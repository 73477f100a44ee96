"""The store on SQLAlchemy Core: one code path for SQLite (one machine) and PostgreSQL (a team).

Every write that two PCs could race on is one INSERT that a unique key settles (ON CONFLICT DO NOTHING),
never a read followed by a write: a send reservation, a customer's identity, a contact synced twice. The one
read-then-write, a message held by another workbook's of another key (a follow-up of another due day, or one to the
same address under another customer id), runs under a lock that makes the reservations one at a time (PostgreSQL's
advisory lock; SQLite's write lock, taken at BEGIN).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import contextmanager
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from xlcrm.store import PERSONAL, Contact, Send, TeamStatus, Unreachable, WorkbookStatus, occasion_of
from xlcrm.store.migrations import LATEST, current_version, migrate
from xlcrm.store.schema import contacts, customer_keys, customers, ownership, placements, sends, workbooks
from xlcrm.store.url import store_url

CHUNK = 500  # values per IN (...): well under SQLite's and PostgreSQL's limits on bound parameters
RESERVED, SENT = "reserved", "sent"


def open_store(url: str, password: str | None = None, timeout: float = 5.0) -> "SqlStore":
    """The store at `url` (sqlite:///PATH or postgresql://USER@HOST/DB), its schema brought up to date.

    Unreachable when it does not answer within `timeout` seconds, refuses the login, or the SQLite file's folder
    is missing (a drive not mounted); an XlcrmError when the URL cannot be read (store/url.py). The password is
    never part of a message: SQLAlchemy hides it in URLs, and store_url names what is wrong without the URL.
    """
    target = store_url(url)
    if password and target.get_backend_name() == "postgresql":
        target = target.set(password=password)
    if target.get_backend_name() == "sqlite":
        engine = _sqlite_engine(target, timeout)
    else:
        engine = sa.create_engine(target, connect_args={"connect_timeout": max(1, int(timeout))}, pool_pre_ping=True)
    try:
        migrate(engine)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        engine.dispose()
        raise Unreachable(_why(error)) from None
    return SqlStore(engine)


def _sqlite_engine(target: sa.URL, timeout: float) -> sa.Engine:
    engine = sa.create_engine(target, connect_args={"timeout": timeout})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # SQLAlchemy's recipe: let SQLite's own transactions through
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):  # take the write lock at once: no read-then-upgrade deadlock between two writers
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _why(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _insert(connection: sa.Connection, table: sa.Table):
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _owner_key(name: str | None) -> str:
    return "".join((name or "").split()).casefold()


class SqlStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    @contextmanager
    def _begin(self) -> Iterator[sa.Connection]:
        """A transaction; the network or the file going away on the way is Unreachable, as at the start."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
            raise Unreachable(_why(error)) from None

    def close(self) -> None:
        self.engine.dispose()

    def register(self, workbook_id: str, name: str, path: str, at: dt.datetime) -> None:
        with self._begin() as connection:
            statement = _insert(connection, workbooks).values(id=workbook_id, name=name, path=path, last_sync=at)
            connection.execute(statement.on_conflict_do_update(
                index_elements=["id"], set_={"name": name, "path": path, "last_sync": at}))

    def identify(self, identities: list[tuple[str, list[str]]], at: dt.datetime) -> list[int]:
        keys = sorted({k for _, ks in identities for k in ks})
        with self._begin() as connection:
            known = self._ids_of(connection, keys)
            ids = []
            for name, own in identities:
                found = next((known[k] for k in own if k in known), None)
                if found is None:
                    found = self._add_customer(connection, name, own, at)
                missing = [k for k in own if k not in known]
                if missing:  # an identity this workbook adds (an e-mail the other workbook lacked)
                    connection.execute(_insert(connection, customer_keys).on_conflict_do_nothing(),
                                       [{"identity": k, "customer_id": found} for k in missing])
                    known.update(self._ids_of(connection, missing))
                ids.append(found)
        return ids

    def _ids_of(self, connection: sa.Connection, keys: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            rows = connection.execute(sa.select(customer_keys.c.identity, customer_keys.c.customer_id)
                                      .where(customer_keys.c.identity.in_(chunk)))
            found.update({identity: customer for identity, customer in rows})
        return found

    def _add_customer(self, connection: sa.Connection, name: str, own: list[str], at: dt.datetime) -> int:
        """A new customer, unless another sync added one of its identities a moment ago: then that one."""
        new = connection.execute(sa.insert(customers).values(name=name, created_at=at)
                                 .returning(customers.c.id)).scalar_one()
        connection.execute(_insert(connection, customer_keys).on_conflict_do_nothing(),
                           [{"identity": k, "customer_id": new} for k in own])
        winner = self._ids_of(connection, own[:1])[own[0]]
        if winner != new:
            connection.execute(sa.delete(customer_keys).where(customer_keys.c.customer_id == new))
            connection.execute(sa.delete(customers).where(customers.c.id == new))
        return winner

    def add_contacts(self, workbook_id: str, found: list[Contact]) -> int:
        if not found:
            return 0
        with self._begin() as connection:
            keys = [c.source_key for c in found]
            there = set()
            for chunk in _chunks(keys):
                there |= set(connection.execute(sa.select(contacts.c.source_key)
                                                .where(contacts.c.source_key.in_(chunk))).scalars())
            new = [c for c in {c.source_key: c for c in found}.values() if c.source_key not in there]
            if new:
                connection.execute(_insert(connection, contacts).on_conflict_do_nothing(),
                                   [{"source_key": c.source_key, "customer_id": c.customer_id, "day": c.day,
                                     "channel": c.channel, "note": c.note, "owner": c.owner,
                                     "workbook_id": workbook_id, "source": c.source} for c in new])
        return len(new)

    def last_contacts(self, customer_ids: list[int], sources: tuple[str, ...] = PERSONAL) -> dict[int, dt.date]:
        found: dict[int, dt.date] = {}
        with self._begin() as connection:
            for chunk in _chunks(sorted(set(customer_ids))):
                rows = connection.execute(sa.select(contacts.c.customer_id, sa.func.max(contacts.c.day))
                                          .where(contacts.c.customer_id.in_(chunk), contacts.c.source.in_(sources))
                                          .group_by(contacts.c.customer_id))
                found.update({customer: day for customer, day in rows})
        return found

    def reserve(self, workbook_id: str, wanted: list[Send], at: dt.datetime) -> set[str]:
        wanted = sorted({s.team_key: s for s in wanted}.values(), key=lambda s: s.team_key)  # one lock order
        if not wanted:
            return set()
        with self._begin() as connection:
            if connection.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already runs them one at a time
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(4472)"))  # xlcrm's reservation lock
            barred = self._spaced_out(connection, workbook_id, wanted)
            free = [s for s in wanted if s.team_key not in barred]
            if free:
                connection.execute(_insert(connection, sends).on_conflict_do_nothing(),
                                   [{"team_key": s.team_key, "customer_id": s.customer_id, "address": s.address,
                                     "workbook_id": workbook_id, "state": RESERVED, "at": at} for s in free])
            held: set[str] = set()
            for chunk in _chunks([s.team_key for s in wanted]):
                held |= set(connection.execute(sa.select(sends.c.team_key).where(
                    sends.c.team_key.in_(chunk), sends.c.workbook_id == workbook_id,
                    sends.c.state == RESERVED)).scalars())
        return held

    def _spaced_out(self, connection: sa.Connection, workbook_id: str, wanted: list[Send]) -> set[str]:
        """The wanted sends that other workbooks' sends hold though their keys differ. A regular mail: another
        workbook's send of the same kind, to the same customer or to the same address, since its day (whatever due day
        that one was keyed by). A care message: another workbook's of the same occasion and due day to the same address
        (a customer renamed there is another customer id, not another person). Read inside reserve's transaction,
        which none runs beside."""
        spaced = [s for s in wanted if s.since is not None]
        addresses = sorted({s.address for s in wanted if s.address})
        if not spaced and not addresses:
            return set()
        theirs: set[tuple] = set()  # (team key, customer, address, at)
        if spaced:
            start = dt.datetime.combine(min(s.since for s in spaced if s.since is not None), dt.time())
            for chunk in _chunks(sorted({s.customer_id for s in spaced if s.customer_id is not None})):
                theirs |= {tuple(row) for row in connection.execute(
                    sa.select(sends.c.team_key, sends.c.customer_id, sends.c.address, sends.c.at).where(
                        sends.c.customer_id.in_(chunk), sends.c.workbook_id != workbook_id, sends.c.at >= start))}
        for chunk in _chunks(addresses):
            theirs |= {tuple(row) for row in connection.execute(
                sa.select(sends.c.team_key, sends.c.customer_id, sends.c.address, sends.c.at).where(
                    sends.c.address.in_(chunk), sends.c.workbook_id != workbook_id))}
        by_customer: dict[int, list[tuple[str, dt.datetime]]] = {}
        by_address: dict[str, list[tuple[str, dt.datetime]]] = {}
        for key, customer, address, when in theirs:
            if customer is not None:
                by_customer.setdefault(customer, []).append((key, when))
            if address:
                by_address.setdefault(address, []).append((key, when))
        return {s.team_key for s in wanted if _held_by(s, by_customer.get(s.customer_id or -1, [])
                                                         + by_address.get(s.address or "", []))}

    def settle(self, workbook_id: str, sent: list[str], released: list[str], at: dt.datetime) -> None:
        with self._begin() as connection:
            for chunk in _chunks(sent):
                connection.execute(sa.update(sends).where(sends.c.team_key.in_(chunk),
                                                          sends.c.workbook_id == workbook_id)
                                   .values(state=SENT, at=at))
            for chunk in _chunks(released):
                connection.execute(sa.delete(sends).where(sends.c.team_key.in_(chunk),
                                                          sends.c.workbook_id == workbook_id,
                                                          sends.c.state == RESERVED))

    def mark_sent(self, workbook_id: str, sent: list[str], at: dt.datetime) -> None:
        with self._begin() as connection:
            connection.execute(sa.select(1))  # asked of the store itself, not of a pooled connection's memory
            for chunk in _chunks(sent):
                connection.execute(sa.update(sends).where(sends.c.team_key.in_(chunk),
                                                          sends.c.workbook_id == workbook_id)
                                   .values(state=SENT, at=at))

    def record_sent(self, workbook_id: str, went: list[Send], at: dt.datetime) -> int:
        """Sends this workbook journaled while the store was out of reach; a key already there stays as it is."""
        if not went:
            return 0
        with self._begin() as connection:
            before = connection.execute(sa.select(sa.func.count()).select_from(sends)).scalar_one()
            connection.execute(_insert(connection, sends).on_conflict_do_nothing(),
                               [{"team_key": s.team_key, "customer_id": s.customer_id, "workbook_id": workbook_id,
                                 "state": SENT, "at": at, "address": s.address} for s in went])
            for chunk in _chunks([s.team_key for s in went]):  # its own reservations a crash left behind
                connection.execute(sa.update(sends).where(sends.c.team_key.in_(chunk),
                                                          sends.c.workbook_id == workbook_id).values(state=SENT))
            return connection.execute(sa.select(sa.func.count()).select_from(sends)).scalar_one() - before

    def merge_owners(self, workbook_id: str, cells: dict[int, str | None], at: dt.datetime) -> dict[int, str | None]:
        ids = sorted(cells)
        shown: dict[int, str | None] = {}
        with self._begin() as connection:
            current, seen = {}, {}
            for chunk in _chunks(ids):
                current.update(dict(connection.execute(sa.select(customers.c.id, customers.c.owner)
                                                       .where(customers.c.id.in_(chunk))).all()))
                seen.update(dict(connection.execute(sa.select(placements.c.customer_id, placements.c.seen_owner)
                                                    .where(placements.c.workbook_id == workbook_id,
                                                           placements.c.customer_id.in_(chunk))).all()))
            for customer, cell in cells.items():
                store = current.get(customer)
                typed = customer not in seen or _owner_key(cell) != _owner_key(seen[customer])
                if typed and cell and _owner_key(cell) != _owner_key(store):
                    self._set_owner(connection, customer, cell, at, "sheet")  # the team's word goes to the store
                    shown[customer] = cell
                elif not typed and store and _owner_key(store) != _owner_key(cell):
                    shown[customer] = store  # reassigned (or changed in another workbook) since this one last synced
                else:
                    shown[customer] = cell
            for chunk in _chunks(ids):
                connection.execute(sa.delete(placements).where(placements.c.workbook_id == workbook_id,
                                                               placements.c.customer_id.in_(chunk)))
            if ids:
                connection.execute(sa.insert(placements), [{"workbook_id": workbook_id, "customer_id": c,
                                                            "seen_owner": shown[c]} for c in ids])
        return shown

    def place(self, workbook_id: str, customer_ids: list[int]) -> None:
        wanted = set(customer_ids)
        with self._begin() as connection:
            there = set(connection.execute(sa.select(placements.c.customer_id)
                                           .where(placements.c.workbook_id == workbook_id)).scalars())
            for chunk in _chunks(sorted(there - wanted)):
                connection.execute(sa.delete(placements).where(placements.c.workbook_id == workbook_id,
                                                               placements.c.customer_id.in_(chunk)))
            if wanted - there:
                connection.execute(_insert(connection, placements).on_conflict_do_nothing(),
                                   [{"workbook_id": workbook_id, "customer_id": c, "seen_owner": None}
                                    for c in sorted(wanted - there)])

    def _set_owner(self, connection: sa.Connection, customer: int, owner: str, at: dt.datetime, why: str) -> None:
        connection.execute(sa.update(customers).where(customers.c.id == customer).values(owner=owner))
        connection.execute(sa.insert(ownership).values(customer_id=customer, owner=owner, since=at, why=why))

    def reassign(self, old: str, new: str, at: dt.datetime) -> int:
        with self._begin() as connection:
            rows = connection.execute(sa.select(customers.c.id, customers.c.owner)
                                      .where(customers.c.owner.is_not(None))).all()
            moved = [customer for customer, owner in rows if _owner_key(owner) == _owner_key(old)]
            for customer in moved:
                self._set_owner(connection, customer, new, at, "reassign")
        return len(moved)

    def status(self) -> TeamStatus:
        with self._begin() as connection:
            counts: dict[str, int] = dict(connection.execute(sa.select(placements.c.workbook_id, sa.func.count())
                                             .group_by(placements.c.workbook_id)).all())
            books = [WorkbookStatus(name, path, counts.get(key, 0), last)
                     for key, name, path, last in connection.execute(
                         sa.select(workbooks.c.id, workbooks.c.name, workbooks.c.path, workbooks.c.last_sync)
                         .order_by(workbooks.c.name, workbooks.c.path))]
            held = connection.execute(sa.select(customers.c.owner).where(customers.c.id.in_(_placed()))).scalars()
            owners = Counter(owner for owner in held if owner)  # a customer no workbook has now is no one's
            placed = connection.execute(sa.select(sa.func.count()).select_from(_placed().subquery())).scalar_one()
            sent = connection.execute(sa.select(sa.func.count()).select_from(sends)
                                      .where(sends.c.state == SENT)).scalar_one()
            personal = connection.execute(sa.select(sa.func.count()).select_from(contacts)  # sends count as sent
                                          .where(contacts.c.source.in_(PERSONAL))).scalar_one()
            return TeamStatus(books, dict(sorted(owners.items())), placed, personal, sent,
                              current_version(connection))

    def activity(self, since: dt.date, until: dt.date) -> list[dict]:
        """Per owner over [since, until]: the workbooks holding their customers, customers owned, contacts logged,
        messages sent (the team report)."""
        with self._begin() as connection:
            owners = Counter(o for o in connection.execute(sa.select(customers.c.owner)
                                                           .where(customers.c.id.in_(_placed()))).scalars() if o)
            by_owner = dict(connection.execute(sa.select(customers.c.id, customers.c.owner)).all())
            books: dict[str, set[str]] = {}
            for book, customer in connection.execute(sa.select(placements.c.workbook_id, placements.c.customer_id)):
                books.setdefault(by_owner.get(customer) or "", set()).add(book)
            logged = Counter(by_owner.get(c) for c in connection.execute(
                sa.select(contacts.c.customer_id).where(contacts.c.day >= since, contacts.c.day <= until,
                                                        contacts.c.source.in_(PERSONAL))).scalars())
            start, end = dt.datetime.combine(since, dt.time()), dt.datetime.combine(until, dt.time.max)
            went = Counter(by_owner.get(c) for c in connection.execute(
                sa.select(sends.c.customer_id).where(sends.c.state == SENT, sends.c.at >= start,
                                                     sends.c.at <= end)).scalars())
        names = sorted(set(owners) | {o for o in logged if o} | {o for o in went if o})
        return [{"owner": name, "workbooks": len(books.get(name, ())), "customers": owners.get(name, 0),
                 "contacts": logged.get(name, 0),
                 "sent": went.get(name, 0)} for name in names]


def _placed() -> sa.Select:
    """The customers some workbook has now (as of its last sync)."""
    return sa.select(placements.c.customer_id).distinct()


def _held_by(mine: Send, theirs: list[tuple[str, dt.datetime]]) -> bool:
    """Whether another workbook's sends (to the customer or the address) hold this one (SqlStore._spaced_out)."""
    if mine.since is not None:
        since = dt.datetime.combine(mine.since, dt.time())
        return any(key != mine.team_key and occasion_of(key) in mine.alike and when >= since for key, when in theirs)
    return any(key != mine.team_key and key.split("|")[1:] == mine.team_key.split("|")[1:] for key, _ in theirs)


__all__ = ["open_store", "SqlStore", "LATEST"]
