"""The city workspace: the reporting cycles of the cities one works for, and opening a new one.

City editors and coordinators see their own city's cycles (administrators see every cycle);
a coordinator opens the cycle of a new data year here.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form
from pydantic import BaseModel
from starlette.responses import Response

from citycert.domain.authz import CITY_ROLES, Action, Role, Target, covers
from citycert.domain.workflow import State
from citycert.services import cities, cycles
from citycert.services.context import ServiceError
from citycert.services.principal import PermissionDenied
from citycert.standards.catalog import all_catalogs
from citycert.web.labels import standard_label
from citycert.web.pages.workspace_common import (
    ActionProblem,
    Bilingual,
    RoleNavItem,
    done,
    problem_of,
    require_sign_in,
    state_label,
)
from citycert.web.rendering import (
    PageContext,
    PageParams,
    Paging,
    page,
    page_context,
    pagination,
    paging,
    render_page,
)

router = APIRouter(tags=["workspace"], dependencies=[Depends(require_sign_in)])
NAV = (
    RoleNavItem(
        "/workspace",
        "workspace.nav",
        order=60,
        needs_login=True,
        roles=frozenset({Role.city_editor, Role.city_coordinator}),
    ),
)


class CycleItem(BaseModel):
    city: Bilingual
    city_slug: str
    standard: str
    catalog: str
    year: int
    state: State
    state_label: Bilingual
    published: bool
    updated_at: datetime
    url: str


class CityChoice(BaseModel):
    slug: str
    name: Bilingual


class StandardChoice(BaseModel):
    key: str
    label: str


class WorkspaceIndex(BaseModel):
    items: list[CycleItem]
    paging: Paging
    has_city_role: bool
    open_cities: list[CityChoice]  # where the person may open a new cycle
    standards: list[StandardChoice]
    default_year: int
    problem: ActionProblem | None = None


def _mine(pc: PageContext) -> list[cycles.CyclePublic]:
    principal = pc.principal
    found = cycles.list_cycles(pc.user_ctx)
    if principal.is_admin:
        return found
    return [
        c
        for c in found
        if any(
            g.role in CITY_ROLES and covers(g, Target(city_id=c.city_id, cycle_id=c.id))
            for g in principal.grants
        )
    ]


def build(
    pc: PageContext, params: PageParams, *, problem: ActionProblem | None = None
) -> WorkspaceIndex:
    principal = pc.principal
    mine = _mine(pc)
    # Newest data year first: that is the cycle a city works on.
    mine.sort(key=lambda c: (-c.year, c.city_slug, c.catalog))
    all_cities = {c.id: c for c in cities.list_cities(pc.user_ctx)}
    window = mine[params.offset : params.offset + params.per_page]
    items = [
        CycleItem(
            city=Bilingual(en=all_cities[c.city_id].name_en, ko=all_cities[c.city_id].name_ko),
            city_slug=c.city_slug,
            standard=standard_label(c.catalog),
            catalog=c.catalog,
            year=c.year,
            state=State(c.state.value),
            state_label=state_label(State(c.state.value)),
            published=c.published,
            updated_at=c.updated_at,
            url=f"/workspace/{c.city_slug}/{c.catalog}/{c.year}",
        )
        for c in window
    ]
    openable = [
        CityChoice(slug=c.slug, name=Bilingual(en=c.name_en, ko=c.name_ko))
        for c in all_cities.values()
        if principal.can(Action.cycle_open, Target(city_id=c.id))
        and (not principal.is_admin or any(x.city_slug == c.slug for x in mine))
    ]
    return WorkspaceIndex(
        items=items,
        paging=paging(pc, params, len(mine)),
        has_city_role=principal.is_admin or any(g.role in CITY_ROLES for g in principal.grants),
        open_cities=sorted(openable, key=lambda c: c.slug),
        standards=[StandardChoice(key=k, label=standard_label(k)) for k in sorted(all_catalogs())],
        default_year=pc.user_ctx.now().year - 1,
        problem=problem,
    )


@page(
    router,
    "/workspace",
    template="workspace/index.html",
    model=WorkspaceIndex,
    summary="The reporting cycles of the cities you work for",
)
def workspace_index(
    params: PageParams = Depends(pagination),
    pc: PageContext = Depends(page_context),
) -> WorkspaceIndex:
    """Your cities' reporting cycles, newest data year first."""
    return build(pc, params)


@router.post("/workspace/open", include_in_schema=False)
def open_cycle(
    city: str = Form(..., pattern=r"^[a-z][a-z0-9-]{1,63}$"),
    catalog: str = Form(..., pattern=r"^[a-z0-9-]{1,40}$"),
    year: int = Form(..., ge=1900, le=2200),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Open (or find) the cycle of a city, standard and data year, then go to it."""
    try:
        cycle = cycles.open_cycle(pc.user_ctx, city=city, catalog=catalog, year=year)
    except PermissionDenied:
        raise
    except ServiceError as exc:
        problem = problem_of(exc)
        data = build(pc, PageParams(page=1, per_page=50), problem=problem)
        response = render_page(pc, "workspace/index.html", data)
        response.status_code = problem.status
        return response
    url = f"/workspace/{cycle.city_slug}/{cycle.catalog}/{cycle.year}?done=opened"
    return done(pc, url, {"cycle_id": cycle.id})
