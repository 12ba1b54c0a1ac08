"""Backup and restore: one portable file; restore into an empty database, all or nothing.

The source is a demo-like database with a row in every table (tests/hardening/world.py), built
once per backend and backed up once; each test restores into its own new database. Round trips
cross backends (SQLite <-> PostgreSQL when CITYCERT_TEST_POSTGRES_URL is set) and compare every
table row by row, the `citycert export --format json` files byte by byte, and the audit chain.
Damaged archives (changed, missing or extra members, truncated, other schema revision) and
occupied targets are refused before anything is written; archives that are consistent but
wrong (bad counts, a changed audit entry, a broken reference) roll back completely.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from citycert.cli import app
from citycert.domain.authz import Grant, Role
from citycert.io.backup_format import MANIFEST
from citycert.services import backup as backup_service
from citycert.services import cities, values
from citycert.services.backup import BackupError
from citycert.services.context import ServiceContext
from citycert.services.principal import Principal
from citycert.services.values import InputChange
from citycert.store import migrate
from citycert.store.audit_log import verify_chain
from citycert.store.engine import Database
from citycert.store.models import Base
from tests.hardening.databases import backend_params, row_counts, table_names, table_rows
from tests.hardening.databases import throwaway_url as new_url
from tests.hardening.world import PDF, build_world

runner = CliRunner()
START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


class TickingClock:
    """Each reading is one second after the previous one (distinct, reproducible times)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass(frozen=True)
class Source:
    url: str
    db: Database
    archive: Path
    rows: dict[str, list[tuple[Any, ...]]]


def cli(*args: str) -> Result:
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Source]]:
    """The demo-like source database of a backend and its backup, built once per module."""
    made: dict[str, Source] = {}
    with ExitStack() as stack:

        def get(kind: str) -> Source:
            if kind not in made:
                folder = tmp_path_factory.mktemp(f"source-{kind}")
                url = stack.enter_context(new_url(kind, folder))
                db = Database.from_url(url)
                stack.callback(db.dispose)
                migrate.upgrade(db)
                build_world(ServiceContext(db=db, actor="admin@kcert", clock=TickingClock()))
                archive = folder / "citycert.ccbak"
                result = cli("backup", "-o", str(archive), "--database-url", url)
                assert result.exit_code == 0, result.output
                made[kind] = Source(url, db, archive, table_rows(db))
            return made[kind]

        yield get


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Callable[[str], tuple[str, Database]]]:
    """New empty databases (no tables) of a backend, removed after the test."""
    with ExitStack() as stack:

        def make(kind: str) -> tuple[str, Database]:
            url = stack.enter_context(new_url(kind, tmp_path))
            db = Database.from_url(url)
            stack.callback(db.dispose)
            return url, db

        yield make


def export_json(url: str, path: Path) -> bytes:
    result = cli("export", "--format", "json", "-o", str(path), "--database-url", url)
    assert result.exit_code == 0, result.output
    return path.read_bytes()


ROUND_TRIPS = backend_params(
    ("sqlite", "sqlite"),
    ("sqlite", "postgresql"),
    ("postgresql", "sqlite"),
    ("postgresql", "postgresql"),
)


@pytest.mark.parametrize(("source_kind", "target_kind"), ROUND_TRIPS)
def test_restore_into_an_empty_database_gives_the_same_rows_exports_and_audit_chain(
    source_kind: str,
    target_kind: str,
    sources: Callable[[str], Source],
    target: Callable[[str], tuple[str, Database]],
    tmp_path: Path,
) -> None:
    src = sources(source_kind)
    url, db = target(target_kind)

    result = cli("restore", str(src.archive), "--database-url", url)

    assert result.exit_code == 0, result.output
    assert "created the tables" in result.output and "테이블을 만들고" in result.output
    restored = table_rows(db)
    assert all(src.rows[name] for name in src.rows), "the source must fill every table"
    for name, rows in src.rows.items():
        if name != "audit_log":
            assert restored[name] == rows, name
    # The chain is kept entry for entry, and the restore itself is recorded at its end.
    audit = restored["audit_log"]
    assert audit[: len(src.rows["audit_log"])] == src.rows["audit_log"]
    assert [e[3] for e in audit[len(src.rows["audit_log"]) :]] == ["database.restore"]
    assert export_json(url, tmp_path / "restored.json") == export_json(
        src.url, tmp_path / "source.json"
    )
    verified = cli("audit", "verify", "--database-url", url)
    assert verified.exit_code == 0, verified.output


