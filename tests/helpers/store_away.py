"""Taking a team store away for real, in the middle of an action: another connection locks the SQLite file, or
PostgreSQL stops letting anyone into the database and ends its sessions (as when the server goes down); `back()`
undoes it."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa


class StoreGoesAway:
    """Called as a progress callback, it takes the store away at its first call (while the messages are rendered:
    after the sync, before the reservation); `away()` does it at any other moment."""

    def __init__(self, url: str):
        self.url, self.lock, self.done = url, None, False

    def __call__(self, items, total, label):
        self.away()
        return items

    def away(self) -> None:
        if self.done:
            return
        self.done = True
        if self.url.startswith("sqlite"):
            self.lock = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
            self.lock.execute("BEGIN EXCLUSIVE")
        else:
            self._postgres(False)

    def back(self) -> None:
        if self.lock is not None:
            self.lock.execute("ROLLBACK")
            self.lock.close()
            self.lock = None
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
