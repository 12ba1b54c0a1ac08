"""Use cases: back the whole database up to one portable file, and restore it into an empty one.

Backup reads every table in one consistent snapshot (REPEATABLE READ on PostgreSQL, one read
transaction on SQLite), streams rows in primary-key order into the archive
(`citycert.io.backup_format`) and records the schema revision and the audit chain's state.

Restore, in this order, and stopping at the first refusal with nothing written:
1. the archive: manifest readable, schema revision equal to this CityCert's, every member's
   SHA-256 and size as listed, the tables and columns those of this schema;
2. the target: empty (no rows in any CityCert table); without tables it is migrated first;
3. one transaction: every row inserted with its primary key, in dependency order; row counts
   checked; PostgreSQL sequences moved past the restored keys; the audit chain checked against
   the manifest (hashes that verified at backup must verify now); one `database.restore`
   audit entry appended. Any failure rolls everything back.
Only administrators may do either (the archive holds password hashes and every draft).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine

from citycert.io.backup_format import (
    ArchiveReader,
    ArchiveWriter,
    BackupFormatError,
    ColumnSpec,
    ColumnType,
    Manifest,
)
from citycert.services.context import ServiceContext, ServiceError
from citycert.services.principal import principal_of
from citycert.store import audit_log, migrate
from citycert.store.engine import Database
from citycert.store.models import Base

Progress = Callable[[int], None]  # called with the number of rows (or members) just handled
READ_BATCH = 1000
BLOB_READ_BATCH = 8  # rows of a table with file contents fetched at a time
INSERT_BATCH = 1000
INSERT_BATCH_BYTES = 16 * 1024 * 1024


class BackupError(ServiceError):
    """A backup or restore was refused or failed; nothing was written to the target."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.manifest.tables)


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    manifest: Manifest
    migrated: bool  # the target had no tables and was migrated first
    rows: dict[str, int] = field(default_factory=dict)


def tables() -> list[Table]:
    """Every CityCert table, parents before children (the order rows are restored in)."""
    return list(Base.metadata.sorted_tables)


def _column_type(t: TypeEngine[Any]) -> ColumnType:
    if isinstance(t, TypeDecorator):
        t = t.impl_instance
    kinds: tuple[tuple[type[TypeEngine[Any]], ColumnType], ...] = (
        (Boolean, "bool"),
        (Integer, "int"),
        (Float, "float"),
        (DateTime, "datetime"),
        (Date, "date"),
        (JSON, "json"),
        (LargeBinary, "blob"),
        (String, "str"),
    )
    for sa_type, kind in kinds:
        if isinstance(t, sa_type):
            return kind
    raise TypeError(f"no backup encoding for column type {t!r}")


def columns_of(table: Table) -> tuple[ColumnSpec, ...]:
    return tuple(ColumnSpec(name=c.name, type=_column_type(c.type)) for c in table.columns)


def _require_admin(ctx: ServiceContext) -> None:
    if not principal_of(ctx).is_admin:
        raise BackupError(
            "only an administrator may back up or restore the database",
            "데이터베이스 백업과 복원은 관리자만 할 수 있습니다",
        )


def _citycert_version() -> str:
    try:
        return version("citycert")
    except PackageNotFoundError:
        return "unknown"


# --- backup ----------------------------------------------------------------------------------


def _snapshot(db: Database) -> Connection:
    """A connection for one consistent read of every table."""
    conn = db.engine.connect()
    if db.dialect == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return conn


def _stream(s: Session, table: Table) -> Iterator[Any]:
    has_blob = any(_column_type(c.type) == "blob" for c in table.columns)
    stmt = select(table).order_by(*table.primary_key.columns)
    batch = BLOB_READ_BATCH if has_blob else READ_BATCH
    yield from s.execute(stmt.execution_options(yield_per=batch))


def backup(ctx: ServiceContext, *, target: Path, progress: Progress | None = None) -> BackupResult:
    """Write the whole database to the archive `target` (replaced only when complete)."""
    _require_admin(ctx)
    migrate.ensure_migrated(ctx.db)
    revision = migrate.head_revision()
    target = Path(target)
    if target.is_dir():
        raise BackupError(
            f"{target} is a folder; give the backup file's name, e.g. {target / 'citycert.ccbak'}",
            f"{target}은(는) 폴더입니다. 백업 파일 이름을 주십시오(예: "
            f"{target / 'citycert.ccbak'})",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        _snapshot(ctx.db) as conn,
        conn.begin(),
        Session(bind=conn) as s,
        ArchiveWriter(target) as archive,
    ):
        for table in tables():
            sink = archive.table(table.name, columns_of(table))
            for row in _stream(s, table):
                sink.write(row)
                if progress is not None:
                    progress(1)
            archive.add_table(sink)
        chain = audit_log.verify_chain(s)
        _, tail_hash = audit_log.tail(s)
        manifest = archive.finish(
            alembic_revision=revision,
            created_at=ctx.now(),
            created_by=ctx.actor,
            citycert_version=_citycert_version(),
            source_dialect=ctx.db.dialect,
            audit={"entries": chain.checked, "tail_hash": tail_hash, "verified": chain.ok},
        )
    return BackupResult(target, manifest)


