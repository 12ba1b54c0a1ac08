"""The certification state machine: transitions, guards, locks, bilingual refusals."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from citycert.domain import workflow as wf
from citycert.domain.workflow import Decision, Event, ItemStatus, State

# (state, event) -> expected next state; every other pair must be refused.
ALLOWED = [
    (State.draft, Event.submit, State.submitted),
    (State.submitted, Event.start, State.in_verification),
    (State.submitted, Event.return_, State.returned),
    (State.in_verification, Event.verify, State.verified),
    (State.in_verification, Event.return_, State.returned),
    (State.returned, Event.resume, State.draft),
    (State.verified, Event.certify, State.certified),
]
ALLOWED_PAIRS = {(s, e) for s, e, _ in ALLOWED}
REFUSED = [(s, e) for s in State for e in Event if (s, e) not in ALLOWED_PAIRS]


@pytest.mark.parametrize(("state", "event", "expected"), ALLOWED)
def test_allowed_transitions_reach_the_expected_state(
    state: State, event: Event, expected: State
) -> None:
    assert wf.next_state(state, event) is expected


@pytest.mark.parametrize(("state", "event"), REFUSED)
def test_every_other_transition_is_refused_with_a_bilingual_message(
    state: State, event: Event
) -> None:
    with pytest.raises(wf.InvalidTransition) as err:
        wf.next_state(state, event)
    assert err.value.state is state and err.value.event is event
    assert state.value in err.value.message("en")
    assert wf.STATE_KO[state] in err.value.message("ko")
    assert err.value.message("en") != err.value.message("ko")


def test_a_certified_cycle_can_go_nowhere() -> None:
    assert wf.possible_events(State.certified) == []
    assert wf.possible_events(State.in_verification) == [Event.verify, Event.return_]


@dataclass(frozen=True)
class F:
    indicator: str
    rule: str
    severity: str


def test_submission_is_blocked_by_every_error_and_every_unjustified_warning() -> None:
    findings = [
        F("5.1", "range.percent", "error"),
        F("5.2", "yoy.jump", "warning"),
        F("5.3", "yoy.jump", "warning"),
        F("6.1", "peer.outlier", "warning"),
    ]
    justified = {("5.3", "yoy.jump"): "New census method", ("6.1", "peer.outlier"): "   "}

    blockers = wf.submission_blockers(findings, justified)

    assert [b.where for b in blockers] == ["5.1/range.percent", "5.2/yoy.jump", "6.1/peer.outlier"]
    assert all(b.en and b.ko and b.en != b.ko for b in blockers)


def test_submission_is_free_when_warnings_are_justified_and_no_error() -> None:
    findings = [F("5.2", "yoy.jump", "warning")]
    assert wf.submission_blockers(findings, {("5.2", "yoy.jump"): "explained"}) == []
    assert wf.submission_blockers([], {}) == []


@pytest.mark.parametrize(
    ("decisions", "open_queries", "blocked"),
    [
        ({"5.1": Decision.accepted, "5.2": Decision.rejected}, [], []),
        ({"5.1": Decision.accepted, "5.2": Decision.pending}, [], ["5.2"]),
        ({"5.1": Decision.query}, ["5.1"], ["5.1"]),
        ({"5.1": Decision.accepted}, ["5.1"], ["5.1"]),
        ({}, [], ["cycle"]),
    ],
)
def test_verification_needs_every_indicator_decided_and_no_open_query(
    decisions: dict[str, Decision], open_queries: list[str], blocked: list[str]
) -> None:
    assert [b.where for b in wf.verification_blockers(decisions, open_queries)] == blocked


@pytest.mark.parametrize(
    ("state", "decision", "editable"),
    [
        (State.draft, Decision.pending, True),
        (State.draft, Decision.accepted, False),
        (State.returned, Decision.rejected, True),
        (State.returned, Decision.accepted, False),
        (State.submitted, Decision.pending, False),
        (State.in_verification, Decision.pending, False),
        (State.in_verification, Decision.query, True),
        (State.in_verification, Decision.rejected, True),
        (State.in_verification, Decision.accepted, False),
        (State.verified, Decision.pending, False),
        (State.certified, Decision.accepted, False),
    ],
)
def test_figures_are_editable_only_in_open_states_and_never_when_accepted(
    state: State, decision: Decision, editable: bool
) -> None:
    refusal = wf.edit_refusal(state, "5.1", decision)
    assert (refusal is None) is editable
    if refusal is not None:
        assert refusal.where == "5.1" and refusal.ko


def test_accepted_indicator_refusal_says_it_is_locked_and_how_to_unlock() -> None:
    refusal = wf.edit_refusal(State.draft, "5.1", Decision.accepted)
    assert refusal is not None
    assert "locked" in refusal.en and "reopen" in refusal.en
    assert "승인" in refusal.ko


@pytest.mark.parametrize(
    ("state", "current", "new", "text", "ok"),
    [
        (State.in_verification, Decision.pending, Decision.accepted, "", True),
        (State.in_verification, Decision.pending, Decision.rejected, "wrong year", True),
        (State.in_verification, Decision.pending, Decision.rejected, "  ", False),
        (State.in_verification, Decision.pending, Decision.query, "", False),
        (State.in_verification, Decision.query, Decision.query, "and?", True),
        (State.in_verification, Decision.accepted, Decision.rejected, "late", False),
        (State.in_verification, Decision.pending, Decision.pending, "", False),
        (State.submitted, Decision.pending, Decision.accepted, "", False),
    ],
)
def test_decisions_are_made_during_verification_with_reasons_where_needed(
    state: State, current: Decision, new: Decision, text: str, ok: bool
) -> None:
    assert (wf.decide_refusal(state, "5.1", current, new, text) is None) is ok


@pytest.mark.parametrize(
    ("state", "current", "reason", "ok"),
    [
        (State.in_verification, Decision.accepted, "figure was revised", True),
        (State.in_verification, Decision.accepted, " ", False),
        (State.in_verification, Decision.rejected, "why", False),
        (State.verified, Decision.accepted, "too late", False),
    ],
)
def test_reopening_needs_an_accepted_indicator_and_a_reason(
    state: State, current: Decision, reason: str, ok: bool
) -> None:
    assert (wf.reopen_refusal(state, "5.1", current, reason) is None) is ok


@pytest.mark.parametrize(
    ("severity", "justified", "fires", "accepted", "expected"),
    [
        ("error", False, True, False, ItemStatus.open),
        ("error", True, True, False, ItemStatus.open),
        ("warning", False, True, False, ItemStatus.open),
        ("warning", True, True, False, ItemStatus.answered),
        ("warning", True, False, False, ItemStatus.resolved),
        ("error", False, True, True, ItemStatus.resolved),
    ],
)
def test_finding_status_follows_justification_and_acceptance(
    severity: str, justified: bool, fires: bool, accepted: bool, expected: ItemStatus
) -> None:
    got = wf.finding_status(severity=severity, justified=justified, fires=fires, accepted=accepted)
    assert got is expected


def test_step_blocked_lists_every_blocker_in_both_languages() -> None:
    blockers = [wf.Blocker("5.1", "a", "가"), wf.Blocker("5.2", "b", "나")]
    err = wf.StepBlocked(Event.submit, blockers)
    assert err.blockers == tuple(blockers)
    assert "5.1: a" in err.message("en") and "5.2: b" in err.message("en")
    assert "5.1: 가" in err.message("ko") and "2건" in err.message("ko")
