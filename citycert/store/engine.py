"""Engines and the `Database` object (engine + session factories), built explicitly on demand.

SQLite gets foreign keys, WAL and a busy timeout on every connection, and its write transactions
start with `BEGIN IMMEDIATE` so that two writers queue up instead of failing half-way (this is
what serialises the audit chain on SQLite). PostgreSQL uses psycopg 3 at READ COMMITTED.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

from citycert.settings import ensure_sqlite_folder

# Execution option that asks the SQLite `begin` hook for BEGIN IMMEDIATE.
_IMMEDIATE = "citycert_begin_immediate"
SQLITE_BUSY_TIMEOUT_S = 30


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the sqlite3 module) emit BEGIN, so BEGIN IMMEDIATE is possible.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An Engine for `url` (SQLite file or `postgresql+psycopg://`), configured for CityCert."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        ensure_sqlite_folder(url)
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        _setup_sqlite(engine)
        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


@dataclass
class Database:
    """An engine with its session factories; `transaction()` is the unit of work for services."""

    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]

    @classmethod
    def from_engine(cls, engine: Engine) -> Database:
        writer_engine = engine.execution_options(**{_IMMEDIATE: True})
        return cls(
            engine=engine,
            reader=sessionmaker(engine, expire_on_commit=False),
            writer=sessionmaker(writer_engine, expire_on_commit=False),
        )

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        return cls.from_engine(make_engine(url, echo=echo))

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: commits on success, rolls back on any exception."""
        with self.writer.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end, never commits)."""
        with self.reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
