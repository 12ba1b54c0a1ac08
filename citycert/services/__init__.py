"""CityCert services: the use cases, each one transaction that also writes the audit log.

Adapters (CLI, web) open a database with `open_database()`, wrap it in a `ServiceContext` with
the acting person, and call the use-case functions in `cities`, `cycles`, `values`, `evidence`,
`audit` and `demo`.
"""

from __future__ import annotations

from citycert.services.context import (
    Conflict,
    ConflictError,
    NotFoundError,
    Problem,
    ServiceContext,
    ServiceError,
    Summary,
    ValidationFailed,
    cli_actor,
    utc_now,
)
from citycert.settings import get_settings
from citycert.store.engine import Database
from citycert.store.migrate import ensure_migrated


def open_database(database_url: str | None = None, *, require_migrated: bool = True) -> Database:
    """The configured database (or `database_url`); DatabaseNotMigrated when not up to date."""
    url = database_url or get_settings().database_url
    db = Database.from_url(url)
    if require_migrated:
        try:
            ensure_migrated(db)
        except Exception:
            db.dispose()
            raise
    return db


__all__ = [
    "Conflict",
    "ConflictError",
    "NotFoundError",
    "Problem",
    "ServiceContext",
    "ServiceError",
    "Summary",
    "ValidationFailed",
    "cli_actor",
    "open_database",
    "utc_now",
]
