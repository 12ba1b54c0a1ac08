"""Use cases for reported figures: save raw inputs (idempotent, conflict-safe), recompute values.

Rules of `set_inputs`:
- every change is checked against the cycle's catalogue first; any problem -> ValidationFailed
  listing all of them, nothing saved;
- values are converted to the catalogue's unit (the figure as given is kept too);
- saving what is already stored writes nothing and leaves no audit entry;
- a blank (None) never erases a stored value or note unless `allow_erase=True` (which is also
  how "not available" is recorded: value None with `allow_erase=True`);
- a row changed since the caller read it (its `expected_version`, or the version this
  transaction read, no longer matches) -> ConflictError naming who changed it; nothing applied;
- affected indicator values are recomputed in the same transaction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citycert.domain.authz import Action
from citycert.domain.units import UnitError, convert
from citycert.services.context import (
    Conflict,
    ConflictError,
    Problem,
    ServiceContext,
    Summary,
    ValidationFailed,
)
from citycert.services.cycles import cycle_key, load_cycle
from citycert.services.principal import authorize_cycle
from citycert.services.recompute import recompute_indicators
from citycert.services.workflow import edit_problems
from citycert.standards.catalog import Catalog, get_catalog
from citycert.standards.models import Input
from citycert.store.models import IndicatorValue, InputValue, QualityGrade

STATE_FIELDS = (
    "value",
    "unit",
    "original_value",
    "original_unit",
    "source",
    "comment",
    "quality_grade",
)


@dataclass(frozen=True)
class InputChange:
    """One figure to save; `unit` None = in the catalogue's unit; `expected_version` from a read."""

    indicator: str
    input: str
    value: float | None
    unit: str | None = None
    source: str | None = None
    comment: str | None = None
    quality_grade: str | None = None
    expected_version: int | None = None


class InputPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    cycle_id: int
    indicator: str
    input: str
    value: float | None
    unit: str
    original_value: float | None
    original_unit: str | None
    source: str | None
    comment: str | None
    quality_grade: str | None
    updated_by: str
    updated_at: datetime
    version: int


class IndicatorValuePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    cycle_id: int
    indicator: str
    value: float | None
    unit: str
    status: str
    messages: list[dict[str, str]]
    provenance: dict[str, Any] | None
    computed_at: datetime


def input_spec(cat: Catalog, indicator: str, name: str) -> Input | None:
    """The catalogue's definition of an input, or None when the indicator or input is unknown."""
    ind = cat.get(indicator)
    if ind is None or ind.formula is None:
        return None
    return next((i for i in ind.formula.inputs if i.name == name), None)


