"""Read-only queries behind the public portal: only what the public may see, nothing else.

Visibility (the same rule as `principal.is_public` and the public export): a reporting cycle is
public once it is published or certified; a certificate is shown unless it was revoked; a city is
shown when it has a public cycle or a shown certificate. Drafts never leave this module. Each
function is a handful of indexed queries (no per-row queries), so pages stay fast on large data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from citycert.services.context import NotFoundError, ServiceContext
from citycert.services.exports import ExportFilter, ExportFormat, ExportResult, export
from citycert.store.models import City, CycleState, IndicatorValue, ReportingCycle
from citycert.store.models_cert import Certificate


def public_cycle() -> ColumnElement[bool]:
    """SQL condition: the reporting cycle may be shown to the public."""
    return or_(
        ReportingCycle.published.is_(True), ReportingCycle.state == CycleState.certified.value
    )


def shown_certificate() -> ColumnElement[bool]:
    return Certificate.revoked_at.is_(None)


class CitySummary(BaseModel):
    """A city's public identity and the facts used to group it with peers."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    slug: str
    name_en: str
    name_ko: str
    country: str
    region: str | None
    population: int | None
    land_area_km2: float | None
    climate_zone: str | None
    latitude: float | None
    longitude: float | None
    gdp_per_capita_usd: float | None
    is_sample: bool


class CertificateSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    public_id: str
    standard: str
    family: str
    data_year: int
    level: str
    level_en: str
    level_ko: str
    streak: int
    issued_on: date
    valid_until: date


class CycleSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    catalog: str
    year: int
    state: str
    published: bool


class ValueRow(BaseModel):
    """One public indicator value of a city."""

    model_config = ConfigDict(frozen=True)

    catalog: str
    year: int
    indicator: str
    value: float | None
    unit: str
    status: str


CITY_COLUMNS = [getattr(City, f) for f in CitySummary.model_fields]
# Column by column: a certificate row also holds its (large) frozen snapshot.
CERT_COLUMNS = [getattr(Certificate, f) for f in CertificateSummary.model_fields]


def city_summary(row: object) -> CitySummary:
    return CitySummary.model_validate(row)


def _visible_city_ids(
    *,
    standard: str | None = None,
    year: int | None = None,
    level: str | None = None,
) -> ColumnElement[bool]:
    """SQL condition on City: public data matching the filters (certificates for `level`).

    Correlated EXISTS, so that for one city the database probes the per-city indexes instead
    of collecting every public cycle first.
    """
    cert = select(Certificate.id).where(Certificate.city_id == City.id, shown_certificate())
    if standard:
        cert = cert.where(or_(Certificate.standard == standard, Certificate.family == standard))
    if year is not None:
        cert = cert.where(Certificate.data_year == year)
    if level:
        return cert.where(Certificate.level == level).exists()
    cycles = select(ReportingCycle.id).where(ReportingCycle.city_id == City.id, public_cycle())
    if standard:
        cycles = cycles.where(ReportingCycle.catalog == standard)
    if year is not None:
        cycles = cycles.where(ReportingCycle.year == year)
    return or_(cycles.exists(), cert.exists())


@dataclass(frozen=True)
class RegistryFilter:
    """Registry filters; None = any. `q` searches English and Korean names and the slug."""

    q: str | None = None
    standard: str | None = None
    level: str | None = None
    country: str | None = None
    year: int | None = None


class RegistryRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    city: CitySummary
    certificates: list[CertificateSummary]
    first_year: int | None
    last_year: int | None
    standards: list[str]


class MapPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    name_en: str
    name_ko: str
    latitude: float
    longitude: float


class Registry(BaseModel):
    rows: list[RegistryRow]
    total: int


def _registry_query(f: RegistryFilter) -> Select[Any]:
    q = select(City.id).where(_visible_city_ids(standard=f.standard, year=f.year, level=f.level))
    if f.country:
        q = q.where(City.country == f.country.strip().upper())
    if f.q and f.q.strip():
        text = f.q.strip()
        like = f"%{text.lower()}%"
        q = q.where(
            City.slug.like(like) | City.name_en.ilike(like) | City.name_ko.like(f"%{text}%")
        )
    return q