@pytest.mark.parametrize("kind", backend_params(("sqlite",), ("postgresql",)))
def test_new_rows_after_a_restore_get_fresh_ids(
    kind: str,
    sources: Callable[[str], Source],
    target: Callable[[str], tuple[str, Database]],
) -> None:
    src = sources("sqlite")
    url, db = target(kind)
    assert cli("restore", str(src.archive), "--database-url", url).exit_code == 0
    ctx = ServiceContext(db=db, actor="admin@kcert", clock=TickingClock())

    city = cities.create_city(
        ctx, data=cities.parse_create({"slug": "ulsan", "name_en": "Ulsan", "name_ko": "울산광역시",
                                       "country": "KR"})
    )  # fmt: skip
    summary = values.set_inputs(ctx, 2, [InputChange("5.7", "visitor_overnight_stays", 12)])

    assert city.id == max(r[0] for r in src.rows["city"]) + 1
    assert summary.created == 1
    assert max(r[0] for r in table_rows(db)["input_value"]) == len(src.rows["input_value"]) + 1
    with db.read() as s:
        assert verify_chain(s).ok


def test_restore_into_a_migrated_empty_database_keeps_its_tables(
    sources: Callable[[str], Source], target: Callable[[str], tuple[str, Database]]
) -> None:
    src = sources("sqlite")
    url, db = target("sqlite")
    assert cli("db", "upgrade", "--database-url", url).exit_code == 0

    result = cli("restore", str(src.archive), "--database-url", url)

    assert result.exit_code == 0, result.output
    assert "created the tables" not in result.output
    assert row_counts(db)["input_value"] == len(src.rows["input_value"])


def test_the_archive_lists_every_table_in_insert_order_with_counts_and_member_hashes(
    sources: Callable[[str], Source],
) -> None:
    src = sources("sqlite")
    with zipfile.ZipFile(src.archive) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        members = {name: zf.read(name) for name in zf.namelist() if name != MANIFEST}
        blob_rows = [json.loads(x) for x in zf.read("tables/evidence_blob.jsonl").splitlines()]

    assert manifest["format"] == "citycert-backup"
    assert manifest["alembic_revision"] == migrate.head_revision()
    order = [t["name"] for t in manifest["tables"]]
    assert sorted(order) == sorted(Base.metadata.tables)
    for name in order:  # every table comes after the tables it refers to
        for fk in Base.metadata.tables[name].foreign_keys:
            assert order.index(fk.column.table.name) < order.index(name), (name, fk)
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {
        n: len(r) for n, r in src.rows.items()
    }
    assert {n: hashlib.sha256(b).hexdigest() for n, b in members.items()} == {
        n: m["sha256"] for n, m in manifest["members"].items()
    }
    # Evidence contents are separate members named by their hash; one per distinct content.
    assert manifest["blobs"] == 3 == len(src.rows["evidence_blob"])
    assert members[f"blobs/{hashlib.sha256(PDF).hexdigest()}"] == PDF
    assert all(r["data"] == r["sha256"] for r in blob_rows)
    assert manifest["audit"]["verified"] is True
    assert manifest["audit"]["entries"] == len(src.rows["audit_log"])


# --- damaged archives: refused before anything is written -----------------------------------


def _rewrite(
    archive: Path,
    change: Callable[[dict[str, bytes]], None],
    *,
    rehash: bool = False,
) -> None:
    """Rewrite the archive's members through `change`; with `rehash`, fix the manifest's hashes."""
    with zipfile.ZipFile(archive) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    change(members)
    if rehash:
        manifest = json.loads(members[MANIFEST])
        for name, entry in manifest["members"].items():
            entry["sha256"] = hashlib.sha256(members[name]).hexdigest()
            entry["size"] = len(members[name])
        members[MANIFEST] = json.dumps(manifest).encode()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _edit_lines(members: dict[str, bytes], member: str, edit: Callable[[list[Any]], None]) -> None:
    rows = [json.loads(line) for line in members[member].splitlines()]
    edit(rows)
    members[member] = b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def change_a_value(m: dict[str, bytes]) -> None:
    _edit_lines(m, "tables/input_value.jsonl", lambda rows: rows[0].update(value=999.0))


