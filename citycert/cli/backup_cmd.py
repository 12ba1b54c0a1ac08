"""`citycert backup` and `citycert restore`: the whole database as one portable file, and back."""

from __future__ import annotations

from pathlib import Path

import typer

from citycert.cli.common import err_console, user_errors
from citycert.cli.context import both_messages
from citycert.cli.db_cmd import database_url_option, open_db, say
from citycert.cli.progress import live_counter
from citycert.services import backup as backup_service
from citycert.services.context import ServiceContext, ServiceError, cli_actor
from citycert.store.migrate import DatabaseNotMigrated

BACKUP_HELP = """Write the whole database to one portable backup file (.ccbak).

The file is a zip archive: one JSON-lines member per table, evidence files by their SHA-256,
and a manifest with the schema revision, row counts and a hash of every member. It can be
restored into an empty SQLite or PostgreSQL database with `citycert restore`. It holds
password hashes and unpublished figures: keep it as safe as the database itself.
"""

RESTORE_HELP = """Restore a backup file into an EMPTY database (all or nothing).

The whole file is checked first (schema revision, every member's hash). The target must hold
no data; a database without tables is migrated first. Every row keeps its id and the audit
log's hash chain is kept (and checked). With --check only the file is checked.

Exit code: 0 restored (or, with --check, the file is fine); 2 the file or the target was
refused, and nothing was written.
"""


def register(app: typer.Typer) -> None:
    @app.command("backup", help=BACKUP_HELP)
    def backup_(
        output: Path = typer.Option(
            ..., "-o", "--output", help="The backup file to write, e.g. citycert-2024-03-01.ccbak."
        ),
        database_url: str | None = database_url_option(),
    ) -> None:
        ctx = ServiceContext(db=open_db(database_url), actor=cli_actor())
        try:
            with (
                user_errors(ServiceError, formatter=both_messages),
                live_counter("backup rows") as bar,
            ):
                result = backup_service.backup(ctx, target=output, progress=bar)
        finally:
            ctx.db.dispose()
        m = result.manifest
        say(
            f"backed up {result.rows} rows in {len(m.tables)} tables, {m.blobs} evidence files "
            f"and {m.audit.entries} audit entries (schema {m.alembic_revision}) to {output}\n"
            f"{len(m.tables)}개 테이블의 {result.rows}행, 증빙 파일 {m.blobs}개, 감사 기록 "
            f"{m.audit.entries}건을 {output}에 백업했습니다"
        )
        if not m.audit.verified:
            err_console.print(
                "[yellow]the audit log did not verify at backup time (see `citycert audit "
                "verify`); the backup keeps it as it is\n백업 시점에 감사 로그 검증에 "
                "실패했습니다(`citycert audit verify` 참조). 백업에는 그대로 담았습니다[/]",
                highlight=False,
                soft_wrap=True,
            )

    @app.command("restore", help=RESTORE_HELP)
    def restore_(
        file: Path = typer.Argument(..., help="The .ccbak backup file."),
        check: bool = typer.Option(
            False, "--check", help="Only check the file; do not touch any database."
        ),
        database_url: str | None = database_url_option(),
    ) -> None:
        if check:
            with (
                user_errors(ServiceError, formatter=both_messages),
                live_counter("check members") as bar,
            ):
                m = backup_service.check_backup(file, progress=bar)
            say(
                f"{file}: OK, {sum(t.rows for t in m.tables)} rows, {m.blobs} evidence files, "
                f"{len(m.members)} members checked; made {m.created_at.isoformat()} by "
                f"{m.created_by} (schema {m.alembic_revision})\n"
                f"{file}: 정상입니다. {len(m.members)}개 항목을 확인했습니다"
            )
            return
        ctx = ServiceContext(db=open_db(database_url, require_migrated=False), actor=cli_actor())
        try:
            with (
                user_errors(ServiceError, DatabaseNotMigrated, formatter=both_messages),
                live_counter("restore rows") as bar,
            ):
                result = backup_service.restore(ctx, source=file, progress=bar)
        finally:
            ctx.db.dispose()
        rows = sum(result.rows.values())
        url = ctx.db.engine.url.render_as_string(hide_password=True)
        made = "created the tables, then " if result.migrated else ""
        made_ko = "테이블을 만들고 " if result.migrated else ""
        chain, chain_ko = (
            ("the audit log verifies", "감사 로그 검증 정상")
            if result.manifest.audit.verified
            else ("the audit log is restored as it was (it did not verify at backup time)",
                  "감사 로그는 백업 당시 그대로입니다(백업 시점에 검증 실패)")
        )  # fmt: skip
        say(
            f"{url}: {made}restored {rows} rows from {file} (backup made "
            f"{result.manifest.created_at.isoformat()}); {chain}\n"
            f"{url}: {made_ko}{file}에서 {rows}행을 복원했습니다. {chain_ko}"
        )