def registry(
    ctx: ServiceContext, *, filters: RegistryFilter, offset: int, limit: int, lang: str = "en"
) -> Registry:
    """One page of cities with public data matching `filters`, ordered by name in `lang`."""
    ids = _registry_query(filters).subquery()
    name = City.name_ko if lang == "ko" else City.name_en
    with ctx.read() as s:
        total = int(s.execute(select(func.count()).select_from(ids)).scalar_one())
        found = s.execute(
            select(City.id, *CITY_COLUMNS)
            .where(City.id.in_(select(ids.c.id)))
            .order_by(name, City.slug)
            .offset(offset)
            .limit(limit)
        ).all()
        page_ids = [r.id for r in found]
        certs = _certificates(s, page_ids)
        spans = {
            city_id: (lo, hi, sorted(set(cats.split(","))))
            for city_id, lo, hi, cats in s.execute(
                select(
                    ReportingCycle.city_id,
                    func.min(ReportingCycle.year),
                    func.max(ReportingCycle.year),
                    _group_concat(s, ReportingCycle.catalog),
                )
                .where(public_cycle(), ReportingCycle.city_id.in_(page_ids))
                .group_by(ReportingCycle.city_id)
            )
        }
    rows = []
    for r in found:
        lo, hi, cats = spans.get(r.id, (None, None, []))
        rows.append(
            RegistryRow(
                city=city_summary(r),
                certificates=certs.get(r.id, []),
                first_year=lo,
                last_year=hi,
                standards=cats,
            )
        )
    return Registry(rows=rows, total=total)


def map_points(ctx: ServiceContext, *, filters: RegistryFilter) -> list[MapPoint]:
    """Where every city matching `filters` is (cities without coordinates left out)."""
    ids = _registry_query(filters)
    with ctx.read() as s:
        return [
            MapPoint.model_validate(r, from_attributes=True)
            for r in s.execute(
                select(City.slug, City.name_en, City.name_ko, City.latitude, City.longitude)
                .where(City.id.in_(ids))
                .where(City.latitude.is_not(None), City.longitude.is_not(None))
                .order_by(City.slug)
            )
        ]


def _group_concat(s: Session, col: Any) -> Any:
    if s.get_bind().dialect.name == "postgresql":
        return func.string_agg(func.distinct(col), ",")
    return func.group_concat(func.distinct(col))


def _certificates(s: Session, city_ids: list[int]) -> dict[int, list[CertificateSummary]]:
    """Shown certificates of the cities, newest data year first, by city id."""
    out: dict[int, list[CertificateSummary]] = {}
    q = (
        select(Certificate.city_id, *CERT_COLUMNS)
        .where(shown_certificate(), Certificate.city_id.in_(city_ids))
        .order_by(Certificate.data_year.desc(), Certificate.standard, Certificate.public_id)
    )
    for row in s.execute(q):
        out.setdefault(row.city_id, []).append(CertificateSummary.model_validate(row))
    return out


class Facets(BaseModel):
    """What the public data holds, for filter choices: countries, standards, years, levels."""

    countries: list[str]
    standards: list[str]
    years: list[int]
    levels: list[tuple[str, str, str]]  # (level id, English name, Korean name)


def facets(ctx: ServiceContext) -> Facets:
    with ctx.read() as s:
        countries = s.scalars(
            select(City.country).where(_visible_city_ids()).distinct().order_by(City.country)
        ).all()
        cats = s.scalars(select(ReportingCycle.catalog).where(public_cycle()).distinct()).all()
        cert_stds = s.scalars(select(Certificate.family).where(shown_certificate()).distinct())
        years = s.scalars(select(ReportingCycle.year).where(public_cycle()).distinct()).all()
        levels = s.execute(
            select(Certificate.level, Certificate.level_en, Certificate.level_ko)
            .where(shown_certificate())
            .distinct()
        ).all()
    return Facets(
        countries=list(countries),
        standards=sorted(set(cats) | {f for f in cert_stds if f == "iso37106"}),
        years=sorted(years, reverse=True),
        levels=sorted({(r[0], r[1], r[2]) for r in levels}),
    )


def load_visible_city(s: Session, slug: str) -> tuple[int, CitySummary]:
    row = s.execute(
        select(City.id, *CITY_COLUMNS).where(City.slug == slug.strip().lower(), _visible_city_ids())
    ).first()
    if row is None:
        raise NotFoundError(
            f"no city {slug!r} with public data", f"공개된 자료가 있는 도시 {slug!r}이(가) 없습니다"
        )
    return row.id, city_summary(row)


class CityRecord(BaseModel):
    """A city with its public cycles and shown certificates."""

    city: CitySummary
    cycles: list[CycleSummary]
    certificates: list[CertificateSummary]


def city_record(ctx: ServiceContext, *, slug: str) -> CityRecord:
    """The public record of a city; NotFoundError when it has no public data."""
    with ctx.read() as s:
        city_id, city = load_visible_city(s, slug)
        cycles = [
            CycleSummary(catalog=c, year=y, state=st, published=p)
            for c, y, st, p in s.execute(
                select(
                    ReportingCycle.catalog,
                    ReportingCycle.year,
                    ReportingCycle.state,
                    ReportingCycle.published,
                )
                .where(ReportingCycle.city_id == city_id, public_cycle())
                .order_by(ReportingCycle.catalog, ReportingCycle.year)
            )
        ]
        certs = _certificates(s, [city_id])
    return CityRecord(city=city, cycles=cycles, certificates=certs.get(city_id, []))


