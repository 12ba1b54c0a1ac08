"""Recompute stored indicator values from stored inputs, for one cycle or many at once.

Used inside the caller's transaction by `set_inputs` (a few indicators), `recompute_cycle`
(a whole cycle) and `bulk_load` (thousands of cycles: read in groups, written set-based).
An indicator value is written only when its result changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.calculation import RawInput, Result, compute
from citycert.services.context import ServiceContext
from citycert.standards.catalog import Catalog
from citycert.store import bulk as store_bulk
from citycert.store.models import IndicatorValue, InputValue

RESULT_FIELDS = ("value", "unit", "status", "messages", "provenance")
# Cycles read per query when recomputing many: bounded IN lists, few round trips.
GROUP = 200
WRITE_BATCH = 5000


def result_fields(res: Result) -> dict[str, Any]:
    """The stored columns of a calculation result."""
    prov = res.provenance
    return {
        "value": res.value,
        "unit": res.unit,
        "status": res.status.value,
        "messages": [m.as_dict() for m in res.messages],
        "provenance": None
        if prov is None
        else {
            "formula": prov.formula,
            "inputs": dict(prov.inputs),
            "catalog": prov.catalog,
            "catalog_version": prov.catalog_version,
        },
    }


def recompute_indicators(
    s: Session, ctx: ServiceContext, cycle_id: int, cat: Catalog, numbers: Iterable[str]
) -> int:
    """Recompute and store the given indicators of one cycle; returns how many changed."""
    return recompute_many(s, ctx, {cycle_id: set(numbers)}, {cycle_id: cat})


def recompute_many(
    s: Session,
    ctx: ServiceContext,
    wanted: Mapping[int, set[str]],
    catalogs: Mapping[int, Catalog],
) -> int:
    """Recompute the given indicators of many cycles (cycle id -> numbers); returns changes."""
    now = ctx.now()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changed = 0
    ids = sorted(c for c, numbers in wanted.items() if numbers)
    for start in range(0, len(ids), GROUP):
        group = ids[start : start + GROUP]
        inputs = _inputs(s, group, wanted)
        existing = _existing(s, group, wanted)
        for cycle_id in group:
            cat = catalogs[cycle_id]
            for number in sorted(wanted[cycle_id]):
                ind = cat.get(number)
                if ind is None:
                    continue  # no longer in the catalogue: leave the stored value alone
                fields = result_fields(compute(cat, ind, inputs.get((cycle_id, number), {})))
                old = existing.get((cycle_id, number))
                if old is None:
                    inserts.append({"cycle_id": cycle_id, "indicator": number, **fields})
                elif any(getattr(old, k) != v for k, v in fields.items()):
                    updates.append({"id": old.id, **fields})
        if len(inserts) + len(updates) >= WRITE_BATCH:
            changed += _write(s, inserts, updates, now)
    return changed + _write(s, inserts, updates, now)


def _inputs(
    s: Session, group: list[int], wanted: Mapping[int, set[str]]
) -> dict[tuple[int, str], dict[str, RawInput]]:
    # A cycle holds a few hundred rows at most: read them all rather than long IN lists.
    out: dict[tuple[int, str], dict[str, RawInput]] = {}
    q = select(
        InputValue.cycle_id,
        InputValue.indicator,
        InputValue.input,
        InputValue.value,
        InputValue.unit,
    ).where(InputValue.cycle_id.in_(group))
    for r in s.execute(q):
        if r.indicator in wanted[r.cycle_id]:
            out.setdefault((r.cycle_id, r.indicator), {})[r.input] = RawInput(r.value, r.unit)
    return out


def _existing(
    s: Session, group: list[int], wanted: Mapping[int, set[str]]
) -> dict[tuple[int, str], Any]:
    cols = (
        IndicatorValue.id,
        IndicatorValue.cycle_id,
        IndicatorValue.indicator,
        *(getattr(IndicatorValue, f) for f in RESULT_FIELDS),
    )
    return {
        (r.cycle_id, r.indicator): r
        for r in s.execute(select(*cols).where(IndicatorValue.cycle_id.in_(group)))
        if r.indicator in wanted[r.cycle_id]
    }


def _write(
    s: Session, inserts: list[dict[str, Any]], updates: list[dict[str, Any]], now: Any
) -> int:
    """Write pending results set-based (not one ORM object per value); empties the lists."""
    n = len(inserts) + len(updates)
    store_bulk.insert_indicator_values(s, inserts, now)
    store_bulk.update_indicator_values(s, updates, now)
    inserts.clear()
    updates.clear()
    return n
