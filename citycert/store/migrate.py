"""Schema migrations with Alembic, configured in code (no alembic.ini): upgrade and check.

The migration scripts live in the package (`citycert/store/migrations/versions/`), so an
installed CityCert can migrate any database it is pointed at: `citycert db upgrade`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from citycert.store.engine import Database, make_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

UPGRADE_HINT_EN = "run `citycert db upgrade` to create or update the tables"
UPGRADE_HINT_KO = "`citycert db upgrade`를 실행하여 테이블을 만들거나 갱신하십시오"


class DatabaseNotMigrated(RuntimeError):
    """The database schema is missing or older than this CityCert; says to run the upgrade."""

    def __init__(self, url: str, current: str | None, head: str) -> None:
        self.url = url
        self.current = current
        self.head = head
        state = "has no CityCert tables" if current is None else f"is at revision {current}"
        super().__init__(
            f"database {url} {state}, this CityCert needs {head}: {UPGRADE_HINT_EN} "
            f"(데이터베이스 스키마가 최신이 아닙니다. {UPGRADE_HINT_KO})"
        )


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic Config pointing at the packaged scripts (and at `engine`, when given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest revision shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _engine(target: Engine | Database | str) -> tuple[Engine, bool]:
    if isinstance(target, Database):
        return target.engine, False
    if isinstance(target, str):
        return make_engine(target), True
    return target, False


def upgrade(target: Engine | Database | str, revision: str = "head") -> str | None:
    """Migrate the database to `revision` (default: newest); returns the revision reached."""
    engine, owned = _engine(target)
    try:
        command.upgrade(alembic_config(engine), revision)
        return current_revision(engine)
    finally:
        if owned:
            engine.dispose()


def current_revision(target: Engine | Database | str) -> str | None:
    """The revision the database is at; None for a database without CityCert tables."""
    engine, owned = _engine(target)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if owned:
            engine.dispose()


def is_up_to_date(target: Engine | Database | str) -> bool:
    return current_revision(target) == head_revision()


def ensure_migrated(db: Database | Engine) -> None:
    """Raise DatabaseNotMigrated unless the schema is at the newest revision."""
    engine, _ = _engine(db)
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        raise DatabaseNotMigrated(engine.url.render_as_string(hide_password=True), current, head)
