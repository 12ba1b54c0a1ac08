"""Use case: compare a city with its peers on public data (method in `citycert.domain.peers`).

Four queries whatever the data size: the city and its public cycles, the candidate cities with a
public cycle of the same catalogue and year (a few columns each), and the indicator values of the
chosen group (at most `MAX_PEERS + 1` cycles).
"""

from __future__ import annotations

import math
import statistics
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, and_, false, func, select, true

from citycert.domain.peers import (
    INCOME_BANDS,
    MAX_PEERS,
    POPULATION_BANDS,
    Band,
    CityFacts,
    GroupKey,
    GroupKind,
    IndicatorInfo,
    group_of,
    rank,
    score_group,
    select_peers,
)
from citycert.services.context import Problem, ServiceContext, ValidationFailed
from citycert.services.public import (
    CITY_COLUMNS,
    CitySummary,
    city_summary,
    load_visible_city,
    public_cycle,
)
from citycert.standards.catalog import get_catalog
from citycert.standards.models import Direction, Text
from citycert.store.models import City, IndicatorValue, ReportingCycle

# Which catalogue to compare on when none is asked for and several have the same latest year.
PREFERRED = ("iso37120-2018", "iso37120-2014", "iso37122-2019", "iso37123-2019")


class MemberScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    city: CitySummary
    overall: float | None
    rank: int | None


class ThemeScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    theme: int
    score: float | None  # the city's
    rank: int | None
    n: int
    scores: dict[str, float]  # every member's, by slug


class IndicatorScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    indicator: str
    theme: int
    direction: Direction
    unit: str
    value: float | None  # the city's
    percentile: float | None  # 0..1, 1 best
    rank: int | None
    n: int
    median: float | None
    minimum: float | None
    maximum: float | None


class Comparison(BaseModel):
    city: CitySummary
    kind: GroupKind
    group_id: str | None
    group_label: Text | None
    catalog: str
    year: int
    catalogs: list[str]  # the city's public catalogues
    years: list[int]  # the city's public years in `catalog`
    max_peers: int
    members: list[MemberScore]  # the city first, then by overall rank
    themes: list[ThemeScore]
    indicators: list[IndicatorScore]
    overall: float | None
    overall_rank: int | None


def _facts(c: CitySummary) -> CityFacts:
    return CityFacts(
        slug=c.slug,
        country=c.country,
        population=c.population,
        region=c.region,
        climate_zone=c.climate_zone,
        gdp_per_capita_usd=c.gdp_per_capita_usd,
    )


def _preference(catalog: str) -> tuple[int, str]:
    return (PREFERRED.index(catalog) if catalog in PREFERRED else len(PREFERRED), catalog)


def _choose(
    cycles: list[tuple[str, int]], catalog: str | None, year: int | None
) -> tuple[str, int, list[str], list[int]]:
    """The catalogue and year to compare on (latest public ones by default) and the choices."""
    catalogs = sorted({c for c, _ in cycles}, key=_preference)
    if not catalogs:
        raise ValidationFailed(
            [
                Problem(
                    "city", "the city has no public indicator data", "공개된 지표 자료가 없습니다"
                )
            ]
        )
    if catalog is None:
        latest = max(y for _, y in cycles)
        catalog = next(c for c in catalogs if (c, latest) in cycles)
    elif catalog not in catalogs:
        raise ValidationFailed(
            [
                Problem(
                    "standard",
                    f"the city has no public data for {catalog}; it has: {', '.join(catalogs)}",
                    f"{catalog}에 대한 공개 자료가 없습니다. 있는 표준: {', '.join(catalogs)}",
                )
            ]
        )
    years = sorted((y for c, y in cycles if c == catalog), reverse=True)
    if year is None:
        year = years[0]
    elif year not in years:
        raise ValidationFailed(
            [
                Problem(
                    "year",
                    f"the city has no public {catalog} data for {year}",
                    f"{year}년 {catalog} 공개 자료가 없습니다",
                )
            ]
        )
    return catalog, year, catalogs, years


FACT_COLUMNS = (
    City.slug,
    City.country,
    City.population,
    City.region,
    City.climate_zone,
    City.gdp_per_capita_usd,
)


def _between(column: Any, band: Band | None) -> ColumnElement[bool]:
    if band is None:
        return false()
    upper = column < band.high if math.isfinite(band.high) else true()
    return and_(column >= band.low, upper)


def _in_group(kind: GroupKind, me: CityFacts) -> ColumnElement[bool]:
    """SQL condition: the city may be in `me`'s group (`select_peers` has the final word)."""
    if kind is GroupKind.population:
        return _between(City.population, POPULATION_BANDS.of(me.population))
    if kind is GroupKind.income:
        return _between(City.gdp_per_capita_usd, INCOME_BANDS.of(me.gdp_per_capita_usd))
    if kind is GroupKind.climate:
        return City.climate_zone.like(f"{(me.climate_zone or '?')[:1].upper()}%")
    if me.region and me.region.strip():
        return func.lower(func.trim(City.region)) == me.region.strip().lower()
    return City.country == me.country


