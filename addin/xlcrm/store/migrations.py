"""The store's schema versions: an ordered list of steps, each applied once, recorded in `schema_version`.

The steps use Alembic's operations (portable DDL for SQLite and PostgreSQL) without its script folder:
a short list in the code is what a reader checks. A store made by an older xlcrm is brought up to date
the first time a newer one opens it; a store newer than this xlcrm is refused rather than misread.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

TOO_NEW = Msg("The team store was made by a newer xlcrm (schema {found}, this one knows {known}); update xlcrm.",
              "团队数据库由更新版本的 xlcrm 创建(结构版本 {found},本版本只认识 {known});请升级 xlcrm。")


def _v1(op: Operations) -> None:
    """Workbooks, customers and their identities, contacts, the send reservations."""
    op.create_table("workbooks", sa.Column("id", sa.String(64), primary_key=True),
                    sa.Column("name", sa.Text, nullable=False), sa.Column("path", sa.Text, nullable=False),
                    sa.Column("last_sync", sa.DateTime))
    op.create_table("customers", sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("name", sa.Text, nullable=False), sa.Column("created_at", sa.DateTime, nullable=False))
    op.create_table("customer_keys", sa.Column("identity", sa.Text, primary_key=True),
                    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False))
    op.create_table("contacts", sa.Column("source_key", sa.String(64), primary_key=True),
                    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
                    sa.Column("day", sa.Date, nullable=False), sa.Column("channel", sa.Text),
                    sa.Column("note", sa.Text), sa.Column("owner", sa.Text),
                    sa.Column("workbook_id", sa.String(64), nullable=False),
                    sa.Column("source", sa.String(16), nullable=False))
    op.create_index("ix_contacts_customer_id", "contacts", ["customer_id"])
    op.create_table("sends", sa.Column("team_key", sa.String(200), primary_key=True),
                    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id")),
                    sa.Column("workbook_id", sa.String(64), nullable=False),
                    sa.Column("state", sa.String(16), nullable=False), sa.Column("at", sa.DateTime, nullable=False))


def _v2(op: Operations) -> None:
    """Ownership: the current owner, its history, and what each workbook last showed (for `team reassign`)."""
    op.add_column("customers", sa.Column("owner", sa.Text))
    op.create_table("ownership", sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
                    sa.Column("owner", sa.Text), sa.Column("since", sa.DateTime, nullable=False),
                    sa.Column("why", sa.String(16), nullable=False))
    op.create_index("ix_ownership_customer_id", "ownership", ["customer_id"])
    op.create_table("placements", sa.Column("workbook_id", sa.String(64), primary_key=True),
                    sa.Column("customer_id", sa.Integer, primary_key=True), sa.Column("seen_owner", sa.Text))


def _v3(op: Operations) -> None:
    """The recipient of each send, so a customer renamed in one workbook (a new customer in the store) is not mailed
    again by another. The step also marks what schema 2 left unsaid: contacts of source 'mail' (a follow-up mail
    sent, which counts for the cadence only) are no personal contacts; an xlcrm that knows schema 2 alone may
    predate that and would read them as personal ones, so it now refuses the store (TOO_NEW) instead."""
    op.add_column("sends", sa.Column("address", sa.Text))
    op.create_index("ix_sends_address", "sends", ["address"])


MIGRATIONS: tuple[Callable[[Operations], None], ...] = (_v1, _v2, _v3)
LATEST = len(MIGRATIONS)
_VERSION = sa.table("schema_version", sa.column("version", sa.Integer), sa.column("applied_at", sa.DateTime))


def current_version(connection: sa.Connection) -> int:
    if not sa.inspect(connection).has_table("schema_version"):
        return 0
    return connection.execute(sa.select(sa.func.coalesce(sa.func.max(_VERSION.c.version), 0))).scalar_one()


def migrate(engine: sa.Engine, upto: int = LATEST) -> int:
    """Apply the missing steps up to `upto` in one transaction (DDL is transactional on both); the version reached.

    Two xlcrm opening a fresh store at once: PostgreSQL serialises them with an advisory lock, SQLite with its
    write lock (every transaction of the store begins IMMEDIATE); the second finds the work done.
    """
    with engine.begin() as connection:
        _lock(connection)
        version = current_version(connection)
        if version > LATEST:
            raise XlcrmError(TOO_NEW(found=version, known=LATEST))
        if version == 0:
            connection.execute(sa.text("CREATE TABLE IF NOT EXISTS schema_version "
                                       "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"))
        op = Operations(MigrationContext.configure(connection))
        for number in range(version + 1, upto + 1):
            MIGRATIONS[number - 1](op)
            connection.execute(sa.insert(_VERSION).values(version=number, applied_at=dt.datetime.now()))
            version = number
    return version


def _lock(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(4471)"))  # any fixed number: xlcrm's migration lock