def _check(cat: Catalog, changes: Sequence[InputChange]) -> list[Problem]:
    """Every problem in the requested changes (unknown names, bad numbers, units, grades)."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for ch in changes:
        where = f"{ch.indicator}/{ch.input}"
        ind = cat.get(ch.indicator)
        if ind is None:
            problems.append(
                Problem(
                    where,
                    f"{cat.key} has no indicator {ch.indicator!r}",
                    f"{cat.key}에 지표 {ch.indicator!r}이(가) 없습니다",
                )
            )
            continue
        spec = input_spec(cat, ch.indicator, ch.input)
        if spec is None:
            names = ", ".join(i.name for i in ind.formula.inputs) if ind.formula else ""
            problems.append(
                Problem(
                    where,
                    f"indicator {ch.indicator} has no input {ch.input!r}; "
                    f"its inputs are: {names or 'none'}",
                    f"지표 {ch.indicator}에는 입력값 {ch.input!r}이(가) 없습니다. "
                    f"가능한 입력값: {names or '없음'}",
                )
            )
            continue
        if (ch.indicator, ch.input) in seen:
            problems.append(
                Problem(where, "given twice in one save", "한 번의 저장에 두 번 들어 있습니다")
            )
        seen.add((ch.indicator, ch.input))
        if ch.value is not None:
            if not isinstance(ch.value, int | float) or not math.isfinite(ch.value):
                problems.append(
                    Problem(
                        where,
                        f"value {ch.value!r} is not a finite number",
                        f"값 {ch.value!r}은(는) 유한한 숫자가 아닙니다",
                    )
                )
            else:
                try:
                    convert(float(ch.value), ch.unit, spec.unit)
                except UnitError as exc:
                    problems.append(
                        Problem(
                            where,
                            f"{exc}; give a unit convertible to {spec.unit!r}",
                            f"단위 {ch.unit!r}을(를) {spec.unit!r}(으)로 변환할 수 없습니다",
                        )
                    )
        if ch.quality_grade is not None and ch.quality_grade not in QualityGrade.__members__:
            problems.append(
                Problem(
                    where,
                    f"quality grade {ch.quality_grade!r} must be one of A, B, C, D",
                    f"품질 등급 {ch.quality_grade!r}은(는) A, B, C, D 중 하나여야 합니다",
                )
            )
    return problems


def _state(row: InputValue | None) -> dict[str, Any] | None:
    return None if row is None else {f: getattr(row, f) for f in STATE_FIELDS}


def _wanted(
    ch: InputChange, spec: Input, old: dict[str, Any] | None, allow_erase: bool
) -> dict[str, Any] | None:
    """The row state after applying `ch` to `old`; None when nothing should be stored."""
    base = dict(old) if old else dict.fromkeys(STATE_FIELDS)
    base["unit"] = spec.unit
    if ch.value is not None:
        base["value"] = convert(float(ch.value), ch.unit, spec.unit)
        base["original_value"] = float(ch.value)
        base["original_unit"] = (ch.unit or "").strip() or None
    elif allow_erase:
        base["value"] = base["original_value"] = base["original_unit"] = None
    elif old is None:
        return None  # a blank for a figure never reported: nothing to store
    for f in ("source", "comment", "quality_grade"):
        given = getattr(ch, f)
        if isinstance(given, str):
            given = given.strip() or None
        if given is not None or allow_erase:
            base[f] = given
    return base


def _conflict(key: str, row: InputValue | None, expected: int | None, yours: Any) -> Conflict:
    return Conflict(
        entity_key=key,
        expected_version=expected,
        current_version=row.version if row else None,
        changed_by=row.updated_by if row else None,
        changed_at=row.updated_at if row else None,
        theirs=row.value if row else None,
        yours=yours,
    )


def _rows(
    s: Session, cycle_id: int, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], InputValue]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = s.scalars(
        select(InputValue).where(
            InputValue.cycle_id == cycle_id,
            tuple_(InputValue.indicator, InputValue.input).in_(wanted),
        )
    ).all()
    return {(r.indicator, r.input): r for r in rows}


class _Race(Exception):
    """Another transaction changed a row between our read and our write."""


def set_inputs(
    ctx: ServiceContext,
    cycle_id: int,
    changes: Sequence[InputChange],
    *,
    reason: str | None = None,
    allow_erase: bool = False,
) -> Summary:
    """Save raw figures of one cycle and recompute their indicators (see module rules)."""
    try:
        return _set_inputs(ctx, cycle_id, changes, reason=reason, allow_erase=allow_erase)
    except (_Race, IntegrityError) as exc:
        # Lost a race: report what the winner stored, nothing of ours was kept. A fresh
        # session: a joined transaction may be aborted by the failed statement.
        with ctx.db.read() as s:
            cycle, slug = load_cycle(s, cycle_id)
            base = cycle_key(slug, cycle.catalog, cycle.year)
            rows = _rows(s, cycle_id, ((c.indicator, c.input) for c in changes))
            conflicts = [
                _conflict(
                    f"{base}/{c.indicator}/{c.input}",
                    rows.get((c.indicator, c.input)),
                    c.expected_version,
                    c.value,
                )
                for c in changes
                if (c.indicator, c.input) in rows
            ]
        if not conflicts:
            raise exc  # not a race on these figures: let the real error through
        raise ConflictError(conflicts) from None


def _set_inputs(
    ctx: ServiceContext,
    cycle_id: int,
    changes: Sequence[InputChange],
    *,
    reason: str | None,
    allow_erase: bool,
) -> Summary:
    with ctx.transaction() as s:
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.input_set, cycle)
        cat = get_catalog(cycle.catalog)
        problems = _check(cat, changes)
        if problems:
            raise ValidationFailed(problems)
        base = cycle_key(slug, cycle.catalog, cycle.year)
        rows = _rows(s, cycle_id, ((c.indicator, c.input) for c in changes))
        plan: list[tuple[InputChange, InputValue | None, dict[str, Any]]] = []
        conflicts: list[Conflict] = []
        unchanged: list[str] = []
        # Sorted, so concurrent savers lock rows in the same order (no deadlocks).
        for ch in sorted(changes, key=lambda c: (c.indicator, c.input)):
            key = f"{base}/{ch.indicator}/{ch.input}"
            spec = input_spec(cat, ch.indicator, ch.input)
            assert spec is not None
            row = rows.get((ch.indicator, ch.input))
            new = _wanted(ch, spec, _state(row), allow_erase)
            if new is None or new == _state(row):
                unchanged.append(key)
                continue
            current = row.version if row else 0
            if ch.expected_version is not None and ch.expected_version != current:
                conflicts.append(_conflict(key, row, ch.expected_version, ch.value))
            plan.append((ch, row, new))
        # Workflow locks: only indicators that would change (re-sending accepted figures is fine).
        locked = edit_problems(s, cycle, {ch.indicator for ch, _, _ in plan})
        if locked:
            raise ValidationFailed(locked)
        if conflicts:
            raise ConflictError(conflicts)

        now = ctx.now()
        created: list[str] = []
        updated: list[str] = []
        for ch, row, new in plan:
            key = f"{base}/{ch.indicator}/{ch.input}"
            if row is None:
                version = 1
                s.execute(
                    insert(InputValue),
                    [
                        {
                            "cycle_id": cycle_id,
                            "indicator": ch.indicator,
                            "input": ch.input,
                            **new,
                            "updated_by": ctx.actor,
                            "updated_at": now,
                            "version": version,
                        }
                    ],
                )
                created.append(key)
            else:
                version = row.version + 1
                result = s.execute(
                    update(InputValue)
                    .where(InputValue.id == row.id, InputValue.version == row.version)
                    .values(**new, updated_by=ctx.actor, updated_at=now, version=version)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    raise _Race(key)
                updated.append(key)
            old = _state(row)
            ctx.audit(
                s,
                action="input.set",
                entity="input_value",
                entity_key=key,
                old=None if old is None else {**old, "version": row.version if row else 0},
                new={**new, "version": version},
                reason=reason,
                at=now,
            )
        s.expire_all()
        recomputed = recompute_indicators(
            s, ctx, cycle_id, cat, {ch.indicator for ch, _, _ in plan}
        )
        return Summary(
            created=len(created),
            updated=len(updated),
            unchanged=len(unchanged),
            recomputed=recomputed,
            details={"created": created, "updated": updated, "unchanged": unchanged},
        )


def recompute_cycle(ctx: ServiceContext, *, cycle_id: int) -> Summary:
    """Recompute every indicator that has inputs in the cycle (e.g. after a catalogue update)."""
    with ctx.transaction() as s:
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.cycle_recompute, cycle)
        cat = get_catalog(cycle.catalog)
        numbers = set(
            s.scalars(select(InputValue.indicator).where(InputValue.cycle_id == cycle_id)).all()
        )
        changed = recompute_indicators(s, ctx, cycle_id, cat, numbers)
        if changed:
            ctx.audit(
                s,
                action="cycle.recompute",
                entity="reporting_cycle",
                entity_key=cycle_key(slug, cycle.catalog, cycle.year),
                new={
                    "indicators": len(numbers),
                    "changed": changed,
                    "catalog_version": cat.version,
                },
            )
        return Summary(recomputed=changed, unchanged=len(numbers) - changed)


def list_inputs(ctx: ServiceContext, *, cycle_id: int) -> list[InputPublic]:
    """Stored raw figures of a cycle, by indicator and input."""
    with ctx.read() as s:
        authorize_cycle(ctx, Action.cycle_read, load_cycle(s, cycle_id)[0])
        rows = s.scalars(
            select(InputValue)
            .where(InputValue.cycle_id == cycle_id)
            .order_by(InputValue.indicator, InputValue.input)
        )
        return [InputPublic.model_validate(r) for r in rows]


def list_indicator_values(ctx: ServiceContext, *, cycle_id: int) -> list[IndicatorValuePublic]:
    """Computed indicator values of a cycle, by indicator number."""
    with ctx.read() as s:
        authorize_cycle(ctx, Action.cycle_read, load_cycle(s, cycle_id)[0])
        rows = s.scalars(
            select(IndicatorValue)
            .where(IndicatorValue.cycle_id == cycle_id)
            .order_by(IndicatorValue.indicator)
        )
        return [IndicatorValuePublic.model_validate(r) for r in rows]