def drop_a_blob(m: dict[str, bytes]) -> None:
    del m[f"blobs/{hashlib.sha256(PDF).hexdigest()}"]


def add_a_member(m: dict[str, bytes]) -> None:
    m["tables/notes.txt"] = b"hello"


def older_revision(m: dict[str, bytes]) -> None:
    manifest = json.loads(m[MANIFEST])
    manifest["alembic_revision"] = "0001_initial"
    m[MANIFEST] = json.dumps(manifest).encode()


def newer_format(m: dict[str, bytes]) -> None:
    manifest = json.loads(m[MANIFEST])
    manifest["format_version"] = 2
    m[MANIFEST] = json.dumps(manifest).encode()


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("tables/audit_log.jsonl")
    # Inside the member's compressed data (past its local header).
    at = info.header_offset + 30 + len(info.filename.encode()) + info.compress_size // 2
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def not_a_zip(path: Path) -> None:
    path.write_text("city,catalog,year\ndaegu,iso37120-2018,2023\n", encoding="utf-8")


DAMAGE: list[Any] = [
    # (how the archive is damaged, words the English error must contain, and the Korean one)
    pytest.param(lambda p: _rewrite(p, change_a_value), "tables/input_value.jsonl: content "
                 "does not match its SHA-256", "내용이 manifest.json의 SHA-256과 다름",
                 id="changed-member"),
    pytest.param(lambda p: _rewrite(p, drop_a_blob), "listed in manifest.json but missing",
                 "manifest.json에 있으나 없음", id="missing-blob"),
    pytest.param(lambda p: _rewrite(p, add_a_member), "tables/notes.txt: not listed in "
                 "manifest.json", "tables/notes.txt: manifest.json에 없는 항목", id="extra-member"),
    pytest.param(lambda p: _rewrite(p, older_revision), "made at schema revision 0001_initial",
                 "스키마 버전 0001_initial", id="other-revision"),
    pytest.param(lambda p: _rewrite(p, newer_format), "backup format version 2",
                 "백업 형식 버전 2", id="newer-format"),
    pytest.param(truncate, "damaged or truncated", "손상되었거나 잘렸습니다", id="truncated"),
    pytest.param(flip_a_byte, "tables/audit_log.jsonl: unreadable",
                 "tables/audit_log.jsonl: 읽을 수 없음", id="flipped-byte"),
    pytest.param(not_a_zip, "not a readable CityCert backup",
                 "읽을 수 있는 CityCert 백업 파일이 아닙니다", id="not-a-zip"),
]  # fmt: skip


@pytest.mark.parametrize(("damage", "words", "words_ko"), DAMAGE)
def test_a_damaged_archive_is_refused_with_a_clear_error_and_nothing_is_written(
    damage: Callable[[Path], None],
    words: str,
    words_ko: str,
    sources: Callable[[str], Source],
    target: Callable[[str], tuple[str, Database]],
    tmp_path: Path,
) -> None:
    archive = tmp_path / "damaged.ccbak"
    shutil.copyfile(sources("sqlite").archive, archive)
    damage(archive)
    url, db = target("sqlite")

    checked = cli("restore", str(archive), "--check")
    result = cli("restore", str(archive), "--database-url", url)

    assert checked.exit_code == 2 and words in checked.output, checked.output
    assert result.exit_code == 2, result.output
    assert words in result.output.replace("\n", " ")
    assert words_ko in result.output
    assert "Traceback" not in result.output
    assert table_names(db) == set()  # not even migrated


# --- consistent but wrong archives: the one transaction rolls back -------------------------


def fewer_rows_than_listed(m: dict[str, bytes]) -> None:
    _edit_lines(m, "tables/maturity_item.jsonl", lambda rows: rows.pop())


def changed_audit_entry(m: dict[str, bytes]) -> None:
    _edit_lines(m, "tables/audit_log.jsonl", lambda rows: rows[4].update(actor="someone.else"))


