"""Whole-database batch: recompute, validate and certify every reporting cycle, streaming.

Cycles are taken city by city (each city's cycles in year order, so every cycle is validated
against the city's earlier years, as `data_quality.run_validation` does) in chunks of a few
dozen cities: memory stays the same whatever the size of the database. For each chunk:
1. read its cities, cycles, raw inputs and stored indicator values (no lock held);
2. compute every indicator, validate every cycle, and assess the level each cycle would reach
   if every indicator that computes cleanly and has no validation error were verified;
3. write only the indicator values that differ from what is stored, in one transaction with
   one audit entry (`batch.recompute`) naming the cycles changed. Cycles whose inputs changed
   since step 1 are recomputed from the fresh inputs inside that transaction.
With `workers` > 1, chunks run in that many processes, each with its own connection.
Only an administrator (or the command line) may run it.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citycert.domain.authz import Action
from citycert.domain.calculation import RawInput, Result, Status, compute_catalog
from citycert.domain.certification import assess
from citycert.domain.validation import ValidationContext, validate
from citycert.domain.validation.findings import Finding
from citycert.services.context import ServiceContext
from citycert.services.cycles import cycle_key
from citycert.services.principal import PermissionDenied, principal_of
from citycert.standards.catalog import Catalog, get_catalog
from citycert.standards.levels import LevelRulesFile, UnknownLevelRulesError, get_level_rules
from citycert.standards.validation import Severity
from citycert.store.engine import Database
from citycert.store.models import City, ReportingCycle

CHUNK_CYCLES = 500  # cycles per chunk (whole cities), one transaction each


@dataclass
class BatchReport:
    """What a batch run found and did, by count."""

    cycles: int = 0
    cities: int = 0
    indicators: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)  # by severity
    cycles_with_errors: int = 0
    levels: Counter[str] = field(default_factory=Counter)  # projected level id or "none"
    seconds: float = 0.0
    workers: int = 1

    def add(self, other: BatchReport) -> None:
        for name in ("cycles", "cities", "indicators", "created", "updated", "unchanged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.cycles_with_errors += other.cycles_with_errors
        self.statuses.update(other.statuses)
        self.findings.update(other.findings)
        self.levels.update(other.levels)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cycles": self.cycles,
            "cities": self.cities,
            "indicators": self.indicators,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "statuses": dict(sorted(self.statuses.items())),
            "findings": dict(sorted(self.findings.items())),
            "cycles_with_errors": self.cycles_with_errors,
            "levels": dict(sorted(self.levels.items())),
            "seconds": round(self.seconds, 3),
            "workers": self.workers,
        }


@dataclass(frozen=True)
class CycleOutcome:
    """One cycle's result: its key, indicator counts, findings and projected level."""

    key: str
    indicators: int
    ok: int
    changed: int
    errors: int
    warnings: int
    level: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "cycle": self.key,
            "indicators": self.indicators,
            "ok": self.ok,
            "changed": self.changed,
            "errors": self.errors,
            "warnings": self.warnings,
            "level": self.level,
        }


# --- stored text of computed values ------------------------------------------------------------

_JSON_NAMES: dict[str, str] = {}
_ENDS: dict[tuple[str, str, str], tuple[str, str]] = {}  # text before and after the inputs


def _name(text: str) -> str:
    found = _JSON_NAMES.get(text)
    if found is None:
        found = _JSON_NAMES[text] = json.dumps(text)
    return found


def messages_text(res: Result) -> str:
    """`json.dumps` of the stored messages list (what the JSON column holds)."""
    if not res.messages:
        return "[]"
    return json.dumps([m.as_dict() for m in res.messages])


def provenance_text(res: Result) -> str | None:
    """`json.dumps` of the stored provenance dict, built without the general encoder."""
    p = res.provenance
    if p is None:
        return None
    ends = _ENDS.get((p.formula, p.catalog, p.catalog_version))
    if ends is None:
        ends = _ENDS[(p.formula, p.catalog, p.catalog_version)] = (
            f'{{"formula": {json.dumps(p.formula)}, "inputs": {{',
            f'}}, "catalog": {json.dumps(p.catalog)}, '
            f'"catalog_version": {json.dumps(p.catalog_version)}}}',
        )
    parts = []
    for name, v in p.inputs.items():
        if type(v) is not float and type(v) is not int:  # a bool or other type: the encoder
            return json.dumps(_provenance_dict(res))
        parts.append(f"{_name(name)}: {v!r}")
    return ends[0] + ", ".join(parts) + ends[1]


