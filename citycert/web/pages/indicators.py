"""The indicator catalogue and one page per indicator: definition and spread across cities."""

from __future__ import annotations

import statistics
from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from citycert.services import public
from citycert.services.context import NotFoundError
from citycert.standards.catalog import UnknownCatalogError, all_catalogs, find_indicator
from citycert.standards.models import Confidence, Direction, IndicatorType, Role, Text
from citycert.web import charts
from citycert.web.labels import catalog_or_none, standard_label
from citycert.web.pages import NavItem
from citycert.web.rendering import (
    PageContext,
    PageParams,
    Paging,
    page,
    page_context,
    pagination,
    paging,
)

router = APIRouter(tags=["portal"])
NAV = (NavItem("/indicators", "nav.indicators", order=30),)
DEFAULT_STANDARD = "iso37120-2018"


class IndicatorEntry(BaseModel):
    number: str
    key: str
    name: Text
    unit: str
    type: IndicatorType
    direction: Direction
    confidence: Confidence
    url: str


class ThemeEntry(BaseModel):
    number: int
    name: Text
    indicators: list[IndicatorEntry]


class StandardEntry(BaseModel):
    key: str
    label: str
    title: Text
    url: str


class IndicatorsPage(BaseModel):
    standards: list[StandardEntry]
    standard: str
    title: Text
    source: str
    themes: list[ThemeEntry]


@page(
    router,
    "/indicators",
    template="indicators.html",
    model=IndicatorsPage,
    summary="Indicator catalogue of a standard",
)
def indicators(
    standard: str = Query(DEFAULT_STANDARD, pattern=r"^[a-z0-9-]{1,40}$", description="Standard."),
    pc: PageContext = Depends(page_context),
) -> IndicatorsPage:
    """Every indicator of a standard by theme, with unit, type, direction and confidence."""
    cat = catalog_or_none(standard)
    if cat is None:
        raise NotFoundError(
            f"unknown standard {standard!r}", f"알 수 없는 표준입니다: {standard!r}"
        )
    themes = []
    for theme in cat.themes:
        entries = [
            IndicatorEntry(
                number=i.number,
                key=cat.indicator_key(i),
                name=i.name,
                unit=i.unit,
                type=i.type,
                direction=i.direction,
                confidence=i.confidence,
                url=pc.href(f"/indicators/{cat.indicator_key(i)}"),
            )
            for i in cat.in_theme(theme.number)
        ]
        if entries:
            themes.append(ThemeEntry(number=theme.number, name=theme.name, indicators=entries))
    return IndicatorsPage(
        standards=[
            StandardEntry(
                key=k,
                label=standard_label(k),
                title=c.data.title,
                url=pc.href("/indicators", standard=k),
            )
            for k, c in sorted(all_catalogs().items())
        ],
        standard=cat.key,
        title=cat.data.title,
        source=cat.data.source,
        themes=themes,
    )


class FormulaInput(BaseModel):
    name: str
    role: Role
    unit: str
    label: Text


class FormulaView(BaseModel):
    multiplier: float
    bounded: bool
    inputs: list[FormulaInput]


class Stats(BaseModel):
    count: int
    minimum: float | None
    median: float | None
    mean: float | None
    maximum: float | None


class Bin(BaseModel):
    low: float
    high: float
    count: int


class CityValueRow(BaseModel):
    city: public.CitySummary
    value: float
    url: str


class IndicatorPage(BaseModel):
    key: str
    standard: str
    standard_label: str
    number: str
    name: Text
    theme: int
    theme_name: Text
    type: IndicatorType
    unit: str
    direction: Direction
    formula: FormulaView | None
    sdg: list[str]
    source: str
    confidence: Confidence
    note: str | None
    status: str
    year: int | None
    years: list[int]
    stats: Stats
    histogram: list[Bin]
    values: list[CityValueRow]
    paging: Paging


def _decorate(pc: PageContext, data: IndicatorPage) -> dict[str, Any]:
    options = {"year_options": [(y, y) for y in data.years]}
    if data.stats.count == 0:
        return options
    edges = [b.low for b in data.histogram] + [data.histogram[-1].high]
    chart = charts.histogram(
        "indicator-histogram",
        pc.t(
            "indicator.histogram_title",
            name=data.name.get(pc.lang),
            year=data.year,
            n=data.stats.count,
        ),
        edges,
        [b.count for b in data.histogram],
        headers=(pc.t("indicator.range", unit=data.unit), pc.t("indicator.cities")),
    )
    return {**options, "histogram": chart}


KEY = Path(
    ...,
    pattern=r"^iso\d{5}-\d{4}:[0-9P][0-9.]{0,11}$",
    description="Indicator key, e.g. iso37120-2018:15.5.",
)


@page(
    router,
    "/indicators/{key}",
    template="indicator.html",
    model=IndicatorPage,
    summary="One indicator: definition and spread across cities",
    decorate=_decorate,
)
def indicator(
    key: str = KEY,
    year: str | None = Query(None, pattern=r"^(\d{4})?$", description="Data year."),
    params: PageParams = Depends(pagination),
    pc: PageContext = Depends(page_context),
) -> IndicatorPage:
    """Definition, unit, formula, source and confidence; public values across cities."""
    try:
        cat, ind = find_indicator(key)
    except UnknownCatalogError as exc:
        raise NotFoundError(str(exc), f"지표 {key!r}을(를) 찾을 수 없습니다") from None
    spread = public.indicator_spread(
        pc.ctx, catalog=cat.key, indicator=ind.number, year=int(year) if year else None
    )
    vals = [v.value for v in spread.values]
    edges, counts = charts.bin_values(vals) if vals else ([], [])
    page_rows = spread.values[params.offset : params.offset + params.per_page]
    formula = None
    if ind.formula is not None:
        formula = FormulaView(
            multiplier=ind.formula.multiplier,
            bounded=ind.formula.bounded,
            inputs=[
                FormulaInput(name=i.name, role=i.role, unit=i.unit, label=i.label)
                for i in ind.formula.inputs
            ],
        )
    return IndicatorPage(
        key=cat.indicator_key(ind),
        standard=cat.key,
        standard_label=standard_label(cat.key),
        number=ind.number,
        name=ind.name,
        theme=ind.theme,
        theme_name=cat.theme(ind.theme).name,
        type=ind.type,
        unit=ind.unit,
        direction=ind.direction,
        formula=formula,
        sdg=list(ind.sdg),
        source=ind.source,
        confidence=ind.confidence,
        note=ind.note,
        status=ind.status,
        year=spread.year,
        years=spread.years,
        stats=Stats(
            count=len(vals),
            minimum=min(vals) if vals else None,
            median=statistics.median(vals) if vals else None,
            mean=statistics.fmean(vals) if vals else None,
            maximum=max(vals) if vals else None,
        ),
        histogram=[Bin(low=edges[i], high=edges[i + 1], count=n) for i, n in enumerate(counts)],
        values=[
            CityValueRow(city=v.city, value=v.value, url=pc.href(f"/cities/{v.city.slug}"))
            for v in page_rows
        ],
        paging=paging(pc, params, len(vals)),
    )