# --- checking an archive -----------------------------------------------------------------------


def _format_error(exc: BackupFormatError) -> BackupError:
    return BackupError(exc.message_en, exc.message_ko)


def _schema_problems(manifest: Manifest) -> list[tuple[str, str]]:
    """Tables or columns of the archive that differ from this schema, as (English, Korean)."""
    problems = []
    ours = {t.name: t for t in tables()}
    for entry in manifest.tables:
        table = ours.get(entry.name)
        if table is None:
            problems.append(
                (
                    f"table {entry.name}: not in this CityCert's schema",
                    f"테이블 {entry.name}: 이 CityCert의 스키마에 없음",
                )
            )
        elif entry.columns != columns_of(table):
            problems.append(
                (
                    f"table {entry.name}: its columns differ from this CityCert's",
                    f"테이블 {entry.name}: 열 구성이 이 CityCert와 다름",
                )
            )
    problems += [
        (f"table {n}: missing", f"테이블 {n}: 없음") for n in ours if manifest.table(n) is None
    ]
    return problems


def open_backup(source: Path, progress: Progress | None = None) -> ArchiveReader:
    """Open `source` and check all of it (revision, schema, every member's hash); BackupError."""
    try:
        reader = ArchiveReader(Path(source))
    except BackupFormatError as exc:
        raise _format_error(exc) from None
    try:
        m = reader.manifest
        head = migrate.head_revision()
        if m.alembic_revision != head:
            raise BackupError(
                f"{source} was made at schema revision {m.alembic_revision} (CityCert "
                f"{m.citycert_version}); this CityCert is at {head}: restore it with the "
                "CityCert version that made it, then upgrade that database",
                f"{source}은(는) 스키마 버전 {m.alembic_revision}(CityCert "
                f"{m.citycert_version})에서 만든 백업이며 이 CityCert는 {head}입니다. 백업을 만든 "
                "버전의 CityCert로 복원한 뒤 데이터베이스를 갱신하십시오",
            )
        problems = _schema_problems(m)
        try:
            problems += reader.verify(progress)
        except BackupFormatError as exc:
            raise _format_error(exc) from None
        if problems:
            raise BackupError(
                f"{source} is damaged, nothing was restored: "
                + "; ".join(en for en, _ in problems),
                f"{source} 파일이 손상되어 아무것도 복원하지 않았습니다: "
                + "; ".join(ko for _, ko in problems),
            )
    except BaseException:
        reader.close()
        raise
    return reader


def check_backup(source: Path, progress: Progress | None = None) -> Manifest:
    """The manifest of a backup that passes every check of `open_backup`."""
    with open_backup(source, progress) as reader:
        return reader.manifest


# --- restore -----------------------------------------------------------------------------------


def _safe_url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=True)


def _refuse_target(db: Database, why_en: str, why_ko: str) -> BackupError:
    return BackupError(
        f"cannot restore into {_safe_url(db)}: {why_en}. Restore into an empty database: "
        "create a new one and either run `citycert db upgrade` on it first or let restore "
        "create the tables",
        f"{_safe_url(db)}에 복원할 수 없습니다: {why_ko}. 빈 데이터베이스에 복원하십시오. 새 "
        "데이터베이스를 만들고 `citycert db upgrade`를 먼저 실행하거나 복원이 테이블을 "
        "만들게 하십시오",
    )


def _counts(conn: Connection, names: list[str]) -> dict[str, int]:
    ours = {t.name: t for t in tables()}
    found = {}
    for name in names:
        n = conn.execute(select(func.count()).select_from(ours[name])).scalar_one()
        if n:
            found[name] = int(n)
    return found


def _prepare_target(db: Database) -> bool:
    """Refuse a target holding data; migrate one without tables. True when it was migrated."""
    ours = [t.name for t in tables()]
    with db.engine.connect() as conn:
        present = [n for n in ours if n in set(inspect(conn).get_table_names())]
        current = migrate.current_revision(conn.engine)
        if current is None and present:
            raise _refuse_target(
                db,
                f"it has CityCert tables ({', '.join(present)}) but no schema revision",
                f"CityCert 테이블({', '.join(present)})은 있으나 스키마 버전이 없습니다",
            )
        filled = _counts(conn, present)
    if filled:
        listed = ", ".join(f"{n}: {c} rows" for n, c in filled.items())
        listed_ko = ", ".join(f"{n}: {c}행" for n, c in filled.items())
        raise _refuse_target(db, f"it is not empty ({listed})", f"비어 있지 않습니다({listed_ko})")
    if current == migrate.head_revision():
        return False
    try:
        migrate.upgrade(db)
    except Exception as exc:
        raise _refuse_target(
            db,
            f"its schema revision {current} could not be upgraded ({exc})",
            f"스키마 버전 {current}을(를) 갱신하지 못했습니다({exc})",
        ) from exc
    return True


