"""The certification workflow as a state machine: cycle states, per-indicator decisions, guards.

Pure rules, no storage: the services load what the rules look at (findings, justifications,
decisions, open queries), ask these functions, and store the outcome. Every refusal is a
`WorkflowError` with an English and a Korean message; guards list every blocker, not the first.

    draft -submit-> submitted -start-> in_verification -verify-> verified -certify-> certified
                       |                  |
                       +-----return-------+--> returned -resume-> draft
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class State(StrEnum):
    """Where a reporting cycle is in certification (same values as the stored cycle state)."""

    draft = "draft"
    submitted = "submitted"
    in_verification = "in_verification"
    verified = "verified"
    returned = "returned"
    certified = "certified"


class Event(StrEnum):
    """What moves a cycle from one state to another."""

    submit = "submit"
    start = "start"
    verify = "verify"
    return_ = "return"
    resume = "resume"
    certify = "certify"


class Decision(StrEnum):
    """A verifier's decision on one indicator; `pending` until decided."""

    pending = "pending"
    accepted = "accepted"
    query = "query"
    rejected = "rejected"


class ItemStatus(StrEnum):
    """Status of a tracked item (a finding or a query): who has to act next."""

    open = "open"  # the city has to act (fix, justify, answer)
    answered = "answered"  # the city acted; the verifier has to look
    resolved = "resolved"  # nothing more to do


STATE_KO = {
    State.draft: "작성 중",
    State.submitted: "제출됨",
    State.in_verification: "검증 중",
    State.verified: "검증 완료",
    State.returned: "보완 요청됨",
    State.certified: "인증됨",
}

EVENT_KO = {
    Event.submit: "제출",
    Event.start: "검증 시작",
    Event.verify: "검증 완료 처리",
    Event.return_: "보완 요청",
    Event.resume: "보완 작성 재개",
    Event.certify: "인증",
}

TRANSITIONS: Mapping[tuple[State, Event], State] = {
    (State.draft, Event.submit): State.submitted,
    (State.submitted, Event.start): State.in_verification,
    (State.submitted, Event.return_): State.returned,
    (State.in_verification, Event.verify): State.verified,
    (State.in_verification, Event.return_): State.returned,
    (State.returned, Event.resume): State.draft,
    (State.verified, Event.certify): State.certified,
}

# Where a city may still change figures (indicator by indicator, see `edit_refusal`).
EDITABLE_STATES = frozenset({State.draft, State.returned, State.in_verification})
# During verification only indicators the verifier sent back may change.
EDITABLE_IN_VERIFICATION = frozenset({Decision.query, Decision.rejected})


@dataclass(frozen=True)
class Blocker:
    """One reason a step cannot be taken: where (`5.1`, `5.1/rule.id`) and why, in en/ko."""

    where: str
    en: str
    ko: str


class WorkflowError(Exception):
    """A workflow step was refused; carries an English and a Korean message."""

    def __init__(self, en: str, ko: str, blockers: Iterable[Blocker] = ()) -> None:
        self.message_en = en
        self.message_ko = ko
        self.blockers = tuple(blockers)
        super().__init__(en)

    def message(self, lang: str = "en") -> str:
        return self.message_ko if lang == "ko" else self.message_en


class InvalidTransition(WorkflowError):
    """The event is not possible from the cycle's current state."""

    def __init__(self, state: State, event: Event) -> None:
        self.state = state
        self.event = event
        allowed = [e.value for (s, e) in TRANSITIONS if s is state]
        allowed_ko = [EVENT_KO[e] for (s, e) in TRANSITIONS if s is state]
        super().__init__(
            f"cannot {event.value} a cycle that is {state.value}; "
            f"possible now: {', '.join(allowed) or 'nothing'}",
            f"'{STATE_KO[state]}' 상태의 보고 주기는 {EVENT_KO[event]}할 수 없습니다. "
            f"지금 가능한 작업: {', '.join(allowed_ko) or '없음'}",
        )


class StepBlocked(WorkflowError):
    """The transition exists but its conditions are not met; lists every blocker."""

    def __init__(self, event: Event, blockers: Iterable[Blocker]) -> None:
        items = tuple(blockers)
        super().__init__(
            f"cannot {event.value} yet, {len(items)} problem(s): "
            + "; ".join(f"{b.where}: {b.en}" for b in items),
            f"아직 {EVENT_KO[event]}할 수 없습니다. 문제 {len(items)}건: "
            + "; ".join(f"{b.where}: {b.ko}" for b in items),
            items,
        )


def next_state(state: State, event: Event) -> State:
    """The state after `event`; InvalidTransition when the event is not possible from `state`."""
    target = TRANSITIONS.get((state, event))
    if target is None:
        raise InvalidTransition(state, event)
    return target


def possible_events(state: State) -> list[Event]:
    """The events possible from `state`, in declaration order."""
    return [e for (s, e) in TRANSITIONS if s is state]


class FindingLike(Protocol):
    """What the workflow needs of a validation finding."""

    @property
    def indicator(self) -> str: ...

    @property
    def rule(self) -> str: ...

    @property
    def severity(self) -> object: ...


def _severity(f: FindingLike) -> str:
    return str(getattr(f.severity, "value", f.severity))


