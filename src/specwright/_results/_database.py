"""The one way specwright opens a database, for every store that lives in it.

The results store (runs, sections, feedback, training exports) and the gateway's decision
store share one file or server, so they open it one way:

- **SQLite** in WAL mode (readers never wait for a writer; several gateway workers and an
  eval write to one file), ``synchronous=NORMAL``, a busy timeout, and every transaction
  taking the write lock up front (``BEGIN IMMEDIATE``, SQLAlchemy's documented recipe for
  pysqlite): Python's sqlite3 driver starts transactions lazily and lets DDL run outside
  them, so two processes migrating a fresh file both saw "no migrations table"; and two
  readers upgrading to writers deadlock where the busy timeout cannot help.
- **PostgreSQL** (``postgresql+psycopg://…``) with pre-ping, so a pool survives a restart.

Parameters are hidden from error messages everywhere: a failed statement never prints the
text or hashes it was writing.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from specwright._errors import ConfigurationError

__all__ = ["SQLITE_BUSY_SECONDS", "open_engine"]

SQLITE_BUSY_SECONDS = 60.0
"""How long a SQLite connection waits for another process's write lock."""


def open_engine(url: str) -> Engine:
    """An engine for the database at ``url``; a bad URL is a :class:`ConfigurationError`."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, hide_parameters=True)
            _serialise_sqlite_writers(engine)
            return engine
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigurationError(f"invalid results store URL {url!r}: {exc}") from exc


def _serialise_sqlite_writers(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver issues no BEGIN of its own
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
        if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] not in ("memory", "wal"):
            _use_wal(dbapi_connection)  # sticks to the file: paid once per new file
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _use_wal(dbapi_connection: Any) -> None:
    """Switch the file to WAL, waiting as long as for a write lock.

    The switch needs the file to itself, and SQLite answers it "locked" at once, without the
    busy handler, while another process holds a lock: processes opening a fresh store together
    (the first migrating it) failed that way. So the switch is retried within the same bound.
    """
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.01)
