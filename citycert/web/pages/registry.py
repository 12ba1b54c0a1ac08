"""The registry of cities with public data: search, filters, the map and the paginated list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from citycert.services import public
from citycert.web.labels import standard_label
from citycert.web.pages import NavItem
from citycert.web.pages.home import city_map
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
NAV = (NavItem("/cities", "nav.cities", order=10),)


class RegistryFilters(BaseModel):
    q: str | None
    standard: str | None
    level: str | None
    country: str | None
    year: int | None


class Choice(BaseModel):
    value: str
    en: str
    ko: str


class RegistryItem(BaseModel):
    city: public.CitySummary
    url: str
    first_year: int | None
    last_year: int | None
    standards: list[str]
    certificates: list[public.CertificateSummary]


class RegistryPage(BaseModel):
    filters: RegistryFilters
    items: list[RegistryItem]
    paging: Paging
    standards: list[Choice]
    levels: list[Choice]
    countries: list[str]
    years: list[int]
    points: list[public.MapPoint]


def filters(
    q: str | None = Query(None, max_length=100, description="Part of a name (English or Korean)."),
    standard: str | None = Query(
        None, pattern=r"^([a-z0-9-]{1,40})?$", description="Standard, e.g. iso37120-2018."
    ),
    level: str | None = Query(None, pattern=r"^([a-z0-9_]{1,40})?$", description="Level id."),
    country: str | None = Query(None, pattern=r"^([A-Za-z]{2})?$", description="ISO country."),
    year: str | None = Query(None, pattern=r"^(\d{4})?$", description="Data year."),
) -> RegistryFilters:
    """The registry filters; empty form fields mean `any`."""
    return RegistryFilters(
        q=(q or "").strip() or None,
        standard=standard or None,
        level=level or None,
        country=country.upper() if country else None,
        year=int(year) if year else None,
    )


def _decorate(pc: PageContext, data: RegistryPage) -> dict[str, Any]:
    title = pc.t("registry.map_title", n=len(data.points))
    return {
        "map": city_map(pc, "registry-map", data.points, title),
        "options": {
            "standard": [(c.value, getattr(c, pc.lang)) for c in data.standards],
            "level": [(c.value, getattr(c, pc.lang)) for c in data.levels],
            "country": [(c, c) for c in data.countries],
            "year": [(y, y) for y in data.years],
        },
    }


@page(
    router,
    "/cities",
    template="registry.html",
    model=RegistryPage,
    summary="Registry of cities with public data",
    decorate=_decorate,
)
def registry(
    f: RegistryFilters = Depends(filters),
    params: PageParams = Depends(pagination),
    pc: PageContext = Depends(page_context),
) -> RegistryPage:
    """Cities with published or certified data, filtered, one page at a time, with the map."""
    wanted = public.RegistryFilter(
        q=f.q, standard=f.standard, level=f.level, country=f.country, year=f.year
    )
    found = public.registry(
        pc.ctx, filters=wanted, offset=params.offset, limit=params.per_page, lang=pc.lang
    )
    facets = public.facets(pc.ctx)
    items = [
        RegistryItem(
            city=row.city,
            url=pc.href(f"/cities/{row.city.slug}"),
            first_year=row.first_year,
            last_year=row.last_year,
            standards=row.standards,
            certificates=row.certificates,
        )
        for row in found.rows
    ]
    return RegistryPage(
        filters=f,
        items=items,
        paging=paging(pc, params, found.total),
        standards=[
            Choice(value=k, en=standard_label(k), ko=standard_label(k)) for k in facets.standards
        ],
        levels=[Choice(value=v, en=en, ko=ko) for v, en, ko in facets.levels],
        countries=facets.countries,
        years=facets.years,
        points=public.map_points(pc.ctx, filters=wanted),
    )
