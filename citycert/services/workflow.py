"""Use cases of the certification workflow: submit, verify indicator by indicator, return, certify.

The rules are the domain's (`citycert.domain.workflow`); these functions load what the rules
look at, check the principal, apply the change and write the audit log in one transaction. The
cycle row is locked while a step runs, so two people cannot move one cycle at the same moment.
A refused step raises `WorkflowRefused` (a ServiceError) whose `reason` is the domain error
(`InvalidTransition`, `StepBlocked`, ...) with every blocker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain import workflow as wf
from citycert.domain.authz import Action
from citycert.domain.workflow import Decision, Event, ItemStatus, State
from citycert.services.context import NotFoundError, Problem, ServiceContext, ServiceError
from citycert.services.cycles import cycle_key
from citycert.services.data_quality import decisions_of, sync_findings
from citycert.services.principal import authorize_cycle
from citycert.store.models import City, InputValue, ReportingCycle
from citycert.store.models_review import FindingNote, IndicatorReview, QueryMessage, ReviewQuery

QUERY_DUE = timedelta(days=14)


class WorkflowRefused(ServiceError):
    """A workflow step was refused; `reason` is the domain error, `blockers` lists why."""

    def __init__(self, reason: wf.WorkflowError) -> None:
        self.reason = reason
        self.blockers = reason.blockers
        super().__init__(reason.message_en, reason.message_ko)


def _refuse(blocker: wf.Blocker | None, event_en: str, event_ko: str) -> None:
    if blocker is not None:
        raise WorkflowRefused(
            wf.WorkflowError(
                f"cannot {event_en} {blocker.where}: {blocker.en}",
                f"{blocker.where}: {event_ko}할 수 없습니다. {blocker.ko}",
                [blocker],
            )
        )


def _lock(s: Session, cycle_id: int) -> tuple[ReportingCycle, str]:
    """The cycle row, locked until the transaction ends, and its audit key."""
    row = s.execute(
        select(ReportingCycle, City.slug)
        .join(City, City.id == ReportingCycle.city_id)
        .where(ReportingCycle.id == cycle_id)
        .with_for_update(of=ReportingCycle)
    ).first()
    if row is None:
        raise NotFoundError(
            f"no reporting cycle {cycle_id}", f"보고 주기 {cycle_id}이(가) 없습니다"
        )
    cycle, slug = row
    return cycle, cycle_key(slug, cycle.catalog, cycle.year)


def _move(
    s: Session,
    ctx: ServiceContext,
    cycle: ReportingCycle,
    key: str,
    event: Event,
    reason: str | None,
) -> State:
    old = State(cycle.state)
    try:
        new = wf.next_state(old, event)
    except wf.InvalidTransition as exc:
        raise WorkflowRefused(exc) from None
    cycle.state = new.value
    cycle.updated_at = ctx.now()
    s.flush()
    ctx.audit(
        s,
        action=f"workflow.{event.value}",
        entity="reporting_cycle",
        entity_key=key,
        old={"state": old.value},
        new={"state": new.value},
        reason=reason,
    )
    return new


def _indicators_with_figures(s: Session, cycle_id: int) -> list[str]:
    return sorted(
        set(s.scalars(select(InputValue.indicator).where(InputValue.cycle_id == cycle_id)).all())
    )


def submit(ctx: ServiceContext, *, cycle_id: int, reason: str | None = None) -> State:
    """draft -> submitted, only with no error findings and every warning justified."""
    with ctx.transaction() as s:
        cycle, key = _lock(s, cycle_id)
        authorize_cycle(ctx, Action.workflow_submit, cycle)
        if (State(cycle.state), Event.submit) not in wf.TRANSITIONS:
            raise WorkflowRefused(wf.InvalidTransition(State(cycle.state), Event.submit))
        findings = sync_findings(s, ctx, cycle, key)
        notes = s.scalars(select(FindingNote).where(FindingNote.cycle_id == cycle_id)).all()
        justified = {(n.indicator, n.rule): n.justification for n in notes}
        blockers = wf.submission_blockers(findings, justified)
        if not _indicators_with_figures(s, cycle_id):
            blockers.append(wf.Blocker("cycle", "no figures to submit", "제출할 값이 없습니다"))
        if blockers:
            raise WorkflowRefused(wf.StepBlocked(Event.submit, blockers))
        return _move(s, ctx, cycle, key, Event.submit, reason)


def start_verification(ctx: ServiceContext, *, cycle_id: int) -> State:
    """submitted -> in_verification; every indicator with figures awaits a decision."""
    with ctx.transaction() as s:
        cycle, key = _lock(s, cycle_id)
        authorize_cycle(ctx, Action.workflow_start, cycle)
        state = _move(s, ctx, cycle, key, Event.start, None)
        known = decisions_of(s, cycle_id)
        now = ctx.now()
        # A new round: whatever was not accepted is looked at again.
        for review in s.scalars(
            select(IndicatorReview).where(
                IndicatorReview.cycle_id == cycle_id,
                IndicatorReview.decision != Decision.accepted.value,
                IndicatorReview.decision != Decision.pending.value,
            )
        ):
            review.decision, review.updated_at = Decision.pending.value, now
        for number in _indicators_with_figures(s, cycle_id):
            if number not in known:
                s.add(
                    IndicatorReview(
                        cycle_id=cycle_id,
                        indicator=number,
                        decision=Decision.pending.value,
                        reason=None,
                        decided_by=None,
                        decided_at=None,
                        updated_at=now,
                    )
                )
        s.flush()
        return state


def _review(s: Session, cycle_id: int, indicator: str) -> IndicatorReview:
    review = s.scalars(
        select(IndicatorReview).where(
            IndicatorReview.cycle_id == cycle_id, IndicatorReview.indicator == indicator
        )
    ).first()
    if review is None:
        raise NotFoundError(
            f"indicator {indicator} is not under review in this cycle",
            f"이 보고 주기에서 지표 {indicator}은(는) 검증 대상이 아닙니다",
        )
    return review


def _open_thread(s: Session, cycle_id: int, indicator: str) -> ReviewQuery | None:
    return s.scalars(
        select(ReviewQuery).where(
            ReviewQuery.cycle_id == cycle_id,
            ReviewQuery.indicator == indicator,
            ReviewQuery.status != ItemStatus.resolved.value,
        )
    ).first()


def _resolve(
    s: Session, cycle_id: int, indicator: str, now: datetime, *, findings: bool = True
) -> None:
    """A final decision settles the indicator's query threads (and, on acceptance, findings)."""
    for q in s.scalars(
        select(ReviewQuery).where(
            ReviewQuery.cycle_id == cycle_id, ReviewQuery.indicator == indicator
        )
    ):
        if q.status != ItemStatus.resolved.value:
            q.status, q.updated_at = ItemStatus.resolved.value, now
    if not findings:
        return
    for n in s.scalars(
        select(FindingNote).where(
            FindingNote.cycle_id == cycle_id, FindingNote.indicator == indicator
        )
    ):
        if n.status != ItemStatus.resolved.value:
            n.status, n.updated_at = ItemStatus.resolved.value, now


