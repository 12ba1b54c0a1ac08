"""The portal's front page: headline figures, the map of cities, the newest certificates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from citycert.services import public
from citycert.standards.catalog import all_catalogs
from citycert.standards.models import Text
from citycert.web import charts
from citycert.web.labels import standard_label
from citycert.web.rendering import PageContext, page, page_context

router = APIRouter(tags=["portal"])


class StandardInfo(BaseModel):
    key: str
    label: str
    title: Text
    indicators: int
    url: str


class HomePage(BaseModel):
    overview: public.Overview
    standards: list[StandardInfo]
    points: list[public.MapPoint]


def city_map(
    pc: PageContext,
    chart_id: str,
    points: list[public.MapPoint],
    title: str,
    highlight: str | None = None,
) -> charts.Chart:
    """The dot map of cities, linked to their profiles (shared by several pages)."""
    dots = [
        charts.MapDot(
            label=p.name_ko if pc.lang == "ko" else p.name_en,
            lat=p.latitude,
            lon=p.longitude,
            href=f"/cities/{p.slug}",
            highlight=p.slug == highlight,
        )
        for p in points
    ]
    return charts.dot_map(
        chart_id,
        title,
        dots,
        headers=(pc.t("chart.city"), pc.t("chart.latitude"), pc.t("chart.longitude")),
        cluster_title=pc.t("chart.cluster"),
        desc=pc.t("chart.map_desc", n=len(dots)),
    )


def _decorate(pc: PageContext, data: HomePage) -> dict[str, Any]:
    return {"map": city_map(pc, "home-map", data.points, pc.t("home.map_title"))}


@page(router, "/", template="home.html", model=HomePage, summary="Front page", decorate=_decorate)
def home(pc: PageContext = Depends(page_context)) -> HomePage:
    """Headline figures of the public data, the standards, the map and newest certificates."""
    standards = [
        StandardInfo(
            key=cat.key,
            label=standard_label(cat.key),
            title=cat.data.title,
            indicators=len(cat.counted()),
            url=pc.href("/indicators", standard=cat.key),
        )
        for cat in sorted(all_catalogs().values(), key=lambda c: c.key)
    ]
    return HomePage(
        overview=public.overview(pc.ctx),
        standards=standards,
        points=public.map_points(pc.ctx, filters=public.RegistryFilter()),
    )
