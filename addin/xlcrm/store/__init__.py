"""Team mode: the shared store several workbooks sync with (SQLite on one machine, PostgreSQL for a team).

One interface (`Store`), one implementation over SQLAlchemy Core for both databases (store/sql.py), a
versioned schema (store/migrations.py). Actions receive a `Connect` (wired in bootstrap): given the store
URL of the workbook's settings it returns the store, None when no store is set, or raises Unreachable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from xlcrm.core.i18n import Msg

UNREACHABLE = Msg("The team store cannot be reached ({why}); this run worked on the workbook alone, without the team's "
                  "contacts and sends (what other workbooks sent is not known here, so a message they sent may show as "
                  "due). Its contacts and sends reach the store on the next run that can reach it; sending needs it.",
                  "无法连接团队数据库({why});本次只使用工作簿运行,不含团队的联系记录和发送记录(不知道其他工作簿已发送"
                  "什么,所以他们已发的邮件可能显示为待发)。本工作簿的联系记录和发送记录会在下次能连接时同步;发送邮件"
                  "需要连接团队数据库。")


PERSONAL = ("log", "sheet")  # contacts a person made: they set the last contact
MAILED = ("mail",)  # a follow-up mail sent, counted as a contact (setting mail_counts): the cadence only


class Unreachable(Exception):
    """The store did not answer within the timeout, or refused the login: the workbook works alone."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


@dataclass(frozen=True)
class Contact:
    source_key: str  # where it was written (a hash): a second sync adds nothing
    customer_id: int
    day: dt.date
    channel: str | None
    note: str | None
    owner: str | None
    source: str  # log | sheet | mail


@dataclass(frozen=True)
class Send:
    """One message team-wide, reserved by its key. A regular mail (a follow-up) also has `since` and `alike`:
    another workbook's send to the same customer, of one of those occasions, reserved or sent on or after that day
    holds it too, whatever its due day (two workbooks can work out different due days for one follow-up).
    `address` (the recipient, as `mail_address` writes it): another workbook's send to that address holds it as if
    it were to the same customer (a customer renamed in one workbook is a new customer in the store, not a new
    person); a care message by the same occasion and due day, a regular one by the rule above (schema 3)."""

    team_key: str  # customer id | occasion | due day
    customer_id: int | None
    since: dt.date | None = None
    alike: tuple[str, ...] = ()
    address: str | None = None


def mail_address(value: object) -> str | None:
    """A recipient's address as the store keeps it (trimmed, case folded), or None when there is none."""
    text = value.strip().casefold() if isinstance(value, str) else ""
    return text or None


def occasion_of(team_key: str) -> str:
    """The occasion part of a team key (customer id | occasion | due day)."""
    parts = team_key.split("|")
    return parts[1] if len(parts) == 3 else ""


@dataclass(frozen=True)
class WorkbookStatus:
    name: str
    path: str
    customers: int
    last_sync: dt.datetime | None


@dataclass(frozen=True)
class TeamStatus:
    workbooks: list[WorkbookStatus]
    owners: dict[str, int]  # owner -> customers
    customers: int
    contacts: int
    sends: int
    version: int


class Store(Protocol):
    def register(self, workbook_id: str, name: str, path: str, at: dt.datetime) -> None: ...

    def identify(self, identities: list[tuple[str, list[str]]], at: dt.datetime) -> list[int]:
        """(display name, identity keys) per customer -> stable ids; unknown customers are added."""

    def add_contacts(self, workbook_id: str, contacts: list[Contact]) -> int: ...

    def last_contacts(self, customer_ids: list[int], sources: tuple[str, ...] = PERSONAL) -> dict[int, dt.date]:
        """The latest contact day per customer, of those sources (PERSONAL, or MAILED)."""

    def reserve(self, workbook_id: str, sends: list[Send], at: dt.datetime) -> set[str]:
        """The keys this workbook holds after trying to reserve them all (its own earlier ones included); one
        transaction, run one at a time team-wide, so a regular mail's `since` rule holds between two PCs too."""

    def settle(self, workbook_id: str, sent: list[str], released: list[str], at: dt.datetime) -> None: ...

    def mark_sent(self, workbook_id: str, sent: list[str], at: dt.datetime) -> None:
        """Record sends as they go (those given, maybe none); asked before each message of a batch, it raises
        Unreachable when the store stopped answering, so the batch stops rather than send what it cannot record."""

    def record_sent(self, workbook_id: str, sends: list[Send], at: dt.datetime) -> int: ...

    def merge_owners(self, workbook_id: str, cells: dict[int, str | None], at: dt.datetime) -> dict[int, str | None]:
        """Three-way: a cell changed since the last sync goes to the store; else the store's owner (a
        reassignment) comes back. Returns the owner each customer's cell should show now."""

    def place(self, workbook_id: str, customer_ids: list[int]) -> None:
        """The customers the workbook has now: its placements become exactly these (a customer deleted or renamed
        in it no longer counts for it in `status`); owners seen by merge_owners are kept."""

    def reassign(self, old: str, new: str, at: dt.datetime) -> int: ...

    def status(self) -> TeamStatus: ...

    def activity(self, since: dt.date, until: dt.date) -> list[dict]: ...

    def close(self) -> None: ...


class Connect(Protocol):
    def __call__(self, url_from_settings: str) -> Store | None: ...
