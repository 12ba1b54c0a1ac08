"""Fast set-based writes of many input values: one batch = a few SQL statements.

PostgreSQL: each column of a batch is sent as one binary array (`unnest`); new figures go in
with a plain INSERT, stored ones through `INSERT ... ON CONFLICT DO UPDATE ... WHERE IS
DISTINCT FROM ... RETURNING`. SQLite: the batch is staged in a temporary table, then one
UPDATE changes the rows whose content differs and one INSERT adds the new ones. Either way no
ORM object is built per row, a changed row's version is bumped, an identical row is left
alone, and the (cycle, indicator) pairs touched come back so the caller recomputes only what
changed. Every statement goes through SQLAlchemy (visible to its events and logging).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Column,
    Double,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from citycert.store.models import IndicatorValue, InputValue

# The content columns a batch sets (besides the key and the bookkeeping columns).
CONTENT = (
    "value",
    "unit",
    "original_value",
    "original_unit",
    "source",
    "comment",
    "quality_grade",
)
STAGE_COLUMNS = ("cycle_id", "indicator", "input", *CONTENT)
# Notes a blank must not erase: a NULL in the batch keeps what is stored.
KEEP_WHEN_BLANK = ("source", "comment", "quality_grade")


def _pg_new(c: str) -> str:
    if c in KEEP_WHEN_BLANK:
        return f"COALESCE(excluded.{c}, input_value.{c})"
    return f"excluded.{c}"


_stage_meta = MetaData()
stage = Table(
    "citycert_input_stage",
    _stage_meta,
    Column("cycle_id", Integer),
    Column("indicator", String(20)),
    Column("input", String(80)),
    Column("value", Double),
    Column("unit", String(60)),
    Column("original_value", Double),
    Column("original_unit", String(60)),
    Column("source", Text),
    Column("comment", Text),
    Column("quality_grade", String(1)),
    prefixes=["TEMPORARY"],
)


_PG_TYPES = ("int4", "text", "text", "float8", "text", "float8", "text", "text", "text", "text")


def open_stage(session: Session) -> None:
    """Prepare this transaction for `merge_batch` (SQLite: a connection-private stage table)."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(text(f"DROP TABLE IF EXISTS temp.{stage.name}"))
        stage.create(session.connection())