def decide(
    ctx: ServiceContext,
    *,
    cycle_id: int,
    indicator: str,
    decision: Decision,
    text: str = "",
    owner: str | None = None,
    due_date: date | None = None,
) -> Decision:
    """Record a verifier's decision on one indicator; a query opens (or continues) a thread.

    `text`: the reason of a rejection or the question of a query; `owner`/`due_date` of a query.
    """
    decision = Decision(decision)
    with ctx.transaction() as s:
        cycle, key = _lock(s, cycle_id)
        authorize_cycle(ctx, Action.workflow_decide, cycle)
        review = _review(s, cycle_id, indicator)
        current = Decision(review.decision)
        _refuse(
            wf.decide_refusal(State(cycle.state), indicator, current, decision, text),
            "decide",
            "판정",
        )
        now = ctx.now()
        review.decision = decision.value
        review.reason = text.strip() or None
        review.decided_by, review.decided_at, review.updated_at = ctx.actor, now, now
        query_id = None
        if decision is Decision.query:
            query_id = _ask(s, ctx, cycle_id, indicator, text, owner, due_date, now)
        elif decision is Decision.accepted:
            _resolve(s, cycle_id, indicator, now)
        else:
            _resolve(s, cycle_id, indicator, now, findings=False)
        s.flush()
        ctx.audit(
            s,
            action="workflow.decide",
            entity="indicator_review",
            entity_key=f"{key}/{indicator}",
            old={"decision": current.value},
            new={"decision": decision.value, "query_id": query_id},
            reason=review.reason,
        )
        return decision


