"""About the portal: where the data comes from and under which terms, how it is checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from citycert.domain.peers import INCOME_BANDS, POPULATION_BANDS
from citycert.standards.catalog import all_catalogs
from citycert.standards.models import Text
from citycert.web import markdown
from citycert.web.labels import standard_label
from citycert.web.pages import NavItem
from citycert.web.rendering import PageContext, page, page_context

router = APIRouter(tags=["portal"])
NAV = (NavItem("/about", "nav.about", order=90),)

ATTRIBUTION = Path(__file__).parents[2] / "data" / "demo" / "ATTRIBUTION.md"


class StandardSource(BaseModel):
    key: str
    label: str
    title: Text
    version: str
    source: str
    indicators: int
    note: str | None


class BandSource(BaseModel):
    name: str
    source: str
    confidence: str


class AboutPage(BaseModel):
    attribution: str | None  # Markdown of the demo data's sources and licences
    standards: list[StandardSource]
    bands: list[BandSource]


def _decorate(pc: PageContext, data: AboutPage) -> dict[str, Any]:
    return {"attribution_html": markdown.render(data.attribution) if data.attribution else None}


@page(
    router,
    "/about",
    template="about.html",
    model=AboutPage,
    summary="Data sources, attribution and method",
    decorate=_decorate,
)
def about(pc: PageContext = Depends(page_context)) -> AboutPage:
    """Sources and licences of the data, the catalogues' provenance and the comparison bands."""
    text = ATTRIBUTION.read_text(encoding="utf-8") if ATTRIBUTION.is_file() else None
    return AboutPage(
        attribution=text,
        standards=[
            StandardSource(
                key=k,
                label=standard_label(k),
                title=c.data.title,
                version=c.version,
                source=c.data.source,
                indicators=len(c),
                note=c.data.note,
            )
            for k, c in sorted(all_catalogs().items())
        ],
        bands=[
            BandSource(
                name="population",
                source=POPULATION_BANDS.source,
                confidence=POPULATION_BANDS.confidence.value,
            ),
            BandSource(
                name="income", source=INCOME_BANDS.source, confidence=INCOME_BANDS.confidence.value
            ),
        ],
    )
