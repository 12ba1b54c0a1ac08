"""The CityCert backup archive (`.ccbak`): one zip file, database-agnostic, checked before use.

Layout:
- `tables/<table>.jsonl`: one JSON object per row (columns in table order), tables in the order
  they must be inserted (parents before children);
- `blobs/<sha256>`: binary column values (evidence files), stored once per distinct content and
  named by the SHA-256 of their bytes; the row holds that hash;
- `manifest.json` (written last): format and version, schema (Alembic) revision, creation time,
  each table's columns with their value types and row count, the SHA-256 and size of every
  other member, and a summary of the audit chain.

Value encoding by column type: int, str, bool and json as JSON; float as a JSON number (not a
number and infinities as the strings "NaN", "Infinity", "-Infinity"); datetime as ISO 8601 UTC
with microseconds; date as ISO 8601; blob as the SHA-256 of the member holding the bytes.
Writers stream (rows go straight into the zip); readers stream too, and `verify` reads every
member once to check its hash before anything is restored.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

FORMAT_NAME = "citycert-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "tables/"
BLOBS_DIR = "blobs/"
SUFFIX = ".ccbak"
_CHUNK = 1024 * 1024

ColumnType = Literal["int", "float", "str", "bool", "datetime", "date", "json", "blob"]
Progress = Callable[[int], None]  # called with the number of rows (or blobs) just handled


class BackupFormatError(ValueError):
    """The file is not a usable CityCert backup; says why in English and Korean."""

    def __init__(self, en: str, ko: str) -> None:
        self.message_en = en
        self.message_ko = ko
        super().__init__(en)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    name: str
    type: ColumnType


class TableEntry(_Strict):
    name: str
    member: str
    columns: tuple[ColumnSpec, ...]
    rows: int = Field(ge=0)


class MemberEntry(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class AuditSummary(_Strict):
    """The audit chain at backup time: entries, the newest hash, whether every hash checked."""

    entries: int = Field(ge=0)
    tail_hash: str
    verified: bool


class Manifest(_Strict):
    format: Literal["citycert-backup"]
    format_version: int
    alembic_revision: str
    created_at: datetime
    created_by: str
    citycert_version: str
    source_dialect: str
    tables: tuple[TableEntry, ...]
    blobs: int = Field(ge=0)
    audit: AuditSummary
    members: dict[str, MemberEntry]

    def table(self, name: str) -> TableEntry | None:
        return next((t for t in self.tables if t.name == name), None)


# --- value encoding ------------------------------------------------------------------------

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _encode(value: Any, kind: ColumnType) -> Any:
    if value is None:
        return None
    if kind == "float":
        f = float(value)
        if math.isfinite(f):
            return f
        return "NaN" if math.isnan(f) else ("Infinity" if f > 0 else "-Infinity")
    if kind == "datetime":
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot go into a backup")
        return str(value.astimezone(UTC).isoformat(timespec="microseconds"))
    if kind == "date":
        return str(value.isoformat())
    return value


def _decode(value: Any, kind: ColumnType) -> Any:
    if value is None:
        return None
    if kind == "float":
        return _NON_FINITE[value] if isinstance(value, str) else float(value)
    if kind == "datetime":
        return datetime.fromisoformat(value).astimezone(UTC)
    if kind == "date":
        return date.fromisoformat(value)
    return value


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# --- writing -------------------------------------------------------------------------------


class _HashingWriter:
    """A zip member being written, with its SHA-256 and size kept up to date."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.digest.update(data)
        self.size += len(data)

    def entry(self) -> MemberEntry:
        return MemberEntry(sha256=self.digest.hexdigest(), size=self.size)


def _info(name: str) -> zipfile.ZipInfo:
    # A fixed member time: the archive's bytes then depend only on the data and the manifest.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


