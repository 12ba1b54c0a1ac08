"""The schema comes only from the packaged migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from citycert.store import migrate
from citycert.store.engine import Database
from citycert.store.models import Base


def test_upgrade_from_empty_creates_every_table_and_reaches_head(database_url: str) -> None:
    assert migrate.current_revision(database_url) is None

    reached = migrate.upgrade(database_url)

    assert reached == migrate.head_revision()
    db = Database.from_url(database_url)
    try:
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
        assert migrate.is_up_to_date(db)
    finally:
        db.dispose()


def test_migrations_match_the_models_exactly(database_url: str) -> None:
    migrate.upgrade(database_url)
    db = Database.from_url(database_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
    finally:
        db.dispose()


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert migrate.upgrade(database_url) == migrate.head_revision()


def test_unmigrated_database_is_refused_with_the_upgrade_command(database_url: str) -> None:
    db = Database.from_url(database_url)
    try:
        with pytest.raises(migrate.DatabaseNotMigrated) as err:
            migrate.ensure_migrated(db)
        assert "citycert db upgrade" in str(err.value)
        assert err.value.current is None
        migrate.upgrade(db)
        migrate.ensure_migrated(db)  # no error once migrated
    finally:
        db.dispose()


def test_cli_refuses_an_unmigrated_database_until_db_upgrade(database_url: str) -> None:
    from typer.testing import CliRunner

    from citycert.cli import app

    runner = CliRunner()

    refused = runner.invoke(app, ["audit", "verify", "--database-url", database_url])
    current = runner.invoke(app, ["db", "current", "--database-url", database_url])
    upgraded = runner.invoke(app, ["db", "upgrade", "--database-url", database_url])
    after = runner.invoke(app, ["db", "current", "--database-url", database_url])
    accepted = runner.invoke(app, ["audit", "verify", "--database-url", database_url])

    assert refused.exit_code == 2
    assert "citycert db upgrade" in refused.output
    assert current.exit_code == 1 and "revision none" in current.output
    assert upgraded.exit_code == 0 and migrate.head_revision() in upgraded.output
    assert after.exit_code == 0 and "up to date" in after.output
    assert accepted.exit_code == 0, accepted.output


def test_migration_scripts_form_one_line_with_one_head() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config())

    heads = scripts.get_heads()
    assert len(heads) == 1, (
        f"several heads {heads}: give the newest migration the right down_revision"
    )
    chain = [s.revision for s in scripts.walk_revisions()]
    assert chain[-1] == "0001_initial"
    assert len(chain) == len(set(chain))
