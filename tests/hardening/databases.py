"""Throwaway databases for tests that need several at once (backup/restore, crash tests).

`throwaway_url(kind, folder)` yields the URL of an EMPTY database without tables: a new SQLite
file under `folder`, or a new PostgreSQL database created on the server named by
`CITYCERT_TEST_POSTGRES_URL` and dropped afterwards (as tests/conftest.py does for its own).
`table_rows(db)` reads every CityCert table in primary-key order, for whole-database comparisons.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from citycert.store.engine import Database
from citycert.store.models import Base

POSTGRES_ENV = "CITYCERT_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")


def backend_params(*combos: tuple[str, ...]) -> list[Any]:
    """pytest params for backend combinations; any with PostgreSQL is marked `postgres`."""
    return [
        pytest.param(
            *combo,
            id="-".join(combo),
            marks=[pytest.mark.postgres] if "postgresql" in combo else [],
        )
        for combo in combos
    ]


@contextmanager
def throwaway_url(kind: str, folder: Path) -> Iterator[str]:
    """URL of a new, empty database of `kind` (sqlite or postgresql), removed at the end."""
    if kind == "sqlite":
        name = f"db_{secrets.token_hex(4)}.sqlite3"
        yield f"sqlite:///{folder / name}"
        return
    admin = os.environ.get(POSTGRES_ENV)
    if not admin:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    name = f"citycert_hd_{secrets.token_hex(6)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def table_names(db: Database) -> set[str]:
    """The CityCert tables that exist in `db`."""
    with db.engine.connect() as conn:
        found = set(inspect(conn).get_table_names())
    return found & set(Base.metadata.tables)


def table_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every CityCert table, in primary-key order (values as the models give them)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            stmt = select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(stmt)]
    return out


def row_counts(db: Database) -> dict[str, int]:
    return {name: len(rows) for name, rows in table_rows(db).items()}
