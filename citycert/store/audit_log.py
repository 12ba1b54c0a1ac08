"""The tamper-evident audit log: append (serialised), verify the hash chain, export, history.

Each entry's hash is the SHA-256 of a canonical JSON of its fields and the previous entry's hash,
so changing, inserting or deleting any stored entry breaks every later link. Appends are
serialised so the chain never forks: PostgreSQL takes a transaction-scoped advisory lock before
reading the chain's tail; on SQLite the write transaction itself (BEGIN IMMEDIATE) serialises.
Call `append` inside the same transaction as the change it records.

Removing entries from the END of the log leaves a valid, shorter chain: to detect that too, keep
the newest hash (`VerifyResult.last_hash`, printed by `citycert audit verify`) somewhere else,
e.g. in a signed report, and compare later.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from citycert.store.models import AuditLog

GENESIS_HASH = "0" * 64
# Arbitrary constant naming "the audit chain" among PostgreSQL advisory locks.
ADVISORY_LOCK_KEY = 371_200_001

ExportFormat = Literal["csv", "json"]
COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "entity",
    "entity_key",
    "old",
    "new",
    "reason",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_key: str
    old: Any
    new: Any
    reason: str | None
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = iso(self.at)
        return d


@dataclass(frozen=True)
class VerifyResult:
    """`ok` when every entry checks; otherwise the first broken entry and why."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    action: str | None = None
    entity_key: str | None = None
    # Hash of the newest entry checked (None for an empty log): an anchor to keep elsewhere.
    last_hash: str | None = None


def iso(at: datetime) -> str:
    """The one text form of a time that goes into hashes: UTC, microseconds, `+00:00`."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _json_safe(value: Any) -> Any:
    # Round-trip through JSON so what is hashed is exactly what the database gives back
    # (tuples become lists, keys become strings); NaN and infinity are refused.
    return None if value is None else json.loads(json.dumps(value, allow_nan=False))


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    old: Any,
    new: Any,
    reason: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical JSON of one entry's fields."""
    doc = {
        "seq": seq,
        "at": iso(at),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_key": entity_key,
        "old": old,
        "new": new,
        "reason": reason,
        "prev_hash": prev_hash,
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lock_chain(session: Session) -> None:
    """Serialise chain appends until this transaction ends (PostgreSQL; SQLite needs nothing)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))


def tail(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest entry, or (0, GENESIS_HASH) for an empty log."""
    row = session.execute(
        select(AuditLog.seq, AuditLog.hash).order_by(AuditLog.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    old: Any = None,
    new: Any = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one entry at the chain's end, in the caller's transaction."""
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    lock_chain(session)
    last_seq, last_hash = tail(session)
    fields: dict[str, Any] = {
        "seq": last_seq + 1,
        "at": at.astimezone(UTC),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_key": entity_key,
        "old": _json_safe(old),
        "new": _json_safe(new),
        "reason": reason,
        "prev_hash": last_hash,
    }
    fields["hash"] = entry_hash(**fields)
    session.execute(insert(AuditLog), [fields])
    return AuditEntry(**fields)


_COLS = tuple(getattr(AuditLog, c) for c in COLUMNS)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(**dict(zip(COLUMNS, row, strict=True)))


def entries(session: Session, *, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry in chain order, streamed in batches."""
    last = 0
    while True:
        rows = session.execute(
            select(*_COLS).where(AuditLog.seq > last).order_by(AuditLog.seq).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield _entry(row)
        last = rows[-1][0]


def verify_chain(session: Session) -> VerifyResult:
    """Recompute every hash and link; report the first entry that does not check."""
    expected_seq, prev = 1, GENESIS_HASH
    checked = 0
    for e in entries(session):
        fields = asdict(e)
        stored = fields.pop("hash")
        why = None
        if e.seq != expected_seq:
            why = f"sequence jumps from {expected_seq - 1} to {e.seq}: entries are missing"
        elif e.prev_hash != prev:
            why = "prev_hash does not match the previous entry's hash"
        elif entry_hash(**fields) != stored:
            why = "content does not match its hash: the entry was changed"
        if why is not None:
            return VerifyResult(False, checked, e.seq, why, e.action, e.entity_key)
        checked += 1
        expected_seq, prev = e.seq + 1, stored
    return VerifyResult(True, checked, last_hash=None if checked == 0 else prev)


def history(session: Session, entity_key_prefix: str) -> list[AuditEntry]:
    """Entries for a key and everything under it (`daegu/iso37120-2018/2023/5.1`), oldest first."""
    prefix = entity_key_prefix.strip().rstrip("/")
    rows = session.execute(
        select(*_COLS)
        .where(
            or_(
                AuditLog.entity_key == prefix,
                AuditLog.entity_key.startswith(prefix + "/", autoescape=True),
            )
        )
        .order_by(AuditLog.seq)
    ).all()
    return [_entry(r) for r in rows]


def write_export(session: Session, fmt: ExportFormat, out: io.TextIOBase | Any) -> int:
    """Write the whole log to a text stream as CSV or JSON; returns the number of entries."""
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for e in entries(session):
            d = e.as_dict()
            for k in ("old", "new"):
                d[k] = "" if d[k] is None else json.dumps(d[k], ensure_ascii=False, sort_keys=True)
            writer.writerow(["" if d[c] is None else d[c] for c in COLUMNS])
            n += 1
        return n
    if fmt != "json":
        raise ValueError(f"unknown export format {fmt!r}; use csv or json")
    out.write("[")
    for e in entries(session):
        out.write(",\n" if n else "\n")
        out.write(json.dumps(e.as_dict(), ensure_ascii=False, sort_keys=True))
        n += 1
    out.write("\n]\n")
    return n


def export(session: Session, fmt: ExportFormat) -> str:
    """The whole log as CSV or JSON text."""
    buf = io.StringIO()
    write_export(session, fmt, buf)
    return buf.getvalue()


def last_change(session: Session, entity_key: str) -> AuditEntry | None:
    """The newest entry for exactly this key (who changed it last, and when), or None."""
    row = session.execute(
        select(*_COLS).where(AuditLog.entity_key == entity_key).order_by(AuditLog.seq.desc())
    ).first()
    return _entry(row) if row else None