def dangling_reference(m: dict[str, bytes]) -> None:
    _edit_lines(m, "tables/input_value.jsonl", lambda rows: rows[-1].update(cycle_id=999))


WRONG: list[Any] = [
    pytest.param(fewer_rows_than_listed, "holds 1 rows, the manifest says 2", id="row-count"),
    pytest.param(changed_audit_entry, "audit log does not match", id="audit-entry"),
    pytest.param(dangling_reference, "could not be stored", id="foreign-key"),
]


@pytest.mark.parametrize("kind", backend_params(("sqlite",), ("postgresql",)))
@pytest.mark.parametrize(("wrong", "words"), WRONG)
def test_an_archive_that_is_consistent_but_wrong_rolls_back_completely(
    wrong: Callable[[dict[str, bytes]], None],
    words: str,
    kind: str,
    sources: Callable[[str], Source],
    target: Callable[[str], tuple[str, Database]],
    tmp_path: Path,
) -> None:
    archive = tmp_path / "wrong.ccbak"
    shutil.copyfile(sources("sqlite").archive, archive)
    _rewrite(archive, wrong, rehash=True)
    assert cli("restore", str(archive), "--check").exit_code == 0  # every hash matches
    url, db = target(kind)

    result = cli("restore", str(archive), "--database-url", url)

    assert result.exit_code == 2, result.output
    assert words in result.output.replace("\n", " ")
    assert "nothing was restored" in result.output.replace("\n", " ")
    assert set(row_counts(db).values()) == {0}


# --- occupied targets and who may restore ---------------------------------------------------


@pytest.mark.parametrize("kind", backend_params(("sqlite",), ("postgresql",)))
def test_a_target_holding_data_is_refused_and_left_as_it_was(
    kind: str,
    sources: Callable[[str], Source],
    target: Callable[[str], tuple[str, Database]],
) -> None:
    url, db = target(kind)
    migrate.upgrade(db)
    cities.create_city(
        ServiceContext(db=db, actor="admin@kcert"),
        data=cities.parse_create({"slug": "jeonju", "name_en": "Jeonju", "name_ko": "전주시",
                                  "country": "KR"}),
    )  # fmt: skip
    before = table_rows(db)

    result = cli("restore", str(sources("sqlite").archive), "--database-url", url)

    text = result.output.replace("\n", " ")
    assert result.exit_code == 2, result.output
    assert "it is not empty (audit_log: 1 rows, city: 1 rows)" in text
    assert "Restore into an empty database" in text and "빈 데이터베이스에 복원하십시오" in text
    assert table_rows(db) == before


def test_only_an_administrator_may_back_up_or_restore(
    sources: Callable[[str], Source], tmp_path: Path
) -> None:
    src = sources("sqlite")
    editor = Principal(user_id=2, login="editor.daegu", grants=(Grant(Role.city_editor, 1),))
    ctx = ServiceContext(db=src.db, actor="editor.daegu", principal=editor)

    with pytest.raises(BackupError) as refused_backup:
        backup_service.backup(ctx, target=tmp_path / "mine.ccbak")
    with pytest.raises(BackupError) as refused_restore:
        backup_service.restore(ctx, source=src.archive)

    assert "only an administrator" in str(refused_backup.value)
    assert "관리자만" in refused_restore.value.message_ko
    assert list(tmp_path.iterdir()) == []


def test_a_backup_that_fails_half_way_leaves_no_file_behind(
    sources: Callable[[str], Source], tmp_path: Path
) -> None:
    src = sources("sqlite")
    ctx = ServiceContext(db=src.db, actor="admin@kcert")
    seen = io.StringIO()

    def interrupt(n: int) -> None:
        seen.write("x" * n)
        if len(seen.getvalue()) > 30:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backup_service.backup(ctx, target=tmp_path / "half.ccbak", progress=interrupt)

    assert list(tmp_path.iterdir()) == []


def test_backup_to_a_folder_is_refused_and_names_a_file_to_use(
    sources: Callable[[str], Source], tmp_path: Path
) -> None:
    result = cli("backup", "-o", str(tmp_path), "--database-url", sources("sqlite").url)

    assert result.exit_code == 2
    assert "is a folder" in result.output and "폴더입니다" in result.output
    assert list(tmp_path.iterdir()) == []
