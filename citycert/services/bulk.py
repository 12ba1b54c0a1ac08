"""Bulk loading of raw figures (imports, benchmarks): streamed, batched, set-based, all or nothing.

Rows are checked against each cycle's catalogue and converted to catalogue units as they stream
by; batches of a few thousand are merged with set-based SQL (`citycert.store.bulk`). A blank
value never erases a stored one. The whole load is one transaction: any problem (every one is
listed, up to `max_problems`) and nothing is saved. The audit log gets one entry per batch that
changed something, with the SHA-256 of the batch's content; the touched indicators are then
recomputed.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from citycert.domain.authz import Action
from citycert.domain.units import UnitError, convert
from citycert.services.context import (
    NotFoundError,
    Problem,
    ServiceContext,
    Summary,
    ValidationFailed,
)
from citycert.services.cycles import cycle_key, load_cycle
from citycert.services.principal import authorize_cycle
from citycert.services.recompute import recompute_many
from citycert.standards.catalog import Catalog, get_catalog
from citycert.standards.models import Input
from citycert.store import bulk as store_bulk
from citycert.store.models import City, QualityGrade, ReportingCycle

DEFAULT_BATCH = 5000
_PREFETCH = 1000


@dataclass(frozen=True)
class BulkRow:
    """One raw figure for `bulk_load`; `unit` None = in the catalogue's unit."""

    cycle_id: int
    indicator: str
    input: str
    value: float | None
    unit: str | None = None
    source: str | None = None
    comment: str | None = None
    quality_grade: str | None = None


class _Cycles:
    """Per-cycle catalogue, audit key and input-unit lookups, cached for the whole load.

    Each cycle is authorised (`input_set`) the first time a row names it.
    """

    def __init__(self, ctx: ServiceContext, session: Any) -> None:
        self._ctx = ctx
        self._session = session
        self._rows: dict[int, tuple[ReportingCycle, str]] = {}
        self._cycles: dict[int, tuple[Catalog, str]] = {}
        self._specs: dict[tuple[str, str, str], Input | None] = {}

    def get(self, cycle_id: int) -> tuple[Catalog, str]:
        """(catalogue, audit key) of a cycle; NotFoundError or PermissionDenied otherwise."""
        found = self._cycles.get(cycle_id)
        if found is not None:
            return found
        if cycle_id not in self._rows:
            # Loads read ids in order: fetch this cycle and the next ones in one query.
            q = (
                select(ReportingCycle, City.slug)
                .join(City, City.id == ReportingCycle.city_id)
                .where(ReportingCycle.id >= cycle_id, ReportingCycle.id < cycle_id + _PREFETCH)
            )
            for cycle, slug in self._session.execute(q).all():
                self._rows[cycle.id] = (cycle, slug)
        if cycle_id not in self._rows:
            load_cycle(self._session, cycle_id)  # raises NotFoundError
        cycle, slug = self._rows[cycle_id]
        authorize_cycle(self._ctx, Action.input_set, cycle)
        found = (get_catalog(cycle.catalog), cycle_key(slug, cycle.catalog, cycle.year))
        self._cycles[cycle_id] = found
        return found

    def spec(self, cat: Catalog, indicator: str, name: str) -> Input | None:
        k = (cat.key, indicator, name)
        if k not in self._specs:
            ind = cat.get(indicator)
            inputs = ind.formula.inputs if ind is not None and ind.formula else ()
            self._specs[k] = next((i for i in inputs if i.name == name), None)
        return self._specs[k]


def _problem(row: BulkRow, n: int, en: str, ko: str) -> Problem:
    return Problem(f"row {n} ({row.indicator}/{row.input})", en, ko)


