"""Data-quality tracking: validation findings of a cycle kept as notes, justified, assigned.

Each finding of the validation engine on a cycle becomes a `FindingNote` keyed by (indicator,
rule): it carries the city's written justification, an owner, a due date and a status (open:
the city must fix or justify; answered: justified, the verifier looks; resolved: gone or the
indicator was accepted). `outstanding` lists what still needs someone, per cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.authz import Action
from citycert.domain.calculation import RawInput
from citycert.domain.validation import Finding, ValidationContext, validate
from citycert.domain.workflow import Decision, ItemStatus, State, finding_status
from citycert.services.context import NotFoundError, Problem, ServiceContext, ValidationFailed
from citycert.services.cycles import cycle_key, load_cycle
from citycert.services.principal import authorize_cycle
from citycert.standards.catalog import get_catalog
from citycert.standards.models import Text
from citycert.store.models import City, IndicatorValue, InputValue, ReportingCycle
from citycert.store.models_review import FindingNote, IndicatorReview, ReviewQuery

JUSTIFIABLE_STATES = frozenset({State.draft, State.returned})


@dataclass(frozen=True)
class FindingView:
    """A finding as tracked for a cycle."""

    indicator: str
    rule: str
    severity: str
    message_en: str
    message_ko: str
    justification: str | None
    status: ItemStatus
    owner: str | None
    due_date: date | None
    # How to fix it (from the rule), when the finding fires on the current figures.
    hint_en: str | None = None
    hint_ko: str | None = None


@dataclass(frozen=True)
class OutstandingItem:
    """Something still to do on a cycle: who must act, by when, and what it is about."""

    kind: str  # finding / query / decision
    indicator: str
    ref: str  # rule id, query id, or the decision
    status: ItemStatus
    waiting_on: str  # city / verifier
    owner: str | None
    due_date: date | None
    overdue: bool
    en: str
    ko: str


def decisions_of(s: Session, cycle_id: int) -> dict[str, Decision]:
    """The verifier's decisions by indicator (indicators never reviewed are absent)."""
    rows = s.execute(
        select(IndicatorReview.indicator, IndicatorReview.decision).where(
            IndicatorReview.cycle_id == cycle_id
        )
    ).all()
    return {r.indicator: Decision(r.decision) for r in rows}


def cycle_inputs(s: Session, cycle_id: int) -> dict[str, dict[str, RawInput]]:
    """Stored raw figures of a cycle, by indicator and input."""
    out: dict[str, dict[str, RawInput]] = {}
    for r in s.execute(
        select(InputValue.indicator, InputValue.input, InputValue.value, InputValue.unit).where(
            InputValue.cycle_id == cycle_id
        )
    ):
        out.setdefault(r.indicator, {})[r.input] = RawInput(r.value, r.unit)
    return out


def _history(s: Session, cycle: ReportingCycle) -> dict[str, list[tuple[int, float]]]:
    rows = s.execute(
        select(ReportingCycle.year, IndicatorValue.indicator, IndicatorValue.value)
        .join(IndicatorValue, IndicatorValue.cycle_id == ReportingCycle.id)
        .where(
            ReportingCycle.city_id == cycle.city_id,
            ReportingCycle.catalog == cycle.catalog,
            ReportingCycle.year < cycle.year,
            IndicatorValue.value.is_not(None),
        )
        .order_by(ReportingCycle.year)
    ).all()
    out: dict[str, list[tuple[int, float]]] = {}
    for year, number, value in rows:
        if value is not None:
            out.setdefault(number, []).append((year, value))
    return out


def run_validation(s: Session, cycle: ReportingCycle) -> list[Finding]:
    """Every validation finding on the cycle's stored figures, with the city's history."""
    city = s.get(City, cycle.city_id)
    context = ValidationContext(
        city_population=float(city.population) if city and city.population else None,
        history=_history(s, cycle),
        year=cycle.year,
    )
    return validate(get_catalog(cycle.catalog), cycle_inputs(s, cycle.id), context=context)