def compare(
    ctx: ServiceContext,
    *,
    slug: str,
    kind: GroupKind,
    catalog: str | None = None,
    year: int | None = None,
) -> Comparison:
    """The city's peer group, theme scores and indicator percentiles (public data only)."""
    with ctx.read() as s:
        city_id, city = load_visible_city(s, slug)
        cycles = [
            (c, y)
            for c, y in s.execute(
                select(ReportingCycle.catalog, ReportingCycle.year).where(
                    ReportingCycle.city_id == city_id, public_cycle()
                )
            )
        ]
        catalog, year, catalogs, years = _choose(cycles, catalog, year)
        key = group_of(_facts(city), kind)
        members: list[CitySummary] = []
        cycle_of: dict[str, int] = {}
        values: dict[str, dict[str, float]] = {}
        if key is not None:
            me = _facts(city)
            candidates: dict[str, CityFacts] = {}
            # Only the grouping facts of the cities in the group (narrowed in SQL), so the cost
            # stays small however many cities report that year.
            for r in s.execute(
                select(ReportingCycle.id.label("cycle_id"), *FACT_COLUMNS)
                .join(ReportingCycle, ReportingCycle.city_id == City.id)
                .where(
                    ReportingCycle.catalog == catalog,
                    ReportingCycle.year == year,
                    public_cycle(),
                    _in_group(kind, me),
                )
            ):
                candidates[r.slug] = CityFacts(
                    slug=r.slug,
                    country=r.country,
                    population=r.population,
                    region=r.region,
                    climate_zone=r.climate_zone,
                    gdp_per_capita_usd=r.gdp_per_capita_usd,
                )
                cycle_of[r.slug] = r.cycle_id
            chosen = [f.slug for f in select_peers(me, candidates.values(), kind)]
            found = {
                r.slug: city_summary(r)
                for r in s.execute(select(*CITY_COLUMNS).where(City.slug.in_(chosen)))
            }
            members = [found[slug] for slug in chosen]
            slug_of = {cycle_of[slug]: slug for slug in chosen}
            for cycle_id, number, value in s.execute(
                select(IndicatorValue.cycle_id, IndicatorValue.indicator, IndicatorValue.value)
                .where(IndicatorValue.cycle_id.in_(list(slug_of)))
                .where(IndicatorValue.value.is_not(None))
            ):
                if value is not None:
                    values.setdefault(slug_of[cycle_id], {})[number] = value
    return _assemble(city, kind, key, catalog, year, catalogs, years, members, values)


def _assemble(
    city: CitySummary,
    kind: GroupKind,
    key: GroupKey | None,
    catalog: str,
    year: int,
    catalogs: list[str],
    years: list[int],
    members: list[CitySummary],
    values: dict[str, dict[str, float]],
) -> Comparison:
    cat = get_catalog(catalog)
    infos = [IndicatorInfo(i.number, i.theme, i.direction) for i in cat.counted()]
    scores = score_group(values, infos)
    me = city.slug
    indicators = []
    for info in infos:
        column = [row[info.number] for row in values.values() if info.number in row]
        pct = scores.indicator.get(info.number, {})
        r = rank(pct, me)
        ind = cat.get(info.number)
        assert ind is not None
        indicators.append(
            IndicatorScore(
                indicator=info.number,
                theme=info.theme,
                direction=info.direction,
                unit=ind.unit,
                value=values.get(me, {}).get(info.number),
                percentile=pct.get(me),
                rank=r.k if r else None,
                n=len(column),
                median=statistics.median(column) if column else None,
                minimum=min(column) if column else None,
                maximum=max(column) if column else None,
            )
        )
    themes = []
    for number, by_member in scores.theme.items():
        tr = scores.theme_rank(number, me)
        themes.append(
            ThemeScore(
                theme=number,
                score=by_member.get(me),
                rank=tr.k if tr else None,
                n=len(by_member),
                scores=dict(by_member),
            )
        )
    ranked = []
    for m in members:
        orank = scores.overall_rank(m.slug)
        ranked.append(
            MemberScore(city=m, overall=scores.overall.get(m.slug), rank=orank.k if orank else None)
        )
    ranked[1:] = sorted(ranked[1:], key=lambda x: (x.rank is None, x.rank or 0, x.city.slug))
    mine = scores.overall_rank(me)
    return Comparison(
        city=city,
        kind=kind,
        group_id=key.id if key else None,
        group_label=key.label if key else None,
        catalog=catalog,
        year=year,
        catalogs=catalogs,
        years=years,
        max_peers=MAX_PEERS,
        members=ranked,
        themes=themes,
        indicators=indicators,
        overall=scores.overall.get(me),
        overall_rank=mine.k if mine else None,
    )