def close_stage(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        session.execute(text(f"DROP TABLE IF EXISTS temp.{stage.name}"))


_PG_EXISTING = "SELECT cycle_id, indicator, input FROM input_value WHERE cycle_id = ANY(%(ids)s)"
_PG_INSERT = f"""
INSERT INTO input_value ({", ".join(STAGE_COLUMNS)}, updated_by, updated_at, version)
SELECT u.*, %(actor)s, %(at)s, 1
FROM unnest({", ".join(f"%({c})b::{t}[]" for c, t in zip(STAGE_COLUMNS, _PG_TYPES, strict=True))})
  AS u({", ".join(STAGE_COLUMNS)})
"""
# Figures already stored: change those whose content differs (a blank keeps a stored note).
_PG_MERGE = f"""{_PG_INSERT}
ON CONFLICT (cycle_id, indicator, input) DO UPDATE SET
  {", ".join(f"{c} = {_pg_new(c)}" for c in CONTENT)},
  updated_by = excluded.updated_by, updated_at = excluded.updated_at,
  version = input_value.version + 1
WHERE ({", ".join(f"input_value.{c}" for c in CONTENT)})
  IS DISTINCT FROM ({", ".join(_pg_new(c) for c in CONTENT)})
RETURNING cycle_id, indicator
"""


def _arrays(rows: Sequence[tuple[Any, ...]], actor: str, at: datetime) -> dict[str, Any]:
    """One list per column, sent as binary arrays (no per-value text escaping)."""
    columns = list(zip(*rows, strict=True))
    params: dict[str, Any] = {c: list(v) for c, v in zip(STAGE_COLUMNS, columns, strict=True)}
    params.update(actor=actor, at=at)
    return params


def _merge_postgresql(
    session: Session, rows: Sequence[tuple[Any, ...]], actor: str, at: datetime
) -> tuple[int, int, set[tuple[int, str]]]:
    conn = session.connection()
    ids = sorted({r[0] for r in rows})
    stored = {tuple(k) for k in conn.exec_driver_sql(_PG_EXISTING, {"ids": ids})}
    new = [r for r in rows if (r[0], r[1], r[2]) not in stored]
    old = [r for r in rows if (r[0], r[1], r[2]) in stored]
    touched = {(r[0], r[1]) for r in new}
    if new:
        # New figures: a plain INSERT, cheaper than ON CONFLICT. A figure someone else inserts
        # meanwhile fails the unique key and the whole load rolls back.
        conn.exec_driver_sql(_PG_INSERT, _arrays(new, actor, at))
    updated = 0
    if old:
        result = conn.exec_driver_sql(_PG_MERGE, _arrays(old, actor, at)).all()
        updated = len(result)
        touched.update((r[0], r[1]) for r in result)
    return len(new), updated, touched


def _literal(value: Any, name: str) -> Any:
    col = InputValue.__table__.c[name]
    return bindparam(f"lit_{name}", value, type_=col.type).label(name)


def merge_batch(
    session: Session, rows: Sequence[tuple[Any, ...]], *, actor: str, at: datetime
) -> tuple[int, int, set[tuple[int, str]]]:
    """Merge one batch (tuples in STAGE_COLUMNS order, keys unique within the batch).

    Returns (created, updated, touched (cycle_id, indicator) pairs). Rows equal to what is
    stored are left alone.
    """
    if not rows:
        return 0, 0, set()
    if session.get_bind().dialect.name == "postgresql":
        return _merge_postgresql(session, rows, actor, at)
    session.execute(stage.delete())
    session.execute(insert(stage), [dict(zip(STAGE_COLUMNS, r, strict=True)) for r in rows])
    iv = cast(Table, InputValue.__table__)
    s = stage.c
    same_key = and_(
        iv.c.cycle_id == s.cycle_id, iv.c.indicator == s.indicator, iv.c.input == s.input
    )
    new = {c: func.coalesce(s[c], iv.c[c]) if c in KEEP_WHEN_BLANK else s[c] for c in CONTENT}
    differs = or_(*(iv.c[c].is_distinct_from(new[c]) for c in CONTENT))
    upd = (
        update(iv)
        .where(same_key, differs)
        .values(
            **new,
            updated_by=actor,
            updated_at=at,
            version=iv.c.version + 1,
        )
        .returning(iv.c.cycle_id, iv.c.indicator)
    )
    updated_rows = session.execute(upd).all()
    new_rows = select(
        *(s[c] for c in STAGE_COLUMNS),
        _literal(actor, "updated_by"),
        _literal(at, "updated_at"),
        _literal(1, "version"),
    ).where(~exists().where(same_key))
    ins = (
        insert(iv)
        .from_select([*STAGE_COLUMNS, "updated_by", "updated_at", "version"], new_rows)
        .returning(iv.c.cycle_id, iv.c.indicator)
    )
    created_rows = session.execute(ins).all()
    touched = {(r[0], r[1]) for r in updated_rows}
    touched.update((r[0], r[1]) for r in created_rows)
    return len(created_rows), len(updated_rows), touched


_IV_COLUMNS = ("cycle_id", "indicator", "value", "unit", "status", "messages", "provenance")
_PG_IV_INSERT = """
INSERT INTO indicator_value (cycle_id, indicator, value, unit, status, messages, provenance,
  computed_at)
SELECT u.cycle_id, u.indicator, u.value, u.unit, u.status, u.messages::json, u.provenance::json,
  %(at)s
FROM unnest(%(cycle_id)b::int4[], %(indicator)b::text[], %(value)b::float8[], %(unit)b::text[],
  %(status)b::text[], %(messages)b::text[], %(provenance)b::text[])
  AS u(cycle_id, indicator, value, unit, status, messages, provenance)
"""


def insert_indicator_values(session: Session, rows: Sequence[dict[str, Any]], at: datetime) -> None:
    """Insert computed indicator values (dicts of `_IV_COLUMNS`) in one statement."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        table = cast(Table, IndicatorValue.__table__)
        session.execute(insert(table), [{**r, "computed_at": at} for r in rows])
        return
    params: dict[str, Any] = {c: [r[c] for r in rows] for c in _IV_COLUMNS}
    for c in ("messages", "provenance"):
        params[c] = [None if v is None else json.dumps(v) for v in params[c]]
    params["at"] = at
    session.connection().exec_driver_sql(_PG_IV_INSERT, params)


_PG_IV_UPDATE = """
UPDATE indicator_value AS iv SET value = u.value, unit = u.unit, status = u.status,
  messages = u.messages::json, provenance = u.provenance::json, computed_at = %(at)s
FROM unnest(%(id)b::int8[], %(value)b::float8[], %(unit)b::text[], %(status)b::text[],
  %(messages)b::text[], %(provenance)b::text[]) AS u(id, value, unit, status, messages, provenance)
WHERE iv.id = u.id
"""


def update_indicator_values(session: Session, rows: Sequence[dict[str, Any]], at: datetime) -> None:
    """Update computed indicator values by id (dicts of `id` and `_IV_COLUMNS` results)."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(update(IndicatorValue), [{**r, "computed_at": at} for r in rows])
        return
    params: dict[str, Any] = {c: [r[c] for r in rows] for c in ("id", "value", "unit", "status")}
    params["messages"] = [json.dumps(r["messages"]) for r in rows]
    params["provenance"] = [
        None if r["provenance"] is None else json.dumps(r["provenance"]) for r in rows
    ]
    params["at"] = at
    session.connection().exec_driver_sql(_PG_IV_UPDATE, params)
