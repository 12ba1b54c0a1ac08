"""The service context a CLI command acts in: the operator, or a stored user named by `--as`."""

from __future__ import annotations

from citycert.cli.common import fail
from citycert.cli.db_cmd import open_db
from citycert.services.context import ServiceContext, ServiceError, cli_actor
from citycert.services.principal import user_context


def open_context(database_url: str | None, login: str | None = None) -> ServiceContext:
    """A context on a fresh engine; an unknown or inactive `login` ends the command (exit 2)."""
    db = open_db(database_url)
    if login is None:
        return ServiceContext(db=db, actor=cli_actor())
    try:
        return user_context(db, login)
    except ServiceError as exc:
        db.dispose()
        fail(f"{exc.message_en}\n{exc.message_ko}")


def both_messages(exc: Exception) -> str:
    """A service refusal in English then Korean; any other error as its own text."""
    if isinstance(exc, ServiceError):
        return f"{exc.message_en}\n{exc.message_ko}"
    return str(exc)