def _ask(
    s: Session,
    ctx: ServiceContext,
    cycle_id: int,
    indicator: str,
    text: str,
    owner: str | None,
    due_date: date | None,
    now: datetime,
) -> int:
    thread = _open_thread(s, cycle_id, indicator)
    if thread is None:
        thread = ReviewQuery(
            cycle_id=cycle_id,
            indicator=indicator,
            created_by=ctx.actor,
            created_at=now,
            owner=None,
            due_date=None,
        )
        s.add(thread)
    thread.status = ItemStatus.open.value
    thread.owner = (owner or "").strip().lower() or thread.owner
    thread.due_date = due_date or thread.due_date or (now + QUERY_DUE).date()
    thread.updated_at = now
    s.flush()
    s.add(
        QueryMessage(
            query_id=thread.id, author=ctx.actor, kind="question", body=text.strip(), at=now
        )
    )
    return thread.id


def answer(ctx: ServiceContext, *, query_id: int, text: str) -> None:
    """The city answers a query; the indicator goes back to the verifier (pending)."""
    with ctx.transaction() as s:
        thread = s.get(ReviewQuery, query_id)
        if thread is None:
            raise NotFoundError(f"no query {query_id}", f"질의 {query_id}이(가) 없습니다")
        cycle, key = _lock(s, thread.cycle_id)
        authorize_cycle(ctx, Action.workflow_answer, cycle)
        problems = []
        if State(cycle.state) is not State.in_verification:
            problems.append(
                wf.Blocker(
                    str(query_id),
                    f"queries are answered during verification; the cycle is {cycle.state}",
                    "질의 답변은 검증 중에만 할 수 있습니다",
                )
            )
        if thread.status == ItemStatus.resolved.value:
            problems.append(
                wf.Blocker(str(query_id), "the query is already resolved", "이미 해결된 질의입니다")
            )
        if not text.strip():
            problems.append(
                wf.Blocker(str(query_id), "the answer is empty", "답변이 비어 있습니다")
            )
        if problems:
            raise WorkflowRefused(
                wf.WorkflowError(
                    "cannot answer: " + "; ".join(b.en for b in problems),
                    "답변할 수 없습니다: " + "; ".join(b.ko for b in problems),
                    problems,
                )
            )
        now = ctx.now()
        s.add(
            QueryMessage(
                query_id=query_id, author=ctx.actor, kind="answer", body=text.strip(), at=now
            )
        )
        thread.status, thread.updated_at = ItemStatus.answered.value, now
        review = _review(s, thread.cycle_id, thread.indicator)
        old = review.decision
        review.decision, review.updated_at = Decision.pending.value, now
        s.flush()
        ctx.audit(
            s,
            action="workflow.answer",
            entity="review_query",
            entity_key=f"{key}/{thread.indicator}/query/{query_id}",
            old={"decision": old},
            new={"decision": Decision.pending.value, "status": thread.status},
        )


def reopen(ctx: ServiceContext, *, cycle_id: int, indicator: str, reason: str) -> Decision:
    """Take back the acceptance of an indicator (a reason is required and audited)."""
    with ctx.transaction() as s:
        cycle, key = _lock(s, cycle_id)
        authorize_cycle(ctx, Action.workflow_reopen, cycle)
        review = _review(s, cycle_id, indicator)
        current = Decision(review.decision)
        _refuse(
            wf.reopen_refusal(State(cycle.state), indicator, current, reason), "reopen", "재검토"
        )
        now = ctx.now()
        review.decision, review.reason, review.updated_at = Decision.pending.value, reason, now
        s.flush()
        sync_findings(s, ctx, cycle, key)
        ctx.audit(
            s,
            action="workflow.reopen",
            entity="indicator_review",
            entity_key=f"{key}/{indicator}",
            old={"decision": current.value},
            new={"decision": Decision.pending.value},
            reason=reason.strip(),
        )
        return Decision.pending


def return_cycle(ctx: ServiceContext, *, cycle_id: int, reason: str) -> State:
    """Send the cycle back to the city for corrections (a reason is required)."""
    with ctx.transaction() as s:
        cycle, key = _lock(s, cycle_id)
        authorize_cycle(ctx, Action.workflow_return, cycle)
        if not reason.strip():
            raise WorkflowRefused(
                wf.StepBlocked(
                    Event.return_,
                    [wf.Blocker("reason", "a reason is required", "사유를 입력해야 합니다")],
                )
            )
        return _move(s, ctx, cycle, key, Event.return_, reason.strip())


def resume(ctx: ServiceContext, *, cycle_id: int) -> State:
    """returned -> draft: the city corrects its figures (accepted indicators stay locked)."""
    with ctx.transaction() as s:
        cycle, key = _lock(s, cycle_id)
        authorize_cycle(ctx, Action.workflow_resume, cycle)
        return _move(s, ctx, cycle, key, Event.resume, None)