def submission_blockers(
    findings: Iterable[FindingLike], justifications: Mapping[tuple[str, str], str | None]
) -> list[Blocker]:
    """Why a cycle cannot be submitted: every error finding, every unjustified warning."""
    out: list[Blocker] = []
    for f in findings:
        where = f"{f.indicator}/{f.rule}"
        severity = _severity(f)
        if severity == "error":
            out.append(
                Blocker(
                    where,
                    "an error finding must be fixed before submission",
                    "오류 항목은 제출 전에 수정해야 합니다",
                )
            )
        elif not (justifications.get((f.indicator, f.rule)) or "").strip():
            out.append(
                Blocker(
                    where,
                    "a warning needs a written justification before submission",
                    "경고 항목은 제출 전에 사유를 작성해야 합니다",
                )
            )
    return out


def verification_blockers(
    decisions: Mapping[str, Decision], open_queries: Iterable[str] = ()
) -> list[Blocker]:
    """Why a cycle cannot be marked verified: undecided indicators and unresolved queries."""
    out: list[Blocker] = []
    for number, decision in sorted(decisions.items()):
        if decision is Decision.pending:
            out.append(Blocker(number, "not decided yet", "아직 판정하지 않았습니다"))
        elif decision is Decision.query:
            out.append(Blocker(number, "a query is still open", "답변을 기다리는 질의가 있습니다"))
    for number in sorted(set(open_queries)):
        if decisions.get(number) not in (Decision.pending, Decision.query):
            out.append(
                Blocker(number, "a query thread is not resolved", "해결되지 않은 질의가 있습니다")
            )
    if not decisions:
        out.append(
            Blocker("cycle", "the cycle has no indicators to verify", "검증할 지표가 없습니다")
        )
    return out


def edit_refusal(state: State, indicator: str, decision: Decision) -> Blocker | None:
    """Why the city may not change `indicator`'s figures now, or None when it may."""
    if decision is Decision.accepted:
        return Blocker(
            indicator,
            "the verifier accepted this indicator, its figures are locked; "
            "ask the verifier to reopen it (with a reason) to change them",
            "검증자가 승인한 지표라 수정할 수 없습니다. 수정하려면 검증자에게 "
            "사유와 함께 재검토(승인 취소)를 요청하십시오",
        )
    if state not in EDITABLE_STATES:
        return Blocker(
            indicator,
            f"the cycle is {state.value}; figures can change only in draft or when returned",
            f"보고 주기가 '{STATE_KO[state]}' 상태라 수정할 수 없습니다. "
            "작성 중이거나 보완 요청된 경우에만 수정할 수 있습니다",
        )
    if state is State.in_verification and decision not in EDITABLE_IN_VERIFICATION:
        return Blocker(
            indicator,
            "during verification only indicators with a query or a rejection can change",
            "검증 중에는 질의를 받았거나 반려된 지표만 수정할 수 있습니다",
        )
    return None


def decide_refusal(
    state: State, indicator: str, current: Decision, new: Decision, text: str = ""
) -> Blocker | None:
    """Why a verifier may not record `new` on `indicator` now, or None when it may.

    A rejection needs a reason and a query needs its question (`text`).
    """
    if state is not State.in_verification:
        return Blocker(
            indicator,
            f"decisions are made during verification; the cycle is {state.value}",
            f"판정은 검증 중에만 할 수 있습니다. 현재 상태: '{STATE_KO[state]}'",
        )
    if new is Decision.pending:
        return Blocker(
            indicator,
            "pending is not a decision; reopen the indicator instead",
            "'대기'는 판정이 아닙니다. 재검토(승인 취소)를 사용하십시오",
        )
    if current is Decision.accepted:
        return Blocker(
            indicator,
            "already accepted; reopen it with a reason first",
            "이미 승인된 지표입니다. 먼저 사유와 함께 재검토로 되돌리십시오",
        )
    if new is Decision.rejected and not text.strip():
        return Blocker(indicator, "a rejection needs a reason", "반려하려면 사유가 필요합니다")
    if new is Decision.query and not text.strip():
        return Blocker(indicator, "a query needs a question", "질의 내용을 입력해야 합니다")
    return None


def reopen_refusal(state: State, indicator: str, current: Decision, reason: str) -> Blocker | None:
    """Why an accepted indicator may not be reopened, or None when it may."""
    if current is not Decision.accepted:
        return Blocker(
            indicator,
            f"only an accepted indicator can be reopened (this one is {current.value})",
            "승인된 지표만 재검토로 되돌릴 수 있습니다",
        )
    if state not in (State.in_verification, State.returned, State.draft):
        return Blocker(
            indicator,
            f"the cycle is {state.value}; reopening is possible before it is verified",
            f"보고 주기가 '{STATE_KO[state]}' 상태라 재검토로 되돌릴 수 없습니다",
        )
    if not reason.strip():
        return Blocker(
            indicator,
            "reopening an accepted indicator needs a reason",
            "승인된 지표를 되돌리려면 사유가 필요합니다",
        )
    return None


def finding_status(*, severity: str, justified: bool, fires: bool, accepted: bool) -> ItemStatus:
    """Tracking status of a finding: resolved once gone or accepted, answered once justified."""
    if not fires or accepted:
        return ItemStatus.resolved
    if severity != "error" and justified:
        return ItemStatus.answered
    return ItemStatus.open
