"""The store's tables (SQLAlchemy Core), as the newest migration leaves them; the same on SQLite and PostgreSQL.

A customer is known team-wide by a stable id; `customer_keys` maps each identity (normalised name plus
phone, or plus e-mail) to it, so two workbooks spelling one customer alike share the id. `sends` holds one
row per message team-wide: its primary key is the reservation, so two PCs can never both reserve one message
(and a follow-up also yields to another workbook's recent one of another due day, and any message to another
workbook's to the same address: SqlStore.reserve). `placements` is each workbook's customers as of its last sync.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

workbooks = sa.Table(
    "workbooks", metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # a uuid kept beside the workbook
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("last_sync", sa.DateTime),
)

customers = sa.Table(
    "customers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("owner", sa.Text),  # schema 2: the current owner (the team's word, or a reassignment)
)

customer_keys = sa.Table(
    "customer_keys", metadata,
    sa.Column("identity", sa.Text, primary_key=True),  # n:<name>|p:<phone>, n:<name>|e:<email> or n:<name>
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
)

contacts = sa.Table(
    "contacts", metadata,
    sa.Column("source_key", sa.String(64), primary_key=True),  # a hash of where it was written: syncs add it once
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("channel", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("owner", sa.Text),
    sa.Column("workbook_id", sa.String(64), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # log | sheet | mail
)

sends = sa.Table(
    "sends", metadata,
    sa.Column("team_key", sa.String(200), primary_key=True),  # customer id | occasion | due day
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id")),
    sa.Column("workbook_id", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # reserved | sent
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("address", sa.Text, index=True),  # schema 3: the recipient (store.mail_address), or NULL
)

# schema 2: who owned a customer and when, and what each workbook's owner cell said at its last sync
ownership = sa.Table(
    "ownership", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("owner", sa.Text),
    sa.Column("since", sa.DateTime, nullable=False),
    sa.Column("why", sa.String(16), nullable=False),  # sheet | reassign
)

placements = sa.Table(
    "placements", metadata,
    sa.Column("workbook_id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.Integer, primary_key=True),
    sa.Column("seen_owner", sa.Text),
)
