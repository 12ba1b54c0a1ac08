"""Shared pieces of the signed-in pages: sign-in gate, role-aware navigation, the cycle header,
problem banners and the answer to a form post (redirect for people, JSON for scripts).

Authorisation stays in the services: these helpers only ask them (as the signed-in principal)
and map their refusals to pages. What a page *offers* (which buttons) is read from the
principal's roles with the same policy the services enforce.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Path
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from citycert.domain.authz import Action, Role, Target
from citycert.domain.workflow import STATE_KO, State
from citycert.services import cities, cycles
from citycert.services.context import (
    ConflictError,
    NotFoundError,
    ServiceError,
    ValidationFailed,
)
from citycert.services.cycles import CyclePublic
from citycert.services.principal import PermissionDenied, Principal
from citycert.services.workflow import WorkflowRefused
from citycert.web.deps import get_principal
from citycert.web.errors import wants_json
from citycert.web.labels import standard_label
from citycert.web.pages import NavItem
from citycert.web.rendering import PageContext

SLUG = Path(..., pattern=r"^[a-z][a-z0-9-]{1,63}$", description="City slug, e.g. daegu.")
CATALOG = Path(..., pattern=r"^[a-z0-9-]{1,40}$", description="Standard, e.g. iso37120-2018.")
YEAR = Path(..., ge=1900, le=2200, description="Data year of the reporting cycle.")

STATE_EN = {
    State.draft: "Being prepared",
    State.submitted: "Submitted",
    State.in_verification: "In verification",
    State.verified: "Verified",
    State.returned: "Returned for corrections",
    State.certified: "Certified",
}


@dataclass(frozen=True)
class RoleNavItem(NavItem):
    """A navigation link shown only to people holding one of `roles` (administrators: always)."""

    roles: frozenset[Role] = frozenset()

    def shown(self, principal: Callable[[], Principal]) -> bool:
        p = principal()
        return p.user_id is not None and (p.is_admin or any(g.role in self.roles for g in p.grants))


def require_sign_in(request: Request) -> None:
    """Router dependency: people who are not signed in go to the sign-in page (scripts: 401)."""
    if get_principal(request).user_id is not None:
        return
    if wants_json(request):
        raise HTTPException(status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise HTTPException(
        status_code=303, headers={"location": f"/login?next={quote(target, safe='/')}"}
    )


class Bilingual(BaseModel):
    """A text in English and Korean (as a page shows it: `pick(text, lang)` in templates)."""

    en: str
    ko: str

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


class CycleHeader(BaseModel):
    """Who, which standard and year, and where the cycle stands: the top of every cycle page."""

    id: int
    city_id: int
    city_slug: str
    city: Bilingual
    is_sample: bool
    catalog: str
    standard: str
    year: int
    state: State
    state_label: Bilingual
    published: bool
    public: bool
    version: int
    workspace_url: str
    verifier_url: str

    @property
    def key(self) -> str:
        return f"{self.city_slug}/{self.catalog}/{self.year}"

    def target(self) -> Target:
        return Target(city_id=self.city_id, cycle_id=self.id, public=self.public)


_UNIT_TEXT = (
    ("**2", "²"),
    ("**3", "³"),
    ("km2", "km²"),
    ("m2", "m²"),
    ("m3", "m³"),
    ("ug/", "µg/"),
    ("delta_degC", "°C (difference)"),
    ("degC", "°C"),
    (" * ", "·"),
)


def pretty_unit(unit: str) -> str:
    """A catalogue unit as people write it: `ug/m**3` -> `µg/m³`, `km**2` -> `km²`."""
    for raw, shown in _UNIT_TEXT:
        unit = unit.replace(raw, shown)
    return unit


def state_label(state: State) -> Bilingual:
    return Bilingual(en=STATE_EN[state], ko=STATE_KO[state])


def cycle_path(slug: str, catalog: str, year: int) -> str:
    return f"{slug}/{catalog}/{year}"


def find_cycle(pc: PageContext, slug: str, catalog: str, year: int) -> CyclePublic:
    """The cycle as the signed-in person may see it; NotFoundError when it was never opened."""
    found = cycles.find_cycle(pc.user_ctx, city=slug, catalog=catalog, year=year)
    if found is None:
        raise NotFoundError(
            f"{slug} has no {standard_label(catalog)} reporting cycle for {year}",
            f"{slug}의 {year}년 {standard_label(catalog)} 보고 주기가 없습니다",
        )
    return found


def header_of(pc: PageContext, cycle: CyclePublic) -> CycleHeader:
    city = cities.get_city(pc.user_ctx, slug=cycle.city_slug)
    state = State(cycle.state.value)
    path = cycle_path(cycle.city_slug, cycle.catalog, cycle.year)
    public = cycle.published or state is State.certified
    return CycleHeader(
        id=cycle.id,
        city_id=cycle.city_id,
        city_slug=cycle.city_slug,
        city=Bilingual(en=city.name_en, ko=city.name_ko),
        is_sample=city.is_sample,
        catalog=cycle.catalog,
        standard=standard_label(cycle.catalog),
        year=cycle.year,
        state=state,
        state_label=state_label(state),
        published=cycle.published,
        public=public,
        version=cycle.version,
        workspace_url=f"/workspace/{path}",
        verifier_url=f"/verifier/{path}",
    )


def can(pc: PageContext, action: Action, header: CycleHeader) -> bool:
    """Whether the signed-in person holds a role for `action` on this cycle (offer the button)."""
    return pc.principal.can(action, header.target())


class Problem(BaseModel):
    where: str | None = None
    en: str
    ko: str


class ActionProblem(BaseModel):
    """Why a form post was refused (the page is shown again with this banner and your input)."""

    message: Bilingual
    details: list[Problem] = []
    status: int


def problem_of(exc: ServiceError) -> ActionProblem:
    """The banner for a refused request, with every detail the service gave."""
    details: list[Problem] = []
    status = 400
    if isinstance(exc, ValidationFailed):
        details = [Problem(where=p.where, en=p.en, ko=p.ko) for p in exc.problems]
        status = 422
    elif isinstance(exc, WorkflowRefused):
        details = [Problem(where=b.where, en=b.en, ko=b.ko) for b in exc.blockers]
        status = 409
    elif isinstance(exc, ConflictError):
        details = [
            Problem(where=c.entity_key, en=c.describe("en"), ko=c.describe("ko"))
            for c in exc.conflicts
        ]
        status = 409
    elif isinstance(exc, NotFoundError):
        status = 404
    elif isinstance(exc, PermissionDenied):
        status = 403
    message = Bilingual(en=exc.message_en, ko=exc.message_ko)
    if details:
        # The details list the problems one by one; the banner says what happened in short.
        message = Bilingual(
            en=f"{len(details)} problem(s): nothing was changed.",
            ko=f"문제 {len(details)}건: 아무것도 바뀌지 않았습니다.",
        )
    return ActionProblem(message=message, details=details, status=status)


def done(pc: PageContext, url: str, payload: dict[str, Any]) -> Response:
    """After a successful post: back to the page (303) for people, the outcome for scripts."""
    if wants_json(pc.request):
        return JSONResponse({"ok": True, **payload, "next": url})
    return RedirectResponse(url, status_code=303)


def notice_key(prefix: str, code: str | None, known: frozenset[str]) -> str | None:
    """The text key of a `?done=` notice, when the code is one this page knows."""
    return f"{prefix}.done.{code}" if code in known else None


async def form_data(request: Request) -> FormData:
    """The posted form (read once; the CSRF check has usually read it already)."""
    return await request.form()
