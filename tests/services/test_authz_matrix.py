"""Authorisation as a matrix: every guarded service action x every persona, own city and other.

The scenarios are keyed by `Action`, the one registry of guarded service actions: a new action
without a scenario (and an expected row below) fails `test_every_action_has_a_scenario`. The
expected table is the specification written out by hand, not derived from the policy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from citycert.domain.authz import Action, Role
from citycert.services import cities, cycles, data_quality, evidence, users, values, workflow
from citycert.services.context import NotFoundError, ServiceContext
from citycert.services.principal import PermissionDenied, public_context, user_context
from citycert.services.values import InputChange
from citycert.store.models import AuditLog, CycleState

CATALOG = "iso37120-2014"
CLEAN = [
    InputChange("5.1", "unemployed_persons", 48_000),
    InputChange("5.1", "labour_force", 1_200_000),
]
WARNING = [
    InputChange("5.3", "persons_in_poverty", 100_000),
    InputChange("5.3", "population", 1_500_000),
]

PERSONAS = [
    "admin",
    "coord_own",
    "editor_own",
    "verifier_own",
    "coord_other",
    "editor_other",
    "verifier_other",
    "public",
]
EVERYONE = frozenset(PERSONAS)
ADMIN = frozenset({"admin"})
OWN_COORD = frozenset({"admin", "coord_own"})
OWN_CITY = frozenset({"admin", "coord_own", "editor_own"})
OWN_READERS = frozenset({"admin", "coord_own", "editor_own", "verifier_own"})
OWN_VERIFIER = frozenset({"admin", "verifier_own"})

EXPECTED: dict[Action, frozenset[str]] = {
    Action.city_read: EVERYONE,
    Action.city_create: ADMIN,
    Action.city_update: OWN_COORD,
    Action.cycle_read: OWN_READERS,
    Action.cycle_open: OWN_COORD,
    Action.cycle_set_state: ADMIN,
    Action.cycle_publish: ADMIN,
    Action.cycle_recompute: OWN_CITY,
    Action.input_set: OWN_CITY,
    Action.evidence_add: OWN_CITY,
    Action.evidence_read: OWN_READERS,
    Action.review_read: OWN_READERS,
    Action.finding_justify: OWN_CITY,
    Action.finding_assign: OWN_COORD,
    Action.workflow_submit: OWN_COORD,
    Action.workflow_start: OWN_VERIFIER,
    Action.workflow_decide: OWN_VERIFIER,
    Action.workflow_answer: OWN_COORD,
    Action.workflow_reopen: OWN_VERIFIER,
    Action.workflow_return: OWN_VERIFIER,
    Action.workflow_verify: OWN_VERIFIER,
    Action.workflow_resume: OWN_COORD,
    Action.workflow_certify: ADMIN,
    Action.user_manage: ADMIN,
}


@dataclass
class World:
    system: ServiceContext
    city: str  # the "own" city of the *_own personas
    cycle_id: int  # its cycle
    contexts: dict[str, ServiceContext]
    query_id: int = 0


def _in_verification(w: World) -> None:
    values.set_inputs(w.system, w.cycle_id, CLEAN)
    workflow.submit(w.system, cycle_id=w.cycle_id)
    workflow.start_verification(w.system, cycle_id=w.cycle_id)


def _queried(w: World) -> None:
    _in_verification(w)
    workflow.decide(w.system, cycle_id=w.cycle_id, indicator="5.1", decision="query", text="?")
    w.query_id = workflow.queries(w.system, cycle_id=w.cycle_id)[0].id


def _accepted(w: World) -> None:
    _in_verification(w)
    workflow.decide(w.system, cycle_id=w.cycle_id, indicator="5.1", decision="accepted")


def _returned(w: World) -> None:
    _in_verification(w)
    workflow.return_cycle(w.system, cycle_id=w.cycle_id, reason="fix")


def _verified(w: World) -> None:
    _accepted(w)
    workflow.mark_verified(w.system, cycle_id=w.cycle_id)


def _nothing(w: World) -> None:
    pass


PDF = b"%PDF-1.4 labour force survey 2023"


def _attach(ctx: ServiceContext, w: World) -> str:
    return evidence.add_evidence(
        ctx,
        cycle_id=w.cycle_id,
        indicator="5.1",
        input="labour_force",
        filename="survey.pdf",
        data=PDF,
        media_type="application/pdf",
    )


@dataclass(frozen=True)
class Scenario:
    prepare: Callable[[World], None]
    run: Callable[[ServiceContext, World], object]


SCENARIOS: dict[Action, Scenario] = {
    Action.city_read: Scenario(_nothing, lambda c, w: cities.get_city(c, slug=w.city)),
    Action.city_create: Scenario(
        _nothing,
        lambda c, w: cities.create_city(
            c,
            data=cities.parse_create(
                {"slug": f"new-{w.city}", "name_en": "New", "name_ko": "신도시", "country": "KR"}
            ),
        ),
    ),
    Action.city_update: Scenario(
        _nothing,
        lambda c, w: cities.update_city(
            c, slug=w.city, changes=cities.parse_update({"region": "Yeongnam"})
        ),
    ),
    Action.cycle_read: Scenario(_nothing, lambda c, w: values.list_inputs(c, cycle_id=w.cycle_id)),
    Action.cycle_open: Scenario(
        _nothing, lambda c, w: cycles.open_cycle(c, city=w.city, catalog=CATALOG, year=2024)
    ),
    Action.cycle_set_state: Scenario(
        _nothing,
        lambda c, w: cycles.set_state(c, cycle_id=w.cycle_id, state=CycleState.returned),
    ),
    Action.cycle_publish: Scenario(
        _nothing, lambda c, w: cycles.set_published(c, cycle_id=w.cycle_id, published=True)
    ),
    Action.cycle_recompute: Scenario(
        lambda w: values.set_inputs(w.system, w.cycle_id, CLEAN),
        lambda c, w: values.recompute_cycle(c, cycle_id=w.cycle_id),
    ),
    Action.input_set: Scenario(_nothing, lambda c, w: values.set_inputs(c, w.cycle_id, CLEAN)),
    Action.evidence_add: Scenario(_nothing, lambda c, w: _attach(c, w)),
    Action.evidence_read: Scenario(
        lambda w: _attach(w.system, w),
        lambda c, w: (
            evidence.list_evidence(c, cycle_id=w.cycle_id),
            evidence.get_evidence(c, sha256=hashlib.sha256(PDF).hexdigest()),
        ),
    ),
    Action.review_read: Scenario(_nothing, lambda c, w: workflow.status(c, cycle_id=w.cycle_id)),
    Action.finding_justify: Scenario(
        lambda w: values.set_inputs(w.system, w.cycle_id, WARNING),
        lambda c, w: data_quality.justify(
            c, cycle_id=w.cycle_id, indicator="5.3", rule="registered_population", text="survey"
        ),
    ),
    Action.finding_assign: Scenario(
        lambda w: values.set_inputs(w.system, w.cycle_id, WARNING),
        lambda c, w: data_quality.assign_finding(
            c,
            cycle_id=w.cycle_id,
            indicator="5.3",
            rule="registered_population",
            owner="editor.own",
            due_date=date(2024, 4, 1),
        ),
    ),
    Action.workflow_submit: Scenario(
        lambda w: values.set_inputs(w.system, w.cycle_id, CLEAN),
        lambda c, w: workflow.submit(c, cycle_id=w.cycle_id),
    ),
    Action.workflow_start: Scenario(
        lambda w: (
            values.set_inputs(w.system, w.cycle_id, CLEAN),
            workflow.submit(w.system, cycle_id=w.cycle_id),
        ),
        lambda c, w: workflow.start_verification(c, cycle_id=w.cycle_id),
    ),
    Action.workflow_decide: Scenario(
        _in_verification,
        lambda c, w: workflow.decide(c, cycle_id=w.cycle_id, indicator="5.1", decision="accepted"),
    ),
    Action.workflow_answer: Scenario(
        _queried, lambda c, w: workflow.answer(c, query_id=w.query_id, text="yes")
    ),
    Action.workflow_reopen: Scenario(
        _accepted,
        lambda c, w: workflow.reopen(c, cycle_id=w.cycle_id, indicator="5.1", reason="revised"),
    ),
    Action.workflow_return: Scenario(
        _in_verification, lambda c, w: workflow.return_cycle(c, cycle_id=w.cycle_id, reason="x")
    ),
    Action.workflow_verify: Scenario(
        _accepted, lambda c, w: workflow.mark_verified(c, cycle_id=w.cycle_id)
    ),
    Action.workflow_resume: Scenario(
        _returned, lambda c, w: workflow.resume(c, cycle_id=w.cycle_id)
    ),
    Action.workflow_certify: Scenario(
        _verified, lambda c, w: workflow.mark_certified(c, cycle_id=w.cycle_id)
    ),
    Action.user_manage: Scenario(_nothing, lambda c, w: users.list_users(c)),
}


def test_every_action_has_a_scenario_and_an_expected_row() -> None:
    assert set(SCENARIOS) == set(Action), "add a scenario for each new guarded action"
    assert set(EXPECTED) == set(Action), "add the expected personas for each new action"


# Actions that change nothing: every persona can share one world.
READ_ONLY = frozenset(
    {
        Action.city_read,
        Action.cycle_read,
        Action.review_read,
        Action.evidence_read,
        Action.user_manage,
    }
)


def _world(system: ServiceContext, n: int) -> World:
    """Two cities with a cycle each and one user per persona; names carry `n` to stay unique."""
    own_city, other_city = f"daegu{n}", f"busan{n}"
    for slug, ko in ((own_city, "대구광역시"), (other_city, "부산광역시")):
        cities.create_city(
            system,
            data=cities.parse_create(
                {
                    "slug": slug,
                    "name_en": slug.title(),
                    "name_ko": ko,
                    "country": "KR",
                    "population": 2_400_000,
                }
            ),
        )
    own = cycles.open_cycle(system, city=own_city, catalog=CATALOG, year=2023).id
    other = cycles.open_cycle(system, city=other_city, catalog=CATALOG, year=2023).id
    grants: dict[str, tuple[Role, dict[str, object]]] = {
        "admin": (Role.administrator, {}),
        "coord_own": (Role.city_coordinator, {"city": own_city}),
        "editor_own": (Role.city_editor, {"city": own_city}),
        "verifier_own": (Role.verifier, {"cycle_id": own}),
        "coord_other": (Role.city_coordinator, {"city": other_city}),
        "editor_other": (Role.city_editor, {"city": other_city}),
        "verifier_other": (Role.verifier, {"cycle_id": other}),
    }
    contexts = {"public": public_context(system.db, clock=system.clock)}
    for persona, (role, scope) in grants.items():
        login = f"{persona.replace('_', '.')}.{n}"
        users.add_user(system, login=login, name=persona)
        users.grant_role(system, login=login, role=role, **scope)  # type: ignore[arg-type]
        contexts[persona] = user_context(system.db, login, clock=system.clock)
    return World(system, own_city, own, contexts)


def _audit_count(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def _outcome(scenario: Scenario, w: World, persona: str) -> str:
    """`allowed`, or `refused` when refused cleanly (bilingual, nothing changed); else why not."""
    before = _audit_count(w.system)
    try:
        scenario.run(w.contexts[persona], w)
    except PermissionDenied as exc:
        kind = "refused"
        message = (exc.message_en, exc.message_ko)
    except NotFoundError as exc:
        # The public is told a hidden cycle does not exist, so it learns nothing of it.
        kind = "refused" if persona == "public" else f"not found: {exc}"
        message = (exc.message_en, exc.message_ko)
    else:
        return "allowed"
    if not message[1] or message[0] == message[1]:
        return "refused without a Korean message"
    if _audit_count(w.system) != before:
        return "refused but changed the audit log"
    return kind


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_matrix(action: Action, context_for: Callable[[str], ServiceContext]) -> None:
    """Each persona gets the expected outcome; allowed writers each act on a fresh world."""
    system = context_for("system")
    scenario = SCENARIOS[action]
    worlds = iter(range(1, 100))
    shared = _world(system, next(worlds))
    scenario.prepare(shared)
    wrong: dict[str, str] = {}
    for persona in PERSONAS:
        expected = "allowed" if persona in EXPECTED[action] else "refused"
        w = shared
        if expected == "allowed" and action not in READ_ONLY:
            w = _world(system, next(worlds))
            scenario.prepare(w)
        got = _outcome(scenario, w, persona)
        if got != expected:
            wrong[persona] = f"expected {expected}, got {got}"
    assert wrong == {}


def test_public_sees_published_and_certified_cycles_but_never_drafts(
    context_for: Callable[[str], ServiceContext],
) -> None:
    world = _world(context_for("system"), 1)
    public = world.contexts["public"]
    values.set_inputs(world.system, world.cycle_id, CLEAN)

    assert cycles.list_cycles(public) == []
    with pytest.raises(NotFoundError):
        cycles.get_cycle(public, cycle_id=world.cycle_id)
    with pytest.raises(NotFoundError):
        values.list_indicator_values(public, cycle_id=world.cycle_id)

    cycles.set_published(world.system, cycle_id=world.cycle_id, published=True)

    assert [c.id for c in cycles.list_cycles(public)] == [world.cycle_id]
    assert [v.indicator for v in values.list_indicator_values(public, cycle_id=world.cycle_id)] == [
        "5.1"
    ]
    with pytest.raises(PermissionDenied):  # published figures are readable, not writable
        values.set_inputs(public, world.cycle_id, CLEAN)
    with pytest.raises(PermissionDenied):  # nor is the internal review visible
        workflow.status(public, cycle_id=world.cycle_id)


def test_a_certified_cycle_is_public_even_unpublished(
    context_for: Callable[[str], ServiceContext],
) -> None:
    world = _world(context_for("system"), 1)
    _verified(world)
    with pytest.raises(NotFoundError):
        cycles.get_cycle(world.contexts["public"], cycle_id=world.cycle_id)
    workflow.mark_certified(world.system, cycle_id=world.cycle_id)
    assert cycles.get_cycle(world.contexts["public"], cycle_id=world.cycle_id).published is False
    assert [c.id for c in cycles.list_cycles(world.contexts["public"])] == [world.cycle_id]


def test_each_persona_lists_only_the_cycles_it_may_read(
    context_for: Callable[[str], ServiceContext],
) -> None:
    world = _world(context_for("system"), 1)
    listed = {
        p: [c.city_slug for c in cycles.list_cycles(ctx)] for p, ctx in world.contexts.items()
    }
    assert listed == {
        "public": [],
        "admin": ["busan1", "daegu1"],
        "coord_own": ["daegu1"],
        "editor_own": ["daegu1"],
        "verifier_own": ["daegu1"],
        "coord_other": ["busan1"],
        "editor_other": ["busan1"],
        "verifier_other": ["busan1"],
    }
