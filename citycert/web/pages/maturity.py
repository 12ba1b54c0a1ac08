"""ISO 37106 maturity: the cities one may see with their latest assessment, and a city's
assessments (one assessment's result: `maturity_result`; the questionnaire: `maturity_form`).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from citycert.domain.authz import Action, Role, Target
from citycert.services import cities, maturity
from citycert.web.pages.workspace_common import (
    SLUG,
    Bilingual,
    RoleNavItem,
    require_sign_in,
)
from citycert.web.rendering import PageContext, page, page_context

router = APIRouter(tags=["maturity"], dependencies=[Depends(require_sign_in)])
NAV = (
    RoleNavItem(
        "/maturity",
        "maturity.nav",
        order=62,
        needs_login=True,
        roles=frozenset({Role.city_editor, Role.city_coordinator}),
    ),
)


class AssessmentLine(BaseModel):
    id: int
    assessed_on: date
    assessor: str
    level: int | None
    mean: float
    url: str


class CityLine(BaseModel):
    slug: str
    name: Bilingual
    latest: AssessmentLine | None
    url: str
    can_assess: bool


class MaturityIndex(BaseModel):
    cities: list[CityLine]


def _line(slug: str, a: maturity.AssessmentPublic) -> AssessmentLine:
    return AssessmentLine(
        id=a.id,
        assessed_on=a.assessed_on,
        assessor=a.assessor,
        level=a.current_level,
        mean=a.mean,
        url=f"/maturity/{slug}/assessments/{a.id}",
    )


@page(
    router,
    "/maturity",
    template="maturity/index.html",
    model=MaturityIndex,
    summary="ISO 37106 maturity assessments of the cities you work with",
)
def maturity_index(pc: PageContext = Depends(page_context)) -> MaturityIndex:
    """Cities you may see with their latest assessment."""
    principal = pc.principal
    out = []
    for c in cities.list_cities(pc.user_ctx):
        if not principal.can(Action.review_read, Target(city_id=c.id)):
            continue
        past = maturity.list_assessments(pc.user_ctx, city=c.slug)
        out.append(
            CityLine(
                slug=c.slug,
                name=Bilingual(en=c.name_en, ko=c.name_ko),
                latest=_line(c.slug, past[0]) if past else None,
                url=f"/maturity/{c.slug}",
                can_assess=principal.can(Action.workflow_decide, Target(city_id=c.id)),
            )
        )
    return MaturityIndex(cities=out)


class CityAssessments(BaseModel):
    slug: str
    name: Bilingual
    assessments: list[AssessmentLine]
    questionnaire_url: str
    can_assess: bool


@page(
    router,
    "/maturity/{slug}",
    template="maturity/city.html",
    model=CityAssessments,
    summary="A city's ISO 37106 maturity assessments",
)
def maturity_city(slug: str = SLUG, pc: PageContext = Depends(page_context)) -> CityAssessments:
    """Every assessment of the city, newest first."""
    city = cities.get_city(pc.user_ctx, slug=slug)
    past = maturity.list_assessments(pc.user_ctx, city=slug)
    return CityAssessments(
        slug=slug,
        name=Bilingual(en=city.name_en, ko=city.name_ko),
        assessments=[_line(slug, a) for a in past],
        questionnaire_url=f"/maturity/{slug}/questionnaire",
        can_assess=pc.principal.can(Action.workflow_decide, Target(city_id=city.id)),
    )
