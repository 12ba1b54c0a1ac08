"""Peer comparison: a city's theme scores and indicator percentiles among similar cities."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from citycert.domain.peers import MAX_PEERS, GroupKind
from citycert.i18n import both
from citycert.services import public
from citycert.services.context import NotFoundError
from citycert.services.public_compare import Comparison, compare
from citycert.standards.models import Direction, Text
from citycert.web import charts
from citycert.web.labels import catalog_or_none, standard_label
from citycert.web.pages import NavItem
from citycert.web.rendering import PageContext, page, page_context

router = APIRouter(tags=["portal"])
NAV = (NavItem("/compare", "nav.compare", order=20),)


class ThemeRow(BaseModel):
    number: int
    name: Text
    score: float | None
    rank: int | None
    n: int
    median: float | None


class IndicatorRow(BaseModel):
    number: str
    key: str
    name: Text
    theme: int
    unit: str
    direction: Direction
    value: float | None
    percentile: float | None
    rank: int | None
    n: int
    median: float | None
    minimum: float | None
    maximum: float | None
    url: str


class MemberRow(BaseModel):
    city: public.CitySummary
    overall: float | None
    rank: int | None
    url: str


class Result(BaseModel):
    city: public.CitySummary
    group: GroupKind
    group_id: str | None
    group_label: Text | None
    standard: str
    standard_label: str
    year: int
    standards: list[str]
    years: list[int]
    overall: float | None
    overall_rank: int | None
    ranked: int  # members with an overall score (the n of the overall rank)
    members: list[MemberRow]
    themes: list[ThemeRow]
    indicators: list[IndicatorRow]


class Candidate(BaseModel):
    city: public.CitySummary
    url: str


class ComparePage(BaseModel):
    query: str | None
    group: GroupKind
    result: Result | None
    candidates: list[Candidate]
    max_peers: int
    method: dict[str, str]


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def _result(pc: PageContext, c: Comparison) -> Result:
    cat = catalog_or_none(c.catalog)
    themes = []
    for th in c.themes:
        name = cat.theme(th.theme).name if cat else Text(en=str(th.theme), ko=str(th.theme))
        themes.append(
            ThemeRow(
                number=th.theme,
                name=name,
                score=th.score,
                rank=th.rank,
                n=th.n,
                median=_median(list(th.scores.values())),
            )
        )
    indicators = []
    for i in c.indicators:
        ind = cat.get(i.indicator) if cat else None
        if ind is None or i.n == 0:
            continue
        key = f"{c.catalog}:{i.indicator}"
        indicators.append(
            IndicatorRow(
                number=i.indicator,
                key=key,
                name=ind.name,
                theme=i.theme,
                unit=i.unit,
                direction=i.direction,
                value=i.value,
                percentile=i.percentile,
                rank=i.rank,
                n=i.n,
                median=i.median,
                minimum=i.minimum,
                maximum=i.maximum,
                url=pc.href(f"/indicators/{key}", year=c.year),
            )
        )
    return Result(
        city=c.city,
        group=c.kind,
        group_id=c.group_id,
        group_label=c.group_label,
        standard=c.catalog,
        standard_label=standard_label(c.catalog),
        year=c.year,
        standards=c.catalogs,
        years=c.years,
        overall=c.overall,
        overall_rank=c.overall_rank,
        ranked=sum(1 for m in c.members if m.overall is not None),
        members=[
            MemberRow(
                city=m.city, overall=m.overall, rank=m.rank, url=pc.href(f"/cities/{m.city.slug}")
            )
            for m in c.members
        ],
        themes=themes,
        indicators=indicators,
    )


def _decorate(pc: PageContext, data: ComparePage) -> dict[str, Any]:
    r = data.result
    extra: dict[str, Any] = {
        "group_options": [(g.value, pc.t(f"compare.group.{g.value}")) for g in GroupKind]
    }
    if r is None or not r.themes:
        return extra
    name = r.city.name_ko if pc.lang == "ko" else r.city.name_en
    labels = [t.name.get(pc.lang) for t in r.themes]
    extra["theme_chart"] = charts.bar_chart(
        "compare-themes",
        pc.t("compare.theme_chart", city=name),
        [charts.Bar(label, t.score) for label, t in zip(labels, r.themes, strict=True)],
        headers=(pc.t("field.theme"), pc.t("compare.score")),
        max_value=100,
    )
    extra["radar"] = charts.radar(
        "compare-radar",
        pc.t("compare.radar_title", city=name),
        labels,
        [
            charts.Series(name, [(i, t.score) for i, t in enumerate(r.themes)]),
            charts.Series(
                pc.t("compare.group_median"), [(i, t.median) for i, t in enumerate(r.themes)]
            ),
        ],
        axis_header=pc.t("field.theme"),
    )
    extra["members_chart"] = charts.bar_chart(
        "compare-members",
        pc.t("compare.members_chart"),
        [
            charts.Bar(
                m.city.name_ko if pc.lang == "ko" else m.city.name_en,
                m.overall,
                highlight=m.city.slug == r.city.slug,
                href=f"/cities/{m.city.slug}",
            )
            for m in sorted(r.members, key=lambda m: (m.rank is None, m.rank or 0))
        ],
        headers=(pc.t("field.city"), pc.t("compare.overall")),
        max_value=100,
    )
    return extra


@page(
    router,
    "/compare",
    template="compare.html",
    model=ComparePage,
    summary="Compare a city with its peers",
    decorate=_decorate,
)
def compare_page(
    city: str | None = Query(None, max_length=100, description="City slug or name."),
    group: GroupKind = Query(GroupKind.population, description="How peers are chosen."),
    standard: str | None = Query(None, pattern=r"^([a-z0-9-]{1,40})?$", description="Standard."),
    year: str | None = Query(None, pattern=r"^(\d{4})?$", description="Data year."),
    pc: PageContext = Depends(page_context),
) -> ComparePage:
    """Theme scores, ranks k/n and indicator percentiles of a city within its peer group."""
    query = (city or "").strip() or None
    out = ComparePage(
        query=query,
        group=group,
        result=None,
        candidates=[],
        max_peers=MAX_PEERS,
        method=both("compare.method"),
    )
    if query is None:
        return out
    slug = query.lower()
    try:
        found = compare(
            pc.ctx,
            slug=slug,
            kind=group,
            catalog=standard or None,
            year=int(year) if year else None,
        )
    except NotFoundError:
        hits = public.registry(
            pc.ctx, filters=public.RegistryFilter(q=query), offset=0, limit=20, lang=pc.lang
        ).rows
        if len(hits) != 1:
            if not hits:
                raise
            out.candidates = [
                Candidate(city=h.city, url=pc.href("/compare", city=h.city.slug, group=group.value))
                for h in hits
            ]
            return out
        found = compare(pc.ctx, slug=hits[0].city.slug, kind=group)
    out.result = _result(pc, found)
    return out
