"""The verification workflow through the services: submit, decide, query, lock, return, certify."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from citycert.domain import workflow as wf
from citycert.domain.authz import Role
from citycert.domain.workflow import Decision, ItemStatus, State
from citycert.services import cities, cycles, data_quality, users, values, workflow
from citycert.services.context import ServiceContext, ValidationFailed
from citycert.services.principal import user_context
from citycert.services.values import InputChange
from citycert.services.workflow import WorkflowRefused
from citycert.store.audit_log import history, verify_chain
from citycert.store.models import AuditLog

CATALOG = "iso37120-2014"
CLEAN = [
    InputChange("5.1", "unemployed_persons", 48_000),
    InputChange("5.1", "labour_force", 1_200_000),
    InputChange("5.4", "full_time_employed_persons", 900_000),
    InputChange("5.4", "population", 2_400_000),
]
# population differs from the city's registered 2,400,000: a warning on 5.3
WARNING = [
    InputChange("5.3", "persons_in_poverty", 100_000),
    InputChange("5.3", "population", 1_500_000),
]
ERROR = [  # more unemployed than the labour force: an error on 5.1
    InputChange("5.1", "unemployed_persons", 1_300_000),
    InputChange("5.1", "labour_force", 1_200_000),
]


@dataclass
class World:
    admin: ServiceContext
    coord: ServiceContext
    editor: ServiceContext
    verifier: ServiceContext
    cycle_id: int


@pytest.fixture
def world(context_for: Callable[[str], ServiceContext]) -> World:
    admin = context_for("admin@kcert")
    cities.create_city(
        admin,
        data=cities.parse_create(
            {
                "slug": "daegu",
                "name_en": "Daegu",
                "name_ko": "대구광역시",
                "country": "KR",
                "population": 2_400_000,
            }
        ),
    )
    cycle_id = cycles.open_cycle(admin, city="daegu", catalog=CATALOG, year=2023).id
    for login, role, scope in [
        ("coord.daegu", Role.city_coordinator, {"city": "daegu"}),
        ("editor.daegu", Role.city_editor, {"city": "daegu"}),
        ("verifier.kim", Role.verifier, {"cycle_id": cycle_id}),
    ]:
        users.add_user(admin, login=login, name=login)
        users.grant_role(admin, login=login, role=role, **scope)  # type: ignore[arg-type]

    def as_user(login: str) -> ServiceContext:
        return user_context(admin.db, login, clock=admin.clock)

    return World(
        admin, as_user("coord.daegu"), as_user("editor.daegu"), as_user("verifier.kim"), cycle_id
    )


def state(w: World) -> State:
    return workflow.status(w.admin, cycle_id=w.cycle_id).state


def actions(w: World) -> list[str]:
    with w.admin.db.read() as s:
        return [e.action for e in history(s, "daegu/iso37120-2014/2023")]


def start_with(w: World, changes: list[InputChange]) -> None:
    values.set_inputs(w.editor, w.cycle_id, changes)
    workflow.submit(w.coord, cycle_id=w.cycle_id)
    workflow.start_verification(w.verifier, cycle_id=w.cycle_id)


def test_clean_cycle_goes_from_draft_to_certified_and_every_step_is_audited(w: World) -> None:
    values.set_inputs(w.editor, w.cycle_id, CLEAN)

    assert workflow.submit(w.coord, cycle_id=w.cycle_id) is State.submitted
    assert workflow.start_verification(w.verifier, cycle_id=w.cycle_id) is State.in_verification
    assert workflow.status(w.verifier, cycle_id=w.cycle_id).decisions == {
        "5.1": Decision.pending,
        "5.4": Decision.pending,
    }
    for number in ("5.1", "5.4"):
        workflow.decide(w.verifier, cycle_id=w.cycle_id, indicator=number, decision="accepted")
    assert workflow.mark_verified(w.verifier, cycle_id=w.cycle_id) is State.verified
    assert workflow.mark_certified(w.admin, cycle_id=w.cycle_id) is State.certified

    steps = [a for a in actions(w) if a.startswith("workflow.")]
    assert steps == [
        "workflow.submit",
        "workflow.start",
        "workflow.decide",
        "workflow.decide",
        "workflow.verify",
        "workflow.certify",
    ]
    with w.admin.db.read() as s:
        assert verify_chain(s).ok
        last = history(s, "daegu/iso37120-2014/2023")[-1]
    assert (last.actor, last.old, last.new) == (
        "admin@kcert",
        {"state": "verified"},
        {"state": "certified"},
    )


@pytest.fixture
def w(world: World) -> World:
    return world


def test_submit_with_an_error_finding_is_refused_listing_it_and_nothing_moves(w: World) -> None:
    values.set_inputs(w.editor, w.cycle_id, ERROR + WARNING)

    with pytest.raises(WorkflowRefused) as err:
        workflow.submit(w.coord, cycle_id=w.cycle_id)

    assert isinstance(err.value.reason, wf.StepBlocked)
    wheres = [b.where for b in err.value.blockers]
    assert "5.1/numerator_le_denominator" in wheres
    assert "5.3/registered_population" in wheres
    assert "제출" in err.value.message("ko")
    assert state(w) is State.draft
    assert "workflow.submit" not in actions(w)


def test_each_warning_needs_a_justification_before_submission(w: World) -> None:
    values.set_inputs(w.editor, w.cycle_id, CLEAN[:2] + WARNING)
    with pytest.raises(WorkflowRefused):
        workflow.submit(w.coord, cycle_id=w.cycle_id)

    note = data_quality.justify(
        w.editor,
        cycle_id=w.cycle_id,
        indicator="5.3",
        rule="registered_population",
        text="5.3 uses the resident survey population, not the registry",
    )

    assert note.status is ItemStatus.answered
    assert workflow.submit(w.coord, cycle_id=w.cycle_id) is State.submitted
    with w.admin.db.read() as s:
        entry = history(s, "daegu/iso37120-2014/2023/5.3/finding/registered_population")[-1]
    assert entry.action == "finding.justify" and entry.actor == "editor.daegu"


def test_an_error_cannot_be_justified_away(w: World) -> None:
    values.set_inputs(w.editor, w.cycle_id, ERROR)
    data_quality.check_cycle(w.editor, cycle_id=w.cycle_id)

    with pytest.raises(ValidationFailed) as err:
        data_quality.justify(
            w.editor,
            cycle_id=w.cycle_id,
            indicator="5.1",
            rule="numerator_le_denominator",
            text="trust us",
        )
    assert "cannot be justified" in str(err.value)


def test_an_impossible_step_raises_a_typed_bilingual_error(w: World) -> None:
    values.set_inputs(w.editor, w.cycle_id, CLEAN)

    with pytest.raises(WorkflowRefused) as err:
        workflow.start_verification(w.verifier, cycle_id=w.cycle_id)

    assert isinstance(err.value.reason, wf.InvalidTransition)
    assert "draft" in err.value.message("en")
    assert "작성 중" in err.value.message("ko")
    assert state(w) is State.draft


def test_accepted_indicator_is_locked_and_reopening_needs_a_logged_reason(w: World) -> None:
    start_with(w, CLEAN)
    workflow.decide(w.verifier, cycle_id=w.cycle_id, indicator="5.1", decision="accepted")
    workflow.decide(
        w.verifier, cycle_id=w.cycle_id, indicator="5.4", decision="rejected", text="2022 figure"
    )
    workflow.return_cycle(w.verifier, cycle_id=w.cycle_id, reason="5.4 is for the wrong year")
    workflow.resume(w.coord, cycle_id=w.cycle_id)

    with pytest.raises(ValidationFailed) as err:
        values.set_inputs(w.editor, w.cycle_id, [InputChange("5.1", "labour_force", 1_250_000)])
    assert "locked" in str(err.value) and "5.1" in str(err.value)
    # the rejected indicator may be corrected, and re-sending accepted figures changes nothing
    summary = values.set_inputs(
        w.editor, w.cycle_id, [*CLEAN[:2], InputChange("5.4", "population", 2_410_000)]
    )
    assert (summary.updated, summary.unchanged) == (1, 2)

    with pytest.raises(WorkflowRefused):
        workflow.reopen(w.verifier, cycle_id=w.cycle_id, indicator="5.1", reason=" ")
    workflow.reopen(w.verifier, cycle_id=w.cycle_id, indicator="5.1", reason="census revised")
    values.set_inputs(w.editor, w.cycle_id, [InputChange("5.1", "labour_force", 1_250_000)])

    with w.admin.db.read() as s:
        reopened = [
            e for e in history(s, "daegu/iso37120-2014/2023/5.1") if e.action == "workflow.reopen"
        ]
    assert [(e.actor, e.reason, e.new) for e in reopened] == [
        ("verifier.kim", "census revised", {"decision": "pending"})
    ]


def test_a_query_thread_is_answered_by_the_city_and_reopens_review(w: World) -> None:
    start_with(w, CLEAN)
    workflow.decide(w.verifier, cycle_id=w.cycle_id, indicator="5.4", decision="accepted")
    workflow.decide(
        w.verifier,
        cycle_id=w.cycle_id,
        indicator="5.1",
        decision="query",
        text="Is the labour force from the 2023 survey?",
        owner="coord.daegu",
    )
    [item] = data_quality.outstanding(w.coord, cycle_id=w.cycle_id, waiting_on="city")
    assert (item.kind, item.indicator, item.status, item.owner) == (
        "query",
        "5.1",
        ItemStatus.open,
        "coord.daegu",
    )
    assert item.due_date == date(2024, 3, 15)
    with pytest.raises(WorkflowRefused) as blocked:
        workflow.mark_verified(w.verifier, cycle_id=w.cycle_id)
    assert [b.where for b in blocked.value.blockers] == ["5.1"]

    # during verification the city may correct the queried indicator, but not the accepted one
    values.set_inputs(w.editor, w.cycle_id, [InputChange("5.1", "labour_force", 1_210_000)])
    with pytest.raises(ValidationFailed):
        values.set_inputs(w.editor, w.cycle_id, [InputChange("5.4", "population", 1)])
    workflow.answer(w.coord, query_id=int(item.ref), text="Yes, and corrected to 1,210,000.")

    assert workflow.status(w.verifier, cycle_id=w.cycle_id).decisions["5.1"] is Decision.pending
    [thread] = workflow.queries(w.verifier, cycle_id=w.cycle_id)
    assert [(m.author, m.kind) for m in thread.messages] == [
        ("verifier.kim", "question"),
        ("coord.daegu", "answer"),
    ]
    assert [i.waiting_on for i in data_quality.outstanding(w.coord, cycle_id=w.cycle_id)] == [
        "verifier",
        "verifier",
    ]
    workflow.decide(w.verifier, cycle_id=w.cycle_id, indicator="5.1", decision="accepted")
    assert workflow.queries(w.coord, cycle_id=w.cycle_id)[0].status is ItemStatus.resolved
    assert data_quality.outstanding(w.coord, cycle_id=w.cycle_id) == []
    assert workflow.mark_verified(w.verifier, cycle_id=w.cycle_id) is State.verified


def test_rejected_then_returned_cycle_is_corrected_and_submitted_again(w: World) -> None:
    start_with(w, CLEAN)
    workflow.decide(w.verifier, cycle_id=w.cycle_id, indicator="5.1", decision="accepted")
    workflow.decide(w.verifier, cycle_id=w.cycle_id, indicator="5.4", decision="query", text="?")
    workflow.decide(
        w.verifier, cycle_id=w.cycle_id, indicator="5.4", decision="rejected", text="count FTE"
    )
    assert [q.status for q in workflow.queries(w.coord, cycle_id=w.cycle_id)] == [
        ItemStatus.resolved
    ]
    [item] = data_quality.outstanding(w.coord, cycle_id=w.cycle_id, waiting_on="city")
    assert (item.kind, item.indicator, item.en) == ("decision", "5.4", "rejected: count FTE")

    with pytest.raises(WorkflowRefused) as no_reason:
        workflow.return_cycle(w.verifier, cycle_id=w.cycle_id, reason="")
    assert isinstance(no_reason.value.reason, wf.StepBlocked)
    workflow.return_cycle(w.verifier, cycle_id=w.cycle_id, reason="see 5.4")
    with pytest.raises(WorkflowRefused):  # returned must go back to draft first
        workflow.submit(w.coord, cycle_id=w.cycle_id)
    workflow.resume(w.coord, cycle_id=w.cycle_id)
    values.set_inputs(
        w.editor, w.cycle_id, [InputChange("5.4", "full_time_employed_persons", 880_000)]
    )

    assert workflow.submit(w.coord, cycle_id=w.cycle_id) is State.submitted
    assert workflow.start_verification(w.verifier, cycle_id=w.cycle_id) is State.in_verification
    # a new round: the rejected indicator is reviewed again, the accepted one stays accepted
    assert workflow.status(w.verifier, cycle_id=w.cycle_id).decisions == {
        "5.1": Decision.accepted,
        "5.4": Decision.pending,
    }


def test_findings_carry_owner_due_date_and_become_overdue(w: World) -> None:
    values.set_inputs(w.editor, w.cycle_id, CLEAN[:2] + WARNING)
    notes = data_quality.check_cycle(w.coord, cycle_id=w.cycle_id)
    assert [(n.indicator, n.rule, n.status) for n in notes] == [
        ("5.3", "registered_population", ItemStatus.open)
    ]
    data_quality.assign_finding(
        w.coord,
        cycle_id=w.cycle_id,
        indicator="5.3",
        rule="registered_population",
        owner="Editor.Daegu",
        due_date=date(2024, 3, 10),
    )
    [before] = data_quality.outstanding(w.coord, cycle_id=w.cycle_id)
    w.admin.clock.advance(days=10)  # type: ignore[attr-defined]
    [after] = data_quality.outstanding(w.coord, cycle_id=w.cycle_id)

    assert (before.owner, before.due_date, before.overdue) == (
        "editor.daegu",
        date(2024, 3, 10),
        False,
    )
    assert after.overdue is True
    # correcting the figure makes the finding go away on the next check
    values.set_inputs(w.editor, w.cycle_id, [InputChange("5.3", "population", 2_400_000)])
    [resolved] = data_quality.check_cycle(w.coord, cycle_id=w.cycle_id)
    assert resolved.status is ItemStatus.resolved
    assert data_quality.outstanding(w.coord, cycle_id=w.cycle_id) == []


def test_a_refused_step_writes_no_audit_entry(w: World) -> None:
    values.set_inputs(w.editor, w.cycle_id, CLEAN)
    with w.admin.db.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditLog))
    with pytest.raises(WorkflowRefused):
        workflow.mark_certified(w.admin, cycle_id=w.cycle_id)
    with w.admin.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == before


def test_two_people_moving_one_cycle_at_once_one_wins_the_other_is_told_why(w: World) -> None:
    values.set_inputs(w.editor, w.cycle_id, CLEAN)
    workflow.submit(w.coord, cycle_id=w.cycle_id)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def step(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
            outcomes.append("done")
        except WorkflowRefused as exc:
            outcomes.append(type(exc.reason).__name__)

    start = lambda: workflow.start_verification(w.verifier, cycle_id=w.cycle_id)  # noqa: E731
    threads = [threading.Thread(target=step, args=(start,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["InvalidTransition", "done"]
    assert state(w) is State.in_verification
    assert actions(w).count("workflow.start") == 1
    with w.admin.db.read() as s:
        assert verify_chain(s).ok