class TableSink:
    """Rows of one table going into the archive; `write` takes a row in column order.

    zipfile has one member open for writing at a time, so a table with blob columns spools its
    rows (small: the blobs go to their own members at once) to a temporary file first.
    """

    def __init__(self, archive: ArchiveWriter, name: str, columns: Sequence[ColumnSpec]) -> None:
        self.archive = archive
        self.name = name
        self.columns = tuple(columns)
        self.member = f"{TABLES_DIR}{name}.jsonl"
        self.rows = 0
        self._spool: IO[bytes] | None = None
        if any(c.type == "blob" for c in self.columns):
            self._spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
            self._out = _HashingWriter(self._spool)
        else:
            self._out = _HashingWriter(archive.zip.open(_info(self.member), "w", force_zip64=True))

    def write(self, row: Sequence[Any]) -> None:
        record: dict[str, Any] = {}
        for spec, value in zip(self.columns, row, strict=True):
            if spec.type == "blob" and value is not None:
                value = self.archive.blob(bytes(value))
            record[spec.name] = _encode(value, spec.type)
        self._out.write((_dumps(record) + "\n").encode("utf-8"))
        self.rows += 1

    def close(self) -> TableEntry:
        if self._spool is not None:
            self._spool.seek(0)
            with self.archive.zip.open(_info(self.member), "w", force_zip64=True) as member:
                while chunk := self._spool.read(_CHUNK):
                    member.write(chunk)
            self._spool.close()
        else:
            self._out.stream.close()
        self.archive.members[self.member] = self._out.entry()
        return TableEntry(name=self.name, member=self.member, columns=self.columns, rows=self.rows)


class ArchiveWriter:
    """Writes a backup to a temporary file next to `path`; `finish` moves it into place.

    A failed or interrupted backup never leaves a partial file under the target name.
    Use: `sink = w.table(...)`, `sink.write(row)`..., `w.add_table(sink)`; then `w.finish(...)`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        self.zip = zipfile.ZipFile(self.tmp, "w", compression=zipfile.ZIP_DEFLATED)
        self.members: dict[str, MemberEntry] = {}
        self.tables: list[TableEntry] = []
        self.blobs = 0

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None:
            self.abort()

    def table(self, name: str, columns: Sequence[ColumnSpec]) -> TableSink:
        """Start the member of one table; hand it to `add_table` before starting the next."""
        return TableSink(self, name, columns)

    def add_table(self, sink: TableSink) -> None:
        self.tables.append(sink.close())

    def blob(self, data: bytes) -> str:
        """Store `data` once, as member `blobs/<sha256>`; returns the SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        name = f"{BLOBS_DIR}{sha}"
        if name not in self.members:
            self.zip.writestr(_info(name), data)
            self.members[name] = MemberEntry(sha256=sha, size=len(data))
            self.blobs += 1
        return sha

    def finish(self, **fields: Any) -> Manifest:
        """Write the manifest (`fields`: all but format, tables, blobs, members) and commit."""
        manifest = Manifest(
            format=FORMAT_NAME,
            format_version=FORMAT_VERSION,
            tables=tuple(self.tables),
            blobs=self.blobs,
            members=dict(self.members),
            **fields,
        )
        self.zip.writestr(_info(MANIFEST), manifest.model_dump_json(indent=2) + "\n")
        self.zip.close()
        with self.tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(self.tmp, self.path)
        return manifest

    def abort(self) -> None:
        """Drop the partial archive."""
        # Closing may fail on a half-written member; the file is deleted next anyway.
        with contextlib.suppress(OSError, ValueError, zipfile.BadZipFile):
            self.zip.close()
        self.tmp.unlink(missing_ok=True)


# --- reading -------------------------------------------------------------------------------

_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeDecodeError)


def _unreadable(path: Path, exc: BaseException) -> BackupFormatError:
    return BackupFormatError(
        f"{path} is not a readable CityCert backup (damaged or truncated: {exc}); "
        "use another copy of the backup",
        f"{path}은(는) 읽을 수 있는 CityCert 백업 파일이 아닙니다(손상되었거나 잘렸습니다: "
        f"{exc}). 다른 백업 사본을 사용하십시오",
    )


