"""`citycert db`: create or update the database tables, show the schema revision."""

from __future__ import annotations

import typer

from citycert.cli.common import console, fail
from citycert.settings import SettingsError, get_settings
from citycert.store import migrate
from citycert.store.engine import Database
from citycert.store.migrate import DatabaseNotMigrated

app = typer.Typer(help="Database schema: upgrade, current revision.", no_args_is_help=True)

DATABASE_URL_HELP = "Database URL (default: CITYCERT_DATABASE_URL, else a local SQLite file)."


def database_url_option() -> str | None:
    return typer.Option(None, "--database-url", help=DATABASE_URL_HELP)  # type: ignore[no-any-return]


def resolve_url(database_url: str | None) -> str:
    """The URL to use: the option, else the settings; a bad setting exits with its message."""
    if database_url:
        return database_url
    try:
        return get_settings().database_url
    except SettingsError as exc:
        fail(str(exc))


def open_db(database_url: str | None, *, require_migrated: bool = True) -> Database:
    """The database for a CLI command; refuses an unmigrated one with the upgrade hint."""
    db = Database.from_url(resolve_url(database_url))
    if require_migrated:
        try:
            migrate.ensure_migrated(db)
        except DatabaseNotMigrated as exc:
            db.dispose()
            fail(str(exc))
    return db


def say(message: str) -> None:
    """Print a plain message (no wrapping inside commands and URLs)."""
    console.print(message, soft_wrap=True, highlight=False)


def _safe_url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=True)


@app.command("upgrade")
def upgrade(database_url: str | None = database_url_option()) -> None:
    """Create the tables, or bring them up to this version of CityCert."""
    db = open_db(database_url, require_migrated=False)
    try:
        before = migrate.current_revision(db)
        after = migrate.upgrade(db)
    finally:
        db.dispose()
    if before == after:
        say(f"{_safe_url(db)}: already at revision {after} (최신 상태입니다)")
    else:
        say(
            f"{_safe_url(db)}: upgraded {before or 'empty database'} -> {after} "
            "(데이터베이스를 갱신했습니다)"
        )


@app.command("current")
def current(database_url: str | None = database_url_option()) -> None:
    """Show the schema revision and whether it is up to date (exit 1 when an upgrade is due)."""
    db = open_db(database_url, require_migrated=False)
    try:
        rev = migrate.current_revision(db)
    finally:
        db.dispose()
    head = migrate.head_revision()
    state = "up to date (최신)" if rev == head else f"needs `citycert db upgrade` to {head}"
    say(f"{_safe_url(db)}: revision {rev or 'none (no tables)'}, {state}")
    if rev != head:
        raise typer.Exit(1)
