"""A city's public profile: identity, certificates, indicator values by theme with their trends."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from citycert.services import public
from citycert.services.exports import ExportFormat
from citycert.standards.models import Direction, IndicatorType, Text
from citycert.web import charts
from citycert.web.labels import catalog_or_none, standard_label
from citycert.web.pages.home import city_map
from citycert.web.rendering import PageContext, page, page_context

router = APIRouter(tags=["portal"])

SLUG = Path(..., pattern=r"^[a-z][a-z0-9-]{1,63}$", description="City slug, e.g. daegu.")


class YearValue(BaseModel):
    year: int
    value: float | None


class IndicatorRow(BaseModel):
    number: str
    key: str
    name: Text
    unit: str
    type: IndicatorType
    direction: Direction
    year: int | None  # of the latest value
    value: float | None
    status: str | None
    trend: list[YearValue]
    url: str


class ThemeBlock(BaseModel):
    number: int
    name: Text
    indicators: list[IndicatorRow]


class StandardChoice(BaseModel):
    key: str
    label: str
    years: list[int]
    url: str


class Download(BaseModel):
    format: ExportFormat
    url: str


class CityPage(BaseModel):
    city: public.CitySummary
    certificates: list[public.CertificateSummary]
    standards: list[StandardChoice]
    standard: str | None
    year: int | None
    themes: list[ThemeBlock]
    trend: IndicatorRow | None
    downloads: list[Download]
    compare_url: str


def downloads_of(slug: str | None) -> list[Download]:
    """Links to every export format, of one city or (None) of all public data."""
    base = f"/downloads/cities/{slug}" if slug else "/downloads/all"
    return [Download(format=f, url=f"{base}/{f.value}") for f in ExportFormat]


def _themes(pc: PageContext, catalog: str, rows: list[public.ValueRow]) -> list[ThemeBlock]:
    cat = catalog_or_none(catalog)
    if cat is None:
        return []
    by_number: dict[str, list[public.ValueRow]] = {}
    for r in rows:
        by_number.setdefault(r.indicator, []).append(r)
    blocks: list[ThemeBlock] = []
    for theme in cat.themes:
        found = []
        for ind in cat.in_theme(theme.number):
            series = by_number.get(ind.number)
            if not series:
                continue
            latest = max(series, key=lambda r: r.year)
            found.append(
                IndicatorRow(
                    number=ind.number,
                    key=cat.indicator_key(ind),
                    name=ind.name,
                    unit=ind.unit,
                    type=ind.type,
                    direction=ind.direction,
                    year=latest.year,
                    value=latest.value,
                    status=latest.status,
                    trend=[YearValue(year=r.year, value=r.value) for r in series],
                    url=pc.href(f"/indicators/{cat.indicator_key(ind)}"),
                )
            )
        if found:
            blocks.append(ThemeBlock(number=theme.number, name=theme.name, indicators=found))
    return blocks


def _decorate(pc: PageContext, data: CityPage) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    c = data.city
    if c.latitude is not None and c.longitude is not None:
        point = public.MapPoint(
            slug=c.slug,
            name_en=c.name_en,
            name_ko=c.name_ko,
            latitude=c.latitude,
            longitude=c.longitude,
        )
        extra["map"] = city_map(pc, "city-map", [point], pc.t("city.map_title"), c.slug)
    if data.trend is not None:
        name = data.trend.name.get(pc.lang)
        extra["trend_chart"] = charts.line_chart(
            "city-trend",
            pc.t("city.trend_title", name=name, unit=data.trend.unit),
            [charts.Series(name, [(p.year, p.value) for p in data.trend.trend])],
            x_header=pc.t("field.year"),
        )
    extra["spark"] = lambda ind: charts.sparkline(
        ind.name.get(pc.lang), [(p.year, p.value) for p in ind.trend]
    )
    return extra


@page(
    router,
    "/cities/{slug}",
    template="city.html",
    model=CityPage,
    summary="Public profile of a city",
    decorate=_decorate,
)
def city(
    slug: str = SLUG,
    standard: str | None = Query(None, pattern=r"^([a-z0-9-]{1,40})?$", description="Standard."),
    trend: str | None = Query(
        None, pattern=r"^([0-9P][0-9.]{0,11})?$", description="Indicator for the trend chart."
    ),
    pc: PageContext = Depends(page_context),
) -> CityPage:
    """Who the city is, its certificates, and its public values with their trends."""
    record = public.city_record(pc.ctx, slug=slug)
    years: dict[str, list[int]] = {}
    for cy in record.cycles:
        years.setdefault(cy.catalog, []).append(cy.year)
    choices = [
        StandardChoice(
            key=k,
            label=standard_label(k),
            years=sorted(ys),
            url=pc.href(f"/cities/{slug}", standard=k),
        )
        for k, ys in sorted(years.items())
    ]
    chosen = standard if standard in years else _default_standard(years)
    rows = public.city_values(pc.ctx, slug=slug, catalog=chosen) if chosen else []
    themes = _themes(pc, chosen, rows) if chosen else []
    every = [ind for block in themes for ind in block.indicators]
    picked = next((i for i in every if i.number == trend), None) or next(
        (i for i in every if sum(p.value is not None for p in i.trend) >= 2), None
    )
    return CityPage(
        city=record.city,
        certificates=record.certificates,
        standards=choices,
        standard=chosen,
        year=max(years[chosen]) if chosen else None,
        themes=themes,
        trend=picked,
        downloads=downloads_of(slug),
        compare_url=pc.href("/compare", city=slug, standard=chosen),
    )


def _default_standard(years: dict[str, list[int]]) -> str | None:
    """The standard with the newest public year (ISO 37120:2018 first among equals)."""
    if not years:
        return None
    order = ("iso37120-2018", "iso37120-2014", "iso37122-2019", "iso37123-2019")
    return max(years, key=lambda k: (max(years[k]), -order.index(k) if k in order else -99))
