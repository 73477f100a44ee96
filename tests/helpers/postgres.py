"""A throwaway PostgreSQL cluster on loopback for the run (tests/conftest.py holds the fixtures).

The cluster is Debian's PostgreSQL (scripts/test.sh installs it): initdb and pg_ctl in a temporary folder,
as the `postgres` system user when the tests run as root (PostgreSQL refuses to run as root). Without
PostgreSQL the PostgreSQL half skips, saying why, unless XLCRM_REQUIRE_POSTGRES=1 (CI) makes it a failure.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

USER, PASSWORD = "xlcrm", "team-secret-🔑"
_numbers = itertools.count(1)


def _pg_bin(program: str) -> str | None:
    found = shutil.which(program)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), key=lambda p: int(p.split("/")[4]))
    return versions[-1] if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_server():
    """Yields (host, port) of a PostgreSQL server started for this run; the user xlcrm logs in with a password."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        why = "PostgreSQL is not installed (Debian's postgresql package; scripts/test.sh installs it)"
        if os.environ.get("XLCRM_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    folder = Path(tempfile.mkdtemp(prefix="xlcrm-pg-"))
    secret = folder / "pw"
    secret.write_text(PASSWORD, encoding="utf-8")
    if as_root:
        shutil.chown(folder, "postgres")
        shutil.chown(secret, "postgres")
    data, port = folder / "data", _free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-U", USER, f"--pwfile={secret}", "--auth-host=scram-sha-256",
                    "--auth-local=trust", "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
                   check=True, capture_output=True)
    try:
        yield "127.0.0.1", port
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(host: str, port: int) -> str:
    import sqlalchemy as sa

    name = f"team_{os.getpid()}_{next(_numbers)}"
    engine = sa.create_engine(sa.URL.create("postgresql+psycopg", USER, PASSWORD, host, port, "postgres"),
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return f"postgresql://{USER}@{host}:{port}/{name}"