def sync_findings(
    s: Session, ctx: ServiceContext, cycle: ReportingCycle, key: str
) -> list[Finding]:
    """Run validation and bring the cycle's finding notes up to date; returns the findings."""
    findings = run_validation(s, cycle)
    decisions = decisions_of(s, cycle.id)
    notes = {
        (n.indicator, n.rule): n
        for n in s.scalars(select(FindingNote).where(FindingNote.cycle_id == cycle.id))
    }
    now = ctx.now()
    opened, closed = [], []
    firing = set()
    for f in findings:
        firing.add((f.indicator, f.rule))
        note = notes.get((f.indicator, f.rule))
        if note is None:
            note = FindingNote(
                cycle_id=cycle.id,
                indicator=f.indicator,
                rule=f.rule,
                justification=None,
                justified_by=None,
                owner=None,
                due_date=None,
                created_at=now,
                status=ItemStatus.open.value,
            )
            s.add(note)
            opened.append(f"{f.indicator}/{f.rule}")
        note.severity = f.severity.value
        note.message_en, note.message_ko = f.message.en, f.message.ko
        _restatus(note, fires=True, accepted=decisions.get(f.indicator) is Decision.accepted)
        note.updated_at = now
    for (number, rule), note in notes.items():
        if (number, rule) not in firing and note.status != ItemStatus.resolved.value:
            note.status = ItemStatus.resolved.value
            note.updated_at = now
            closed.append(f"{number}/{rule}")
    s.flush()
    if opened or closed:
        ctx.audit(
            s,
            action="finding.sync",
            entity="finding_note",
            entity_key=key,
            new={"opened": opened, "resolved": closed, "findings": len(findings)},
            at=now,
        )
    return findings


def _restatus(note: FindingNote, *, fires: bool, accepted: bool) -> None:
    note.status = finding_status(
        severity=note.severity,
        justified=bool((note.justification or "").strip()),
        fires=fires,
        accepted=accepted,
    ).value


def _view(n: FindingNote, hint: Text | None = None) -> FindingView:
    return FindingView(
        indicator=n.indicator,
        rule=n.rule,
        severity=n.severity,
        message_en=n.message_en,
        message_ko=n.message_ko,
        justification=n.justification,
        status=ItemStatus(n.status),
        owner=n.owner,
        due_date=n.due_date,
        hint_en=hint.en if hint else None,
        hint_ko=hint.ko if hint else None,
    )


def check_cycle(ctx: ServiceContext, *, cycle_id: int) -> list[FindingView]:
    """Validate the cycle now and return its tracked findings (resolved ones included)."""
    with ctx.transaction() as s:
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.review_read, cycle)
        findings = sync_findings(s, ctx, cycle, cycle_key(slug, cycle.catalog, cycle.year))
        hints = {(f.indicator, f.rule): f.hint for f in findings}
        notes = s.scalars(
            select(FindingNote)
            .where(FindingNote.cycle_id == cycle_id)
            .order_by(FindingNote.indicator, FindingNote.rule)
        )
        return [_view(n, hints.get((n.indicator, n.rule))) for n in notes]


def _note(s: Session, cycle_id: int, indicator: str, rule: str) -> FindingNote:
    note = s.scalars(
        select(FindingNote).where(
            FindingNote.cycle_id == cycle_id,
            FindingNote.indicator == indicator,
            FindingNote.rule == rule,
        )
    ).first()
    if note is None:
        raise NotFoundError(
            f"no finding {rule} on {indicator}; it does not fire on the current figures",
            f"{indicator}에 {rule} 검증 결과가 없습니다 (현재 값에서는 나오지 않습니다)",
        )
    return note


def justify(
    ctx: ServiceContext, *, cycle_id: int, indicator: str, rule: str, text: str
) -> FindingView:
    """Record the city's written justification of a warning (errors must be fixed instead)."""
    with ctx.transaction() as s:
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.finding_justify, cycle)
        sync_findings(s, ctx, cycle, cycle_key(slug, cycle.catalog, cycle.year))
        note = _note(s, cycle_id, indicator, rule)
        problems: list[Problem] = []
        where = f"{indicator}/{rule}"
        if State(cycle.state) not in JUSTIFIABLE_STATES:
            problems.append(
                Problem(
                    where,
                    f"justifications are written before submission; the cycle is {cycle.state}",
                    "사유는 제출 전(작성 중 또는 보완 요청 상태)에만 작성할 수 있습니다",
                )
            )
        if note.severity == "error":
            problems.append(
                Problem(
                    where,
                    "an error cannot be justified, correct the figures",
                    "오류 항목은 사유로 대신할 수 없습니다. 값을 수정하십시오",
                )
            )
        if not text.strip():
            problems.append(Problem(where, "the justification is empty", "사유가 비어 있습니다"))
        if problems:
            raise ValidationFailed(problems)
        old = note.justification
        note.justification = text.strip()
        note.justified_by = ctx.actor
        accepted = decisions_of(s, cycle_id).get(indicator) is Decision.accepted
        _restatus(note, fires=note.status != ItemStatus.resolved.value, accepted=accepted)
        note.updated_at = ctx.now()
        s.flush()
        ctx.audit(
            s,
            action="finding.justify",
            entity="finding_note",
            entity_key=f"{cycle_key(slug, cycle.catalog, cycle.year)}/{indicator}/finding/{rule}",
            old={"justification": old},
            new={"justification": note.justification},
        )
        return _view(note)


