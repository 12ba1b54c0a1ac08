"""Alembic environment, driven from `citycert.store.migrate` (the engine comes in attributes)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from citycert.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations with `citycert db upgrade` (citycert.store.migrate)")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables when a migration needs to.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