class ArchiveReader:
    """An opened backup: its manifest, a full hash check, and streamed rows per table."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_file():
            raise BackupFormatError(
                f"backup file {path} not found", f"백업 파일 {path}을(를) 찾을 수 없습니다"
            )
        try:
            self.zip = zipfile.ZipFile(path)
            raw = self.zip.read(MANIFEST)
        except KeyError:
            self.zip.close()
            raise BackupFormatError(
                f"{path} has no {MANIFEST}: it is not a CityCert backup",
                f"{path}에 {MANIFEST}이(가) 없습니다. CityCert 백업 파일이 아닙니다",
            ) from None
        except _BROKEN as exc:
            raise _unreadable(path, exc) from None
        self.manifest = self._parse(raw)

    def _parse(self, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise _unreadable(self.path, exc) from None
        if isinstance(data, Mapping) and data.get("format") == FORMAT_NAME:
            version = data.get("format_version")
            if isinstance(version, int) and version > FORMAT_VERSION:
                raise BackupFormatError(
                    f"{self.path} is backup format version {version}; this CityCert reads up "
                    f"to version {FORMAT_VERSION}: restore it with a newer CityCert",
                    f"{self.path}은(는) 백업 형식 버전 {version}입니다. 이 CityCert는 "
                    f"{FORMAT_VERSION} 버전까지 읽습니다. 더 새로운 CityCert로 복원하십시오",
                )
        try:
            return Manifest.model_validate(data)
        except ValidationError as exc:
            where = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
            )
            raise BackupFormatError(
                f"{self.path}: {MANIFEST} is not a valid CityCert backup manifest: {where}",
                f"{self.path}: {MANIFEST}이(가) 올바른 CityCert 백업 목록이 아닙니다: {where}",
            ) from None

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self, progress: Progress | None = None) -> list[tuple[str, str]]:
        """Every problem with the members (missing, unexpected, wrong hash or size) as
        (English, Korean) texts; [] when all is well."""
        problems: list[tuple[str, str]] = []
        names = [i.filename for i in self.zip.infolist()]
        expected = set(self.manifest.members)
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append((f"{name}: present more than once", f"{name}: 두 번 이상 들어 있음"))
        for name in sorted(expected - set(names)):
            problems.append(
                (f"{name}: listed in {MANIFEST} but missing", f"{name}: {MANIFEST}에 있으나 없음")
            )
        for name in sorted(set(names) - expected - {MANIFEST}):
            problems.append(
                (f"{name}: not listed in {MANIFEST}", f"{name}: {MANIFEST}에 없는 항목")
            )
        for table in self.manifest.tables:
            if table.member not in expected:
                problems.append(
                    (
                        f"{table.member}: table {table.name} has no member entry",
                        f"{table.member}: 테이블 {table.name}의 항목 정보가 없음",
                    )
                )
        for name in sorted(expected & set(names)):
            want = self.manifest.members[name]
            if name.startswith(BLOBS_DIR) and name[len(BLOBS_DIR) :] != want.sha256:
                problems.append(
                    (
                        f"{name}: a blob must be named by its SHA-256",
                        f"{name}: 파일 내용 항목의 이름은 SHA-256이어야 함",
                    )
                )
            digest, size = hashlib.sha256(), 0
            try:
                with self.zip.open(name) as f:
                    while chunk := f.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
            except _BROKEN as exc:
                problems.append((f"{name}: unreadable ({exc})", f"{name}: 읽을 수 없음({exc})"))
                continue
            if digest.hexdigest() != want.sha256 or size != want.size:
                problems.append(
                    (
                        f"{name}: content does not match its SHA-256 in {MANIFEST} "
                        f"({size} bytes, expected {want.size})",
                        f"{name}: 내용이 {MANIFEST}의 SHA-256과 다름({size}바이트, 예상 "
                        f"{want.size}바이트)",
                    )
                )
            if progress is not None:
                progress(1)
        return problems

    def rows(self, table: TableEntry) -> Iterator[dict[str, Any]]:
        """The rows of `table`, decoded (blob columns as bytes), streamed from the archive."""
        kinds = {c.name: c.type for c in table.columns}
        try:
            with self.zip.open(table.member) as raw:
                for lineno, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), 1):
                    record = json.loads(line)
                    if not isinstance(record, dict) or set(record) != set(kinds):
                        raise BackupFormatError(
                            f"{table.member} line {lineno}: the row does not have the columns "
                            f"{MANIFEST} lists",
                            f"{table.member} {lineno}번째 줄: 행의 열이 {MANIFEST}의 목록과 "
                            "다릅니다",
                        )
                    yield {k: self._value(record[k], kinds[k]) for k in kinds}
        except _BROKEN as exc:
            raise _unreadable(self.path, exc) from None

    def _value(self, value: Any, kind: ColumnType) -> Any:
        if kind == "blob" and value is not None:
            return self.zip.read(f"{BLOBS_DIR}{value}")
        return _decode(value, kind)