def _prepare(
    row: BulkRow, n: int, cycles: _Cycles, problems: list[Problem]
) -> tuple[Any, ...] | None:
    """The staged tuple for a row, or None (blank, or a problem was recorded)."""
    try:
        cat, _ = cycles.get(row.cycle_id)
    except NotFoundError as exc:
        problems.append(_problem(row, n, str(exc), f"보고 주기 {row.cycle_id}이(가) 없습니다"))
        return None
    spec = cycles.spec(cat, row.indicator, row.input)
    if spec is None:
        problems.append(
            _problem(
                row,
                n,
                f"{cat.key} has no indicator {row.indicator!r} with input {row.input!r}",
                f"{cat.key}에 지표 {row.indicator!r}의 입력값 {row.input!r}이(가) 없습니다",
            )
        )
        return None
    if row.value is None:
        return None  # a blank never erases
    if not math.isfinite(row.value):
        problems.append(_problem(row, n, "value is not finite", "값이 유한한 숫자가 아닙니다"))
        return None
    if row.quality_grade is not None and row.quality_grade not in QualityGrade.__members__:
        problems.append(
            _problem(row, n, "quality grade must be A, B, C or D", "품질 등급은 A~D입니다")
        )
        return None
    try:
        value = convert(float(row.value), row.unit, spec.unit)
    except UnitError as exc:
        problems.append(
            _problem(row, n, str(exc), f"단위 {row.unit!r}을(를) {spec.unit!r}(으)로 변환 불가")
        )
        return None
    unit = (row.unit or "").strip() or None
    return (
        row.cycle_id,
        row.indicator,
        row.input,
        value,
        spec.unit,
        float(row.value),
        unit,
        row.source,
        row.comment,
        row.quality_grade,
    )


def _digest(batch: list[tuple[Any, ...]]) -> str:
    text = json.dumps(batch, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bulk_load(
    ctx: ServiceContext,
    rows: Iterable[BulkRow],
    *,
    batch_size: int = DEFAULT_BATCH,
    recompute: bool = True,
    reason: str | None = None,
    max_problems: int = 100,
) -> Summary:
    """Load many raw figures in one transaction; ValidationFailed lists problems, saves nothing."""
    created = updated = unchanged = skipped = 0
    touched: dict[int, set[str]] = defaultdict(set)
    problems: list[Problem] = []
    with ctx.transaction() as s:
        cycles = _Cycles(ctx, s)
        store_bulk.open_stage(s)
        now = ctx.now()
        batch: list[tuple[Any, ...]] = []
        keys: set[tuple[int, str, str]] = set()
        batch_no = 0

        def flush() -> None:
            nonlocal created, updated, unchanged, batch_no
            if not batch or problems:
                batch.clear()
                keys.clear()
                return
            batch_no += 1
            c, u, hit = store_bulk.merge_batch(s, batch, actor=ctx.actor, at=now)
            created, updated, unchanged = created + c, updated + u, unchanged + len(batch) - c - u
            for cycle_id, number in hit:
                touched[cycle_id].add(number)
            if c or u:
                counts: dict[int, int] = defaultdict(int)
                for r in batch:
                    counts[r[0]] += 1
                per_cycle = {cycles.get(cid)[1]: k for cid, k in counts.items()}
                only = next(iter(per_cycle)) if len(per_cycle) == 1 else "bulk"
                ctx.audit(
                    s,
                    action="input.bulk_load",
                    entity="input_value",
                    entity_key=only,
                    new={
                        "batch": batch_no,
                        "rows": len(batch),
                        "created": c,
                        "updated": u,
                        "sha256": _digest(batch),
                        "cycles": dict(per_cycle),
                    },
                    reason=reason,
                    at=now,
                )
            batch.clear()
            keys.clear()

        for n, row in enumerate(rows, start=1):
            staged = _prepare(row, n, cycles, problems)
            if len(problems) >= max_problems:
                break
            if staged is None:
                skipped += 1
                continue
            key = (row.cycle_id, row.indicator, row.input)
            if key in keys:
                flush()  # a later row for the same figure wins, as in a file read top-down
            keys.add(key)
            batch.append(staged)
            if len(batch) >= batch_size:
                flush()
        flush()
        if problems:
            raise ValidationFailed(problems)
        store_bulk.close_stage(s)
        recomputed = 0
        if recompute:
            catalogs = {cycle_id: cycles.get(cycle_id)[0] for cycle_id in touched}
            recomputed = recompute_many(s, ctx, touched, catalogs)
    return Summary(
        created=created,
        updated=updated,
        unchanged=unchanged,
        recomputed=recomputed,
        skipped=skipped,
    )