def _provenance_dict(res: Result) -> dict[str, Any] | None:
    p = res.provenance
    if p is None:
        return None
    return {
        "formula": p.formula,
        "inputs": dict(p.inputs),
        "catalog": p.catalog,
        "catalog_version": p.catalog_version,
    }


# --- one chunk ---------------------------------------------------------------------------------


@dataclass
class _Cycle:
    id: int
    city_id: int
    catalog: str
    year: int
    slug: str
    population: int | None
    inputs: dict[str, dict[str, RawInput]] = field(default_factory=dict)


def _query(s: Session, sql: str, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Rows of `sql` (its `{ids}` standing for the cycle ids) straight from the driver: a chunk
    reads a few hundred thousand rows, and plain tuples are what the loop below needs."""
    cur = s.connection().connection.cursor()
    try:
        if s.get_bind().dialect.name == "postgresql":
            cur.execute(sql.replace("IN {ids}", "= ANY(%s)"), (list(ids),))
        else:
            cur.execute(sql.replace("{ids}", f"({', '.join('?' * len(ids))})"), tuple(ids))
        return list(cur.fetchall())
    finally:
        cur.close()


_INPUTS_SQL = (
    "SELECT cycle_id, indicator, input, value, unit FROM input_value WHERE cycle_id IN {ids}"
)
_STORED_SQL = (
    "SELECT cycle_id, indicator, id, value, unit, status, CAST(messages AS TEXT), "
    "CAST(provenance AS TEXT) FROM indicator_value WHERE cycle_id IN {ids}"
)
# Any save changes a cycle's inputs' count, sum of versions or last id.
_FINGERPRINT_SQL = (
    "SELECT cycle_id, count(*), sum(version), max(id) FROM input_value "
    "WHERE cycle_id IN {ids} GROUP BY cycle_id"
)


def _read_inputs(s: Session, ids: Sequence[int]) -> dict[int, dict[str, dict[str, RawInput]]]:
    out: dict[int, dict[str, dict[str, RawInput]]] = {i: {} for i in ids}
    for cid, number, name, value, unit in _query(s, _INPUTS_SQL, ids):
        by_number = out[cid].get(number)
        if by_number is None:
            by_number = out[cid][number] = {}
        by_number[name] = RawInput(value, unit)
    return out


def _fingerprints(s: Session, ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in _query(s, _FINGERPRINT_SQL, ids)}


def _stored(s: Session, ids: Sequence[int]) -> dict[tuple[int, str], tuple[Any, ...]]:
    return {(r[0], r[1]): r[2:] for r in _query(s, _STORED_SQL, ids)}


@dataclass
class _Plan:
    """Rows to write for a chunk, and what the chunk found."""

    # (cycle_id, indicator, value, unit, status, messages, provenance)
    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    # (id, value, unit, status, messages, provenance)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    changed: Counter[str] = field(default_factory=Counter)  # cycle key -> values written


def _evaluate(
    cycle: _Cycle,
    catalog: Catalog,
    rules: LevelRulesFile | None,
    history: dict[str, list[tuple[int, float]]],
    stored: dict[tuple[int, str], tuple[Any, ...]],
    plan: _Plan,
    report: BatchReport,
) -> CycleOutcome:
    """Compute, compare with what is stored, validate and assess one cycle."""
    results = compute_catalog(catalog, cycle.inputs)
    context = ValidationContext(
        city_population=float(cycle.population) if cycle.population else None,
        history=history,
        year=cycle.year,
    )
    findings: list[Finding] = validate(catalog, cycle.inputs, results, context=context)
    key = cycle_key(cycle.slug, cycle.catalog, cycle.year)
    errors = {f.indicator for f in findings if f.severity is Severity.error}
    n_errors = sum(1 for f in findings if f.severity is Severity.error)
    ok = []
    changed = 0
    for res in results:
        status = res.status.value
        report.statuses[status] += 1
        if res.status is Status.ok:
            ok.append(res.number)
        if res.value is not None:
            history.setdefault(res.number, []).append((cycle.year, res.value))
        row = (res.value, res.unit, status, messages_text(res), provenance_text(res))
        old = stored.get((cycle.id, res.number))
        if old is not None and old[1:] == row:
            continue
        if old is None:
            plan.inserts.append((cycle.id, res.number, *row))
        else:
            plan.updates.append((old[0], *row))
        changed += 1
    if changed:
        plan.changed[key] = changed
    level = None
    if rules is not None:
        level_rule = assess(catalog, rules, [n for n in ok if n not in errors]).level
        level = level_rule.id if level_rule else None
    report.findings.update(f.severity.value for f in findings)
    report.cycles_with_errors += bool(n_errors)
    report.levels[level or "none"] += 1
    return CycleOutcome(key, len(results), len(ok), changed, n_errors,
                        len(findings) - n_errors, level)  # fmt: skip


_COPY_SQL = (
    "COPY indicator_value (cycle_id, indicator, value, unit, status, messages, provenance, "
    "computed_at) FROM STDIN"
)
_PG_UPDATE = """
UPDATE indicator_value AS t SET value = u.value, unit = u.unit, status = u.status,
  messages = u.messages::json, provenance = u.provenance::json, computed_at = %(at)s
FROM unnest(%(id)s::int8[], %(value)s::float8[], %(unit)s::text[], %(status)s::text[],
  %(messages)s::text[], %(provenance)s::text[])
  AS u(id, value, unit, status, messages, provenance)
WHERE t.id = u.id
"""
_SQLITE_INSERT = (
    "INSERT INTO indicator_value (cycle_id, indicator, value, unit, status, messages, "
    "provenance, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_UPDATE = (
    "UPDATE indicator_value SET value = ?, unit = ?, status = ?, messages = ?, provenance = ?, "
    "computed_at = ? WHERE id = ?"
)


def _write(s: Session, ctx: ServiceContext, plan: _Plan) -> None:
    """Store the plan's rows (JSON columns get the exact text compared) and audit the chunk."""
    now = ctx.now()
    cur = s.connection().connection.cursor()
    try:
        if s.get_bind().dialect.name == "postgresql":
            if plan.inserts:
                with cur.copy(_COPY_SQL) as copy:
                    for row in plan.inserts:
                        copy.write_row((*row, now))
            if plan.updates:
                columns = list(zip(*plan.updates, strict=True))
                names = ("id", "value", "unit", "status", "messages", "provenance")
                params: dict[str, Any] = {n: list(c) for n, c in zip(names, columns, strict=True)}
                cur.execute(_PG_UPDATE, {**params, "at": now})
        else:
            at = now.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")  # as stored
            cur.executemany(_SQLITE_INSERT, [(*row, at) for row in plan.inserts])
            cur.executemany(_SQLITE_UPDATE, [(*row[1:], at, row[0]) for row in plan.updates])
    finally:
        cur.close()
    ctx.audit(
        s,
        action="batch.recompute",
        entity="reporting_cycle",
        entity_key=next(iter(plan.changed)) if len(plan.changed) == 1 else "batch",
        new={"cycles": dict(plan.changed), "values": sum(plan.changed.values())},
        at=now,
    )


def _level_rules(catalog: str) -> LevelRulesFile | None:
    try:
        return get_level_rules(catalog)
    except UnknownLevelRulesError:
        return None  # a catalogue without level rules: validated, no level


def run_chunk(
    ctx: ServiceContext, city_ids: Sequence[int], max_cycles: int | None = None
) -> tuple[BatchReport, list[CycleOutcome]]:
    """Recompute, validate and assess the cycles of these cities (see the module steps)."""
    report = BatchReport()
    plan = _Plan()
    outcomes: list[CycleOutcome] = []
    with ctx.db.read() as s:
        q = (
            select(ReportingCycle.id, ReportingCycle.city_id, ReportingCycle.catalog,
                   ReportingCycle.year, City.slug, City.population)
            .join(City, City.id == ReportingCycle.city_id)
            .where(ReportingCycle.city_id.in_(city_ids))
            .order_by(ReportingCycle.city_id, ReportingCycle.catalog, ReportingCycle.year)
        )  # fmt: skip
        cycles = [_Cycle(*r) for r in s.execute(q).all()][:max_cycles]
        ids = [c.id for c in cycles]
        if not ids:
            return report, outcomes
        inputs = _read_inputs(s, ids)
        stored = _stored(s, ids)
        seen = _fingerprints(s, ids)
    histories: dict[tuple[int, str], dict[str, list[tuple[int, float]]]] = {}
    for c in cycles:
        c.inputs = inputs.pop(c.id)
        catalog = get_catalog(c.catalog)
        history = histories.setdefault((c.city_id, c.catalog), {})
        outcomes.append(
            _evaluate(c, catalog, _level_rules(c.catalog), history, stored, plan, report)
        )
    report.cycles = len(cycles)
    report.cities = len({c.city_id for c in cycles})
    report.indicators = sum(o.indicators for o in outcomes)
    if plan.changed:
        with ctx.transaction() as s:
            if _fingerprints(s, ids) != seen:
                raise _InputsMoved  # someone saved figures meanwhile: the caller runs it again
            _write(s, ctx, plan)
    report.created = len(plan.inserts)
    report.updated = len(plan.updates)
    report.unchanged = report.indicators - report.created - report.updated
    return report, outcomes


class _InputsMoved(Exception):
    """Inputs of these cycles changed while the chunk was computed: run the chunk again."""


_RETRIES = 3


def _run_chunk_retrying(
    ctx: ServiceContext, city_ids: Sequence[int], max_cycles: int | None
) -> tuple[BatchReport, list[CycleOutcome]]:
    for attempt in range(1, _RETRIES + 1):
        try:
            return run_chunk(ctx, city_ids, max_cycles)
        except _InputsMoved:
            if attempt == _RETRIES:
                raise
    raise AssertionError("unreachable")


def _chunks(
    db: Database, chunk_cycles: int, limit: int | None
) -> Iterator[tuple[list[int], int | None]]:
    """(city ids, cycle cap) per chunk: whole cities, about `chunk_cycles` cycles each."""
    last, left = -1, limit
    ids: list[int] = []
    count = 0
    while left is None or left > 0:
        with db.read() as s:
            page = s.execute(
                select(ReportingCycle.city_id, func.count())
                .where(ReportingCycle.city_id > last)
                .group_by(ReportingCycle.city_id)
                .order_by(ReportingCycle.city_id)
                .limit(1000)
            ).all()
        if not page:
            break
        for city_id, n in page:
            last = city_id
            ids.append(city_id)
            count += n
            if left is not None and count >= left:
                yield ids, left
                return
            if count >= chunk_cycles:
                yield ids, None
                if left is not None:
                    left -= count
                ids, count = [], 0
    if ids:
        yield ids, left


# Set in the parent before the worker processes fork; each worker opens its own connections.
_WORKER_CTX: ServiceContext | None = None


def _worker_init() -> None:
    global _WORKER_CTX
    assert _WORKER_CTX is not None
    _WORKER_CTX = replace(_WORKER_CTX, db=Database.from_url(_WORKER_CTX.db.url))


def _worker_task(task: tuple[list[int], int | None]) -> tuple[BatchReport, list[CycleOutcome]]:
    assert _WORKER_CTX is not None
    return _run_chunk_retrying(_WORKER_CTX, task[0], task[1])


def run_batch(
    ctx: ServiceContext,
    *,
    limit: int | None = None,
    workers: int = 1,
    chunk_cycles: int = CHUNK_CYCLES,
    on_chunk: Callable[[BatchReport, list[CycleOutcome]], None] | None = None,
) -> BatchReport:
    """Recompute, validate and certify every cycle (the first `limit` in city order).

    `on_chunk(report so far, outcomes of the chunk)` is called after each chunk, in order.
    PermissionDenied unless the context acts as an administrator.
    """
    principal = principal_of(ctx)
    if not principal.is_admin:
        raise PermissionDenied(Action.cycle_recompute, principal)
    start = time.perf_counter()
    total = BatchReport(workers=max(1, workers))
    tasks = _chunks(ctx.db, chunk_cycles, limit)

    def take(part: BatchReport, outcomes: list[CycleOutcome]) -> None:
        total.add(part)
        total.seconds = time.perf_counter() - start
        if on_chunk is not None:
            on_chunk(total, outcomes)

    if workers <= 1:
        for city_ids, cap in tasks:
            take(*_run_chunk_retrying(ctx, city_ids, cap))
    else:
        global _WORKER_CTX
        _WORKER_CTX = ctx
        ctx.db.engine.dispose()  # no pooled connection may be shared with the children
        try:
            with mp.get_context("fork").Pool(workers, initializer=_worker_init) as pool:
                for part, outcomes in pool.imap(_worker_task, tasks):
                    take(part, outcomes)
        finally:
            _WORKER_CTX = None
    total.seconds = time.perf_counter() - start
    return total