def mark_verified(ctx: ServiceContext, *, cycle_id: int) -> State:
    """in_verification -> verified, once every indicator is decided and no query is open."""
    with ctx.transaction() as s:
        cycle, key = _lock(s, cycle_id)
        authorize_cycle(ctx, Action.workflow_verify, cycle)
        if (State(cycle.state), Event.verify) not in wf.TRANSITIONS:
            raise WorkflowRefused(wf.InvalidTransition(State(cycle.state), Event.verify))
        open_threads = s.scalars(
            select(ReviewQuery.indicator).where(
                ReviewQuery.cycle_id == cycle_id,
                ReviewQuery.status != ItemStatus.resolved.value,
            )
        ).all()
        blockers = wf.verification_blockers(decisions_of(s, cycle_id), open_threads)
        if blockers:
            raise WorkflowRefused(wf.StepBlocked(Event.verify, blockers))
        return _move(s, ctx, cycle, key, Event.verify, None)


def mark_certified(ctx: ServiceContext, *, cycle_id: int, reason: str | None = None) -> State:
    """verified -> certified (administrators)."""
    with ctx.transaction() as s:
        cycle, key = _lock(s, cycle_id)
        authorize_cycle(ctx, Action.workflow_certify, cycle)
        return _move(s, ctx, cycle, key, Event.certify, reason)


@dataclass(frozen=True)
class Message:
    author: str
    kind: str
    body: str
    at: datetime


@dataclass(frozen=True)
class QueryThread:
    id: int
    indicator: str
    status: ItemStatus
    owner: str | None
    due_date: date | None
    messages: tuple[Message, ...]


def queries(
    ctx: ServiceContext, *, cycle_id: int, indicator: str | None = None
) -> list[QueryThread]:
    """The query threads of a cycle (optionally of one indicator), oldest first."""
    with ctx.db.read() as s:
        cycle = _get(s, cycle_id)
        authorize_cycle(ctx, Action.review_read, cycle)
        q = select(ReviewQuery).where(ReviewQuery.cycle_id == cycle_id)
        if indicator is not None:
            q = q.where(ReviewQuery.indicator == indicator)
        out = []
        for t in s.scalars(q.order_by(ReviewQuery.id)):
            msgs = s.scalars(
                select(QueryMessage).where(QueryMessage.query_id == t.id).order_by(QueryMessage.id)
            )
            out.append(
                QueryThread(
                    t.id,
                    t.indicator,
                    ItemStatus(t.status),
                    t.owner,
                    t.due_date,
                    tuple(Message(m.author, m.kind, m.body, m.at) for m in msgs),
                )
            )
        return out


@dataclass(frozen=True)
class CycleStatus:
    cycle_id: int
    state: State
    possible: tuple[Event, ...]
    decisions: dict[str, Decision]

    def count(self, decision: Decision) -> int:
        return sum(1 for d in self.decisions.values() if d is decision)


def _get(s: Session, cycle_id: int) -> ReportingCycle:
    """The cycle row without locking it (for reads)."""
    cycle = s.get(ReportingCycle, cycle_id)
    if cycle is None:
        raise NotFoundError(
            f"no reporting cycle {cycle_id}", f"보고 주기 {cycle_id}이(가) 없습니다"
        )
    return cycle


def status(ctx: ServiceContext, *, cycle_id: int) -> CycleStatus:
    """Where the cycle is, what can happen next, and the decision on each indicator."""
    with ctx.db.read() as s:
        cycle = _get(s, cycle_id)
        authorize_cycle(ctx, Action.review_read, cycle)
        state = State(cycle.state)
        return CycleStatus(
            cycle_id, state, tuple(wf.possible_events(state)), decisions_of(s, cycle_id)
        )


def edit_problems(s: Session, cycle: ReportingCycle, indicators: Iterable[str]) -> list[Problem]:
    """Why the city may not change these indicators' figures now (empty: it may).

    Takes a shared lock on the cycle row, so no workflow step moves the cycle meanwhile.
    """
    wanted = sorted(set(indicators))
    if not wanted:
        return []
    locked_state = s.scalars(
        select(ReportingCycle.state).where(ReportingCycle.id == cycle.id).with_for_update(read=True)
    ).one()
    decisions = decisions_of(s, cycle.id)
    state = State(locked_state)
    out = []
    for number in wanted:
        b = wf.edit_refusal(state, number, decisions.get(number, Decision.pending))
        if b is not None:
            out.append(Problem(b.where, b.en, b.ko))
    return out