def city_values(ctx: ServiceContext, *, slug: str, catalog: str) -> list[ValueRow]:
    """Every public indicator value of the city in one catalogue, by year and indicator."""
    with ctx.read() as s:
        city_id, _ = load_visible_city(s, slug)
        q = (
            select(
                ReportingCycle.catalog,
                ReportingCycle.year,
                IndicatorValue.indicator,
                IndicatorValue.value,
                IndicatorValue.unit,
                IndicatorValue.status,
            )
            .join(IndicatorValue, IndicatorValue.cycle_id == ReportingCycle.id)
            .where(
                ReportingCycle.city_id == city_id,
                ReportingCycle.catalog == catalog,
                public_cycle(),
            )
            .order_by(ReportingCycle.year, IndicatorValue.indicator)
        )
        return [ValueRow(**r._asdict()) for r in s.execute(q)]


class CityValue(BaseModel):
    model_config = ConfigDict(frozen=True)

    city: CitySummary
    value: float


class IndicatorSpread(BaseModel):
    """The public values of one indicator in one data year, and the years that have any."""

    catalog: str
    indicator: str
    year: int | None
    years: list[int]
    values: list[CityValue]


def indicator_spread(
    ctx: ServiceContext, *, catalog: str, indicator: str, year: int | None = None
) -> IndicatorSpread:
    """Values of an indicator across cities (latest year with values when `year` is None)."""
    base = (
        select(ReportingCycle.year)
        .join(IndicatorValue, IndicatorValue.cycle_id == ReportingCycle.id)
        .where(
            ReportingCycle.catalog == catalog,
            IndicatorValue.indicator == indicator,
            IndicatorValue.value.is_not(None),
            public_cycle(),
        )
    )
    with ctx.read() as s:
        years = sorted(s.scalars(base.distinct()).all(), reverse=True)
        chosen = year if year is not None else (years[0] if years else None)
        values: list[CityValue] = []
        if chosen is not None:
            q = (
                select(*CITY_COLUMNS, IndicatorValue.value)
                .join(ReportingCycle, ReportingCycle.city_id == City.id)
                .join(IndicatorValue, IndicatorValue.cycle_id == ReportingCycle.id)
                .where(
                    ReportingCycle.catalog == catalog,
                    ReportingCycle.year == chosen,
                    IndicatorValue.indicator == indicator,
                    IndicatorValue.value.is_not(None),
                    public_cycle(),
                )
                .order_by(IndicatorValue.value, City.slug)
            )
            values = [CityValue(city=city_summary(r), value=r.value) for r in s.execute(q)]
    return IndicatorSpread(
        catalog=catalog, indicator=indicator, year=chosen, years=years, values=values
    )


def export_public(
    ctx: ServiceContext, *, fmt: ExportFormat, target: Path, city: str | None = None
) -> ExportResult:
    """Write the public data (all cities, or one city with public data) in an exchange format."""
    if city is not None:
        with ctx.read() as s:
            load_visible_city(s, city)
    return export(ctx, fmt=fmt, target=target, filters=ExportFilter(city=city, public_only=True))


class LatestCertificate(BaseModel):
    model_config = ConfigDict(frozen=True)

    city: CitySummary
    certificate: CertificateSummary


class Overview(BaseModel):
    """Headline figures of the public data and the newest certificates."""

    cities: int
    certified_cities: int
    certificates: int
    cycles: int
    latest: list[LatestCertificate]


def overview(ctx: ServiceContext, *, latest: int = 8) -> Overview:
    with ctx.read() as s:
        cities = s.execute(
            select(func.count()).select_from(City).where(_visible_city_ids())
        ).scalar_one()
        certified = s.execute(
            select(func.count(func.distinct(Certificate.city_id))).where(shown_certificate())
        ).scalar_one()
        certs = s.execute(select(func.count()).where(shown_certificate())).scalar_one()
        cycles = s.execute(select(func.count()).where(public_cycle())).scalar_one()
        newest = [
            LatestCertificate(
                city=city_summary(r), certificate=CertificateSummary.model_validate(r)
            )
            for r in s.execute(
                select(*CERT_COLUMNS, *CITY_COLUMNS)
                .join(City, City.id == Certificate.city_id)
                .where(shown_certificate())
                .order_by(Certificate.issued_at.desc(), Certificate.public_id)
                .limit(latest)
            )
        ]
    return Overview(
        cities=int(cities),
        certified_cities=int(certified),
        certificates=int(certs),
        cycles=int(cycles),
        latest=newest,
    )
