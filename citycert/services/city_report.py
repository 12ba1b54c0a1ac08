"""Use case: the data of a city report (level, gap, values by theme, trends) for one data year.

Trends show the same catalogue's earlier cycles of the city, as far as the reader may see them
(the public sees published or certified cycles only).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.authz import Action
from citycert.domain.gap import GapPlan
from citycert.domain.workflow import STATE_KO, State
from citycert.io.reports.documents import CityReportDoc, GapRow, ThemeSection, ValueRow
from citycert.services.certification import BASIS_TEXT, evaluate
from citycert.services.cities import load_city
from citycert.services.context import NotFoundError, ServiceContext
from citycert.services.principal import authorize_cycle, cycle_target, principal_of
from citycert.settings import get_settings
from citycert.standards.catalog import Catalog, get_catalog
from citycert.standards.levels import LevelRule
from citycert.standards.models import IndicatorType, Text
from citycert.store.models import City, IndicatorValue, ReportingCycle
from citycert.store.models_cert import Certificate

TREND_YEARS = 5


def _level_text(level: LevelRule | None) -> Text | None:
    return None if level is None else level.name


def _values(session: Session, cycle_id: int) -> dict[str, IndicatorValue]:
    rows = session.scalars(select(IndicatorValue).where(IndicatorValue.cycle_id == cycle_id))
    return {r.indicator: r for r in rows}


def _readable_cycles(
    ctx: ServiceContext, session: Session, city: City, catalog: str, year: int
) -> list[ReportingCycle]:
    """The city's cycles of this catalogue up to `year` that the reader may see, oldest first."""
    rows = session.scalars(
        select(ReportingCycle)
        .where(
            ReportingCycle.city_id == city.id,
            ReportingCycle.catalog == catalog,
            ReportingCycle.year <= year,
        )
        .order_by(ReportingCycle.year.desc())
        .limit(TREND_YEARS)
    ).all()
    principal = principal_of(ctx)
    seen = [c for c in rows if principal.can(Action.cycle_read, cycle_target(c))]
    return sorted(seen, key=lambda c: c.year)


def _themes(
    catalog: Catalog,
    plan: GapPlan,
    verified: set[str],
    by_year: dict[int, dict[str, IndicatorValue]],
    year: int,
) -> tuple[ThemeSection, ...]:
    current = by_year.get(year, {})
    readiness = {r.theme: r for r in plan.themes}
    out = []
    for theme in catalog.themes:
        rows = []
        for ind in catalog.in_theme(theme.number):
            if ind.type is IndicatorType.profile:
                continue
            stored = current.get(ind.number)
            trend = tuple(
                (y, vals[ind.number].value if ind.number in vals else None)
                for y, vals in sorted(by_year.items())
            )
            rows.append(
                ValueRow(
                    number=ind.number,
                    name=ind.name,
                    type=ind.type.value,
                    unit=ind.unit,
                    value=stored.value if stored else None,
                    status=stored.status if stored else "missing_input",
                    verified=ind.number in verified,
                    trend=trend,
                )
            )
        if rows:
            r = readiness.get(theme.number)
            out.append(
                ThemeSection(
                    number=theme.number,
                    name=theme.name,
                    verified=r.verified if r else 0,
                    total=r.total if r else len(rows),
                    rows=tuple(rows),
                )
            )
    return tuple(out)


def city_report(ctx: ServiceContext, *, city: str, standard: str, year: int) -> CityReportDoc:
    """Everything the city report shows for (city, catalogue, data year); NotFoundError if none."""
    catalog = get_catalog(standard)
    with ctx.db.read() as s:
        c = load_city(s, city)
        cycle = s.scalars(
            select(ReportingCycle).where(
                ReportingCycle.city_id == c.id,
                ReportingCycle.catalog == catalog.key,
                ReportingCycle.year == year,
            )
        ).first()
        if cycle is None:
            raise NotFoundError(
                f"{c.slug} has no {catalog.key} cycle for {year}",
                f"{c.name_ko}의 {year}년 {catalog.key} 보고 주기가 없습니다",
            )
        authorize_cycle(ctx, Action.cycle_read, cycle)
        result = evaluate(s, cycle, c.slug)
        cycles = _readable_cycles(ctx, s, c, catalog.key, year)
        by_year = {cy.year: _values(s, cy.id) for cy in cycles}
        cert = s.scalars(
            select(Certificate.public_id)
            .where(Certificate.cycle_id == cycle.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.id.desc())
        ).first()
        out = result.outcome
        plan = result.gap
        state = State(cycle.state)
        return CityReportDoc(
            city=Text(en=c.name_en, ko=c.name_ko),
            country=c.country,
            population=c.population,
            standard_code=f"{catalog.data.standard}:{catalog.data.edition}",
            standard_title=catalog.data.title,
            year=year,
            cycle_state=Text(en=state.value.replace("_", " "), ko=STATE_KO[state]),
            basis=BASIS_TEXT[result.basis],
            level_id=out.level.id if out.level else None,
            level=_level_text(out.level),
            next_level=_level_text(out.next_level),
            missing_for_next=out.missing_for_next,
            verified_count=out.verified_count,
            counted_total=len(catalog.counted()),
            core_verified=out.core_verified,
            core_total=out.core_total,
            reasons=tuple(Text(en=r.en, ko=r.ko) for r in out.reasons),
            gap=tuple(
                GapRow(
                    number=p.number,
                    name=p.name,
                    type=p.type.value,
                    collected=p.collected,
                    total=p.total,
                    core_required=p.why == "core_required",
                )
                for p in plan.picks
            ),
            gap_reachable=plan.reachable,
            themes=_themes(catalog, plan, set(result.verified), by_year, year),
            years=tuple(sorted(by_year)),
            portal_url=f"{get_settings().base_url}/cities/{c.slug}",
            generated_at=ctx.now(),
            certificate_id=cert,
        )
