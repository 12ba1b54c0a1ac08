"""Shared fixtures: real databases (SQLite, and PostgreSQL when configured), contexts, frozen time.

Database tests run once per backend: `sqlite` always (a fresh file per test) and `postgresql` when
`CITYCERT_TEST_POSTGRES_URL` names a server database we may connect to as an administrator
(e.g. `postgresql+psycopg://postgres@127.0.0.1:5432/test`). Each pytest session (each xdist
worker) creates its own throwaway database `citycert_t_<random>` there and drops it at the end;
tests in that worker share it and find it emptied (TRUNCATE) or, for `database_url`, with no
tables at all. Tests marked `@pytest.mark.postgres` run only on PostgreSQL and are skipped when
the variable is not set.

Fixtures:
- `backend`: "sqlite" or "postgresql" (parametrised automatically for database tests);
- `database_url`: URL of an EMPTY database (no tables): for migration and CLI tests;
- `db`: a migrated, empty `Database` (use this or `database_url` in one test, not both);
- `clock`: a `FrozenClock` (call it for the time; `.advance(seconds=...)` moves it on);
- `ctx`: `ServiceContext` on `db` for the persona `editor@daegu` with the frozen clock;
- `context_for(actor)`: another persona's context on the same database and clock.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from citycert.services.context import ServiceContext
from citycert.store import migrate
from citycert.store.engine import Database

POSTGRES_ENV = "CITYCERT_TEST_POSTGRES_URL"
FROZEN_AT = datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC)


def _postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every database test on each available backend (PostgreSQL only when configured)."""
    if "backend" not in metafunc.fixturenames or _parametrized_by_test(metafunc, "backend"):
        return
    pg_only = metafunc.definition.get_closest_marker("postgres") is not None
    backends = [] if pg_only else ["sqlite"]
    if _postgres_admin_url() or pg_only:
        backends.append("postgresql")
    metafunc.parametrize(
        "backend",
        [
            pytest.param(b, marks=[pytest.mark.postgres] if b == "postgresql" else [])
            for b in backends
        ],
        indirect=True,
    )


def _parametrized_by_test(metafunc: pytest.Metafunc, name: str) -> bool:
    """Whether the test chose its own values for `name` with @pytest.mark.parametrize."""
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0]
        listed = names.split(",") if isinstance(names, str) else list(names)
        if name in (n.strip() for n in listed):
            return True
    return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not _postgres_admin_url():
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never touch the developer's own database or settings: each test gets its own defaults."""
    for name in list(os.environ):
        if name.startswith("CITYCERT_") and name not in (POSTGRES_ENV, "CITYCERT_CATALOG_DIRS"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CITYCERT_ENVIRONMENT", "test")
    monkeypatch.setenv("CITYCERT_DATABASE_URL", f"sqlite:///{tmp_path / 'default.sqlite3'}")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


# --- PostgreSQL: one throwaway database per session (per xdist worker) ------------------------


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str]:
    """URL of this session's own PostgreSQL database, dropped when the session ends."""
    admin = _postgres_admin_url()
    if not admin:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    name = f"citycert_t_{secrets.token_hex(6)}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def _pg_reset_schema(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _pg_truncate(url: str) -> None:
    """Empty every table the migrations made (whatever models exist), keeping the schema."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
            names = ", ".join(f'"{t}"' for t in tables)
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


# --- SQLite: a migrated template file per session, copied per test -------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "citycert.sqlite3"
    db = Database.from_url(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()  # closing the last connection folds the WAL back into the file
    return path


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """URL of an empty database without any tables."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'citycert.sqlite3'}"
    url = str(request.getfixturevalue("postgres_session_url"))
    _pg_reset_schema(url)
    return url


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database with no rows, on the test's backend."""
    if backend == "sqlite":
        path = tmp_path / "citycert.sqlite3"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = str(request.getfixturevalue("postgres_session_url"))
        if migrate.is_up_to_date(url):
            _pg_truncate(url)
        else:
            _pg_reset_schema(url)
            migrate.upgrade(url)
    database = Database.from_url(url)
    try:
        yield database
    finally:
        database.dispose()


# --- time and personas -------------------------------------------------------------------------


@dataclass
class FrozenClock:
    """A clock that stands still until moved: `clock()` is the time, `advance()` moves it."""

    now: datetime = field(default=FROZEN_AT)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def context_for(db: Database, clock: FrozenClock) -> Callable[[str], ServiceContext]:
    """Build the context of another persona (e.g. `verifier@kcert`) on the same database."""

    def make(actor: str) -> ServiceContext:
        return ServiceContext(db=db, actor=actor, clock=clock)

    return make


@pytest.fixture
def ctx(context_for: Callable[[str], ServiceContext]) -> ServiceContext:
    """The city editor persona of Daegu."""
    return context_for("editor@daegu")
