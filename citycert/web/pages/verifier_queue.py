"""The verifier's queue: the cycles one is assigned to (administrators: every cycle past
preparation), grouped by what they wait for, with the decisions taken so far.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from citycert.domain.authz import Action, Role, Target
from citycert.domain.workflow import Decision, State
from citycert.services import cities, cycles, workflow
from citycert.web.labels import standard_label
from citycert.web.pages.workspace_common import (
    Bilingual,
    RoleNavItem,
    require_sign_in,
    state_label,
)
from citycert.web.rendering import PageContext, page, page_context

router = APIRouter(tags=["verifier"], dependencies=[Depends(require_sign_in)])
NAV = (
    RoleNavItem(
        "/verifier", "verifier.nav", order=61, needs_login=True, roles=frozenset({Role.verifier})
    ),
)

QUEUE_STATES = (
    State.submitted,
    State.in_verification,
    State.verified,
    State.returned,
    State.certified,
)


class QueueItem(BaseModel):
    city: Bilingual
    city_slug: str
    standard: str
    year: int
    state: State
    state_label: Bilingual
    counts: dict[str, int]
    url: str


class QueueGroup(BaseModel):
    state: State
    items: list[QueueItem]


class VerifierQueue(BaseModel):
    groups: list[QueueGroup]
    total: int


@page(
    router,
    "/verifier",
    template="verifier/index.html",
    model=VerifierQueue,
    summary="Cycles to verify",
)
def verifier_queue(pc: PageContext = Depends(page_context)) -> VerifierQueue:
    """The cycles assigned to you, grouped by what they wait for."""
    principal = pc.principal
    ctx = pc.user_ctx
    groups: dict[State, list[QueueItem]] = {s: [] for s in QUEUE_STATES}
    names = {c.id: Bilingual(en=c.name_en, ko=c.name_ko) for c in cities.list_cities(ctx)}
    for c in cycles.list_cycles(ctx):
        state = State(c.state.value)
        target = Target(city_id=c.city_id, cycle_id=c.id, public=c.published)
        if state not in groups or not principal.can(Action.workflow_decide, target):
            continue
        status = workflow.status(ctx, cycle_id=c.id)
        groups[state].append(
            QueueItem(
                city=names[c.city_id],
                city_slug=c.city_slug,
                standard=standard_label(c.catalog),
                year=c.year,
                state=state,
                state_label=state_label(state),
                counts={d.value: status.count(d) for d in Decision},
                url=f"/verifier/{c.city_slug}/{c.catalog}/{c.year}",
            )
        )
    out = [QueueGroup(state=s, items=items) for s, items in groups.items() if items]
    return VerifierQueue(groups=out, total=sum(len(g.items) for g in out))