def _lock_tables(s: Session) -> None:
    # Writers wait until the restore ends (readers see nothing until it commits anyway).
    if s.get_bind().dialect.name == "postgresql":
        prep = s.get_bind().dialect.identifier_preparer
        names = ", ".join(prep.format_table(t) for t in tables())
        s.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def _insert_rows(s: Session, reader: ArchiveReader, table: Table, progress: Progress | None) -> int:
    entry = reader.manifest.table(table.name)
    assert entry is not None
    blob_cols = [c.name for c in entry.columns if c.type == "blob"]
    batch: list[dict[str, Any]] = []
    size = n = 0
    for row in reader.rows(entry):
        batch.append(row)
        size += sum(len(row[c] or b"") for c in blob_cols)
        n += 1
        if len(batch) >= INSERT_BATCH or size >= INSERT_BATCH_BYTES:
            s.execute(insert(table), batch)
            if progress is not None:
                progress(len(batch))
            batch, size = [], 0
    if batch:
        s.execute(insert(table), batch)
        if progress is not None:
            progress(len(batch))
    if n != entry.rows:
        raise BackupError(
            f"{entry.member} holds {n} rows, the manifest says {entry.rows}: nothing was restored",
            f"{entry.member}에는 {n}행이 있으나 목록에는 {entry.rows}행으로 되어 있어 아무것도 "
            "복원하지 않았습니다",
        )
    return n


def _reset_sequences(s: Session) -> None:
    """Move PostgreSQL sequences past the restored keys, so new rows get fresh ids."""
    if s.get_bind().dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    prep = s.get_bind().dialect.identifier_preparer
    for table in tables():
        col = table.autoincrement_column
        if col is None:
            continue
        seq = s.execute(
            select(func.pg_get_serial_sequence(table.name, col.name))
        ).scalar_one_or_none()
        if seq is None:
            continue
        top = f"(SELECT COALESCE(MAX({prep.quote(col.name)}), 0) FROM {prep.format_table(table)})"
        s.execute(text(f"SELECT setval(:seq, {top} + 1, false)"), {"seq": seq})


def _check_chain(s: Session, manifest: Manifest) -> None:
    result = audit_log.verify_chain(s)
    _, tail_hash = audit_log.tail(s)
    want = manifest.audit
    same = result.checked == want.entries and tail_hash == want.tail_hash
    if (want.verified and not result.ok) or (result.ok and not same):
        why = result.reason or f"{result.checked} entries ending in {tail_hash[:12]}"
        raise BackupError(
            f"the restored audit log does not match the backup's ({why}); nothing was restored",
            f"복원한 감사 로그가 백업과 일치하지 않아 아무것도 복원하지 않았습니다({why})",
        )


def _fill(
    ctx: ServiceContext,
    reader: ArchiveReader,
    source: Path,
    counts: dict[str, int],
    progress: Progress | None,
) -> None:
    """Insert every row of the archive in one transaction, check it, record the restore."""
    m = reader.manifest
    with ctx.transaction() as s:
        _lock_tables(s)
        if _counts(s.connection(), [t.name for t in tables()]):  # written to since the check
            raise _refuse_target(ctx.db, "it is not empty", "비어 있지 않습니다")
        for table in tables():
            counts[table.name] = _insert_rows(s, reader, table, progress)
        _reset_sequences(s)
        _check_chain(s, m)
        ctx.audit(
            s,
            action="database.restore",
            entity="database",
            entity_key="database",
            new={
                "backup": source.name,
                "backup_created_at": m.created_at.isoformat(),
                "backup_created_by": m.created_by,
                "source_dialect": m.source_dialect,
                "rows": sum(counts.values()),
            },
            reason=f"restore {source.name}",
        )


def restore(
    ctx: ServiceContext, *, source: Path, progress: Progress | None = None
) -> RestoreResult:
    """Restore the archive `source` into the empty database `ctx.db` (see module rules)."""
    _require_admin(ctx)
    with open_backup(source) as reader:
        m = reader.manifest
        try:
            migrated = _prepare_target(ctx.db)
        except SQLAlchemyError as exc:
            why = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise BackupError(
                f"cannot use the target database {_safe_url(ctx.db)} ({why})",
                f"대상 데이터베이스 {_safe_url(ctx.db)}을(를) 사용할 수 없습니다({why})",
            ) from exc
        counts: dict[str, int] = {}
        try:
            _fill(ctx, reader, Path(source), counts, progress)
        except SQLAlchemyError as exc:
            why = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise BackupError(
                f"the backup's rows could not be stored in {_safe_url(ctx.db)} ({why}); "
                "nothing was restored",
                f"백업의 행을 {_safe_url(ctx.db)}에 저장하지 못해 아무것도 복원하지 "
                f"않았습니다({why})",
            ) from exc
    return RestoreResult(Path(source), m, migrated, counts)