def assign_finding(
    ctx: ServiceContext,
    *,
    cycle_id: int,
    indicator: str,
    rule: str,
    owner: str | None,
    due_date: date | None,
) -> FindingView:
    """Set who follows up a finding and by when."""
    with ctx.transaction() as s:
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.finding_assign, cycle)
        sync_findings(s, ctx, cycle, cycle_key(slug, cycle.catalog, cycle.year))
        note = _note(s, cycle_id, indicator, rule)
        old = {"owner": note.owner, "due_date": _iso(note.due_date)}
        note.owner = (owner or "").strip().lower() or None
        note.due_date = due_date
        note.updated_at = ctx.now()
        s.flush()
        ctx.audit(
            s,
            action="finding.assign",
            entity="finding_note",
            entity_key=f"{cycle_key(slug, cycle.catalog, cycle.year)}/{indicator}/finding/{rule}",
            old=old,
            new={"owner": note.owner, "due_date": _iso(due_date)},
        )
        return _view(note)


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def outstanding(
    ctx: ServiceContext, *, cycle_id: int, waiting_on: str | None = None
) -> list[OutstandingItem]:
    """What is still to do on a cycle (by due date, then indicator); filter by who must act."""
    with ctx.db.read() as s:
        cycle, _ = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.review_read, cycle)
        today = ctx.now().date()
        items: list[OutstandingItem] = []

        def add(
            kind: str,
            number: str,
            ref: str,
            status: ItemStatus,
            owner: str | None,
            due: date | None,
            en: str,
            ko: str,
        ) -> None:
            who = "verifier" if status is ItemStatus.answered else "city"
            overdue = due is not None and due < today
            items.append(
                OutstandingItem(kind, number, ref, status, who, owner, due, overdue, en, ko)
            )

        for n in s.scalars(
            select(FindingNote).where(
                FindingNote.cycle_id == cycle_id, FindingNote.status != ItemStatus.resolved.value
            )
        ):
            add(
                "finding",
                n.indicator,
                n.rule,
                ItemStatus(n.status),
                n.owner,
                n.due_date,
                n.message_en,
                n.message_ko,
            )
        for q in s.scalars(
            select(ReviewQuery).where(
                ReviewQuery.cycle_id == cycle_id, ReviewQuery.status != ItemStatus.resolved.value
            )
        ):
            status = ItemStatus(q.status)
            add(
                "query",
                q.indicator,
                str(q.id),
                status,
                q.owner,
                q.due_date,
                "query awaiting the city's answer"
                if status is ItemStatus.open
                else "answer awaiting the verifier's review",
                "도시의 답변을 기다리는 질의"
                if status is ItemStatus.open
                else "검증자의 검토를 기다리는 답변",
            )
        if State(cycle.state) is State.in_verification:
            for r in s.scalars(select(IndicatorReview).where(IndicatorReview.cycle_id == cycle_id)):
                if r.decision == Decision.rejected.value:
                    add(
                        "decision",
                        r.indicator,
                        r.decision,
                        ItemStatus.open,
                        None,
                        None,
                        f"rejected: {r.reason}",
                        f"반려됨: {r.reason}",
                    )
                elif r.decision == Decision.pending.value:
                    add(
                        "decision",
                        r.indicator,
                        r.decision,
                        ItemStatus.answered,
                        None,
                        None,
                        "awaiting the verifier's decision",
                        "검증자의 판정을 기다리는 중",
                    )
        if waiting_on is not None:
            items = [i for i in items if i.waiting_on == waiting_on]
        return sorted(items, key=lambda i: (i.due_date or date.max, i.indicator, i.kind, i.ref))
