"""Use cases for reporting cycles: one per city, catalogue and data year.

`set_state` is a raw setter; the certification workflow (who may move a cycle where) is built on
top of it elsewhere.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citycert.domain.authz import Action, Target
from citycert.services.cities import load_city
from citycert.services.context import (
    Conflict,
    ConflictError,
    NotFoundError,
    Problem,
    ServiceContext,
    ValidationFailed,
)
from citycert.services.principal import authorize, authorize_cycle, cycle_target, principal_of
from citycert.standards.catalog import Catalog, UnknownCatalogError, get_catalog
from citycert.store.audit_log import last_change
from citycert.store.models import City, CycleState, ReportingCycle

MIN_YEAR, MAX_YEAR = 1900, 2200


class CyclePublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    city_id: int
    city_slug: str
    catalog: str
    catalog_version: str
    year: int
    state: CycleState
    published: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def key(self) -> str:
        """Audit key prefix of this cycle: `daegu/iso37120-2018/2023`."""
        return f"{self.city_slug}/{self.catalog}/{self.year}"


def cycle_key(slug: str, catalog: str, year: int) -> str:
    return f"{slug}/{catalog}/{year}"


def _public(cycle: ReportingCycle, slug: str) -> CyclePublic:
    return CyclePublic(
        id=cycle.id,
        city_id=cycle.city_id,
        city_slug=slug,
        catalog=cycle.catalog,
        catalog_version=cycle.catalog_version,
        year=cycle.year,
        state=CycleState(cycle.state),
        published=cycle.published,
        created_at=cycle.created_at,
        updated_at=cycle.updated_at,
        version=cycle.version,
    )


def _catalog(key: str) -> Catalog:
    try:
        return get_catalog(key)
    except UnknownCatalogError as exc:
        raise ValidationFailed(
            [Problem("catalog", str(exc), f"알 수 없는 표준 카탈로그입니다: {key!r}")]
        ) from None


def load_cycle(session: Session, cycle_id: int) -> tuple[ReportingCycle, str]:
    """The cycle row and its city's slug; NotFoundError when there is none."""
    row = session.execute(
        select(ReportingCycle, City.slug)
        .join(City, City.id == ReportingCycle.city_id)
        .where(ReportingCycle.id == cycle_id)
    ).first()
    if row is None:
        raise NotFoundError(
            f"no reporting cycle {cycle_id}", f"보고 주기 {cycle_id}이(가) 없습니다"
        )
    return row[0], row[1]


def _find(session: Session, city_id: int, catalog: str, year: int) -> ReportingCycle | None:
    return session.scalars(
        select(ReportingCycle).where(
            ReportingCycle.city_id == city_id,
            ReportingCycle.catalog == catalog,
            ReportingCycle.year == year,
        )
    ).first()


def open_cycle(ctx: ServiceContext, *, city: str, catalog: str, year: int) -> CyclePublic:
    """The cycle for (city, catalogue, year), created when missing (idempotent)."""
    cat = _catalog(catalog)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            [
                Problem(
                    "year", f"year {year} is out of range", f"연도 {year}이(가) 범위를 벗어났습니다"
                )
            ]
        )
    for attempt in (1, 2):
        try:
            with ctx.transaction() as s:
                c = load_city(s, city)
                authorize(ctx, Action.cycle_open, Target(city_id=c.id))
                found = _find(s, c.id, cat.key, year)
                if found is not None:
                    return _public(found, c.slug)
                now = ctx.now()
                cycle = ReportingCycle(
                    city_id=c.id,
                    catalog=cat.key,
                    catalog_version=cat.version,
                    year=year,
                    state=CycleState.draft.value,
                    published=False,
                    created_at=now,
                    updated_at=now,
                )
                s.add(cycle)
                s.flush()
                ctx.audit(
                    s,
                    action="cycle.open",
                    entity="reporting_cycle",
                    entity_key=cycle_key(c.slug, cat.key, year),
                    new={"catalog_version": cat.version, "state": cycle.state},
                )
                return _public(cycle, c.slug)
        except IntegrityError:
            # Someone opened the same cycle at the same moment: take theirs.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def get_cycle(ctx: ServiceContext, *, cycle_id: int) -> CyclePublic:
    """The cycle with this id; NotFoundError when there is none."""
    with ctx.read() as s:
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.cycle_read, cycle)
        return _public(cycle, slug)


def find_cycle(ctx: ServiceContext, *, city: str, catalog: str, year: int) -> CyclePublic | None:
    """The cycle for (city, catalogue, year), or None when it was never opened."""
    with ctx.read() as s:
        c = load_city(s, city)
        found = _find(s, c.id, catalog.strip().lower(), year)
        if found is not None:
            authorize_cycle(ctx, Action.cycle_read, found)
        return _public(found, c.slug) if found else None


def list_cycles(
    ctx: ServiceContext,
    *,
    city: str | None = None,
    catalog: str | None = None,
    year: int | None = None,
    state: CycleState | None = None,
    published: bool | None = None,
) -> list[CyclePublic]:
    """Cycles ordered by city, catalogue and year, filtered by any of the arguments."""
    q = (
        select(ReportingCycle, City.slug)
        .join(City, City.id == ReportingCycle.city_id)
        .order_by(City.slug, ReportingCycle.catalog, ReportingCycle.year)
    )
    if city is not None:
        q = q.where(City.slug == city.strip().lower())
    if catalog is not None:
        q = q.where(ReportingCycle.catalog == catalog.strip().lower())
    if year is not None:
        q = q.where(ReportingCycle.year == year)
    if state is not None:
        q = q.where(ReportingCycle.state == CycleState(state).value)
    if published is not None:
        q = q.where(ReportingCycle.published == published)
    principal = principal_of(ctx)
    with ctx.read() as s:
        return [
            _public(cy, slug)
            for cy, slug in s.execute(q).all()
            if principal.can(Action.cycle_read, cycle_target(cy))  # only what they may see
        ]


def _update(
    ctx: ServiceContext,
    *,
    cycle_id: int,
    field: str,
    value: object,
    action: str,
    expected_version: int | None,
    reason: str | None,
    right: Action,
) -> CyclePublic:
    with ctx.transaction() as s:
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, right, cycle)
        key = cycle_key(slug, cycle.catalog, cycle.year)
        if expected_version is not None and cycle.version != expected_version:
            last = last_change(s, key)
            raise ConflictError(
                [
                    Conflict(
                        key,
                        expected_version,
                        cycle.version,
                        last.actor if last else None,
                        last.at if last else cycle.updated_at,
                        getattr(cycle, field),
                        value,
                    )
                ]
            )
        old = getattr(cycle, field)
        if old == value:
            return _public(cycle, slug)
        setattr(cycle, field, value)
        cycle.updated_at = ctx.now()
        s.flush()
        ctx.audit(
            s,
            action=action,
            entity="reporting_cycle",
            entity_key=key,
            old={field: old},
            new={field: value},
            reason=reason,
        )
        return _public(cycle, slug)


def set_state(
    ctx: ServiceContext,
    *,
    cycle_id: int,
    state: CycleState,
    expected_version: int | None = None,
    reason: str | None = None,
) -> CyclePublic:
    """Set the cycle's state as is (no workflow rules here); audited as `cycle.state`."""
    return _update(
        ctx,
        cycle_id=cycle_id,
        field="state",
        value=CycleState(state).value,
        action="cycle.state",
        expected_version=expected_version,
        reason=reason,
        right=Action.cycle_set_state,
    )


def set_published(
    ctx: ServiceContext,
    *,
    cycle_id: int,
    published: bool,
    expected_version: int | None = None,
    reason: str | None = None,
) -> CyclePublic:
    """Show or hide the cycle's values on the public portal; audited as `cycle.publish`."""
    return _update(
        ctx,
        cycle_id=cycle_id,
        field="published",
        value=bool(published),
        action="cycle.publish",
        expected_version=expected_version,
        reason=reason,
        right=Action.cycle_publish,
    )
