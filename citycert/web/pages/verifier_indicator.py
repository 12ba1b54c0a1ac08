"""One indicator under verification, everything side by side: the raw figures as the city entered
them, the computed value and its formula, the evidence files, the data checks with the city's
explanations, the query thread and the change history from the audit log. The verifier accepts,
queries or rejects it here (with a comment), or reopens an accepted one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Form, Path, Query
from pydantic import BaseModel
from starlette.responses import Response

from citycert.domain.authz import Action
from citycert.domain.workflow import Decision, State
from citycert.services import audit, evidence, values, workflow
from citycert.services.context import NotFoundError, ServiceError
from citycert.services.principal import PermissionDenied
from citycert.standards.catalog import get_catalog
from citycert.standards.models import Text
from citycert.web.pages.workspace_common import (
    CATALOG,
    SLUG,
    YEAR,
    ActionProblem,
    Bilingual,
    CycleHeader,
    can,
    done,
    find_cycle,
    header_of,
    notice_key,
    pretty_unit,
    problem_of,
    require_sign_in,
)
from citycert.web.pages.workspace_entry import EvidenceFile, evidence_url
from citycert.web.pages.workspace_status import FindingRow, QueryRow, findings, query_rows
from citycert.web.rendering import PageContext, page, page_context, render_page

router = APIRouter(tags=["verifier"], dependencies=[Depends(require_sign_in)])

NUMBER = Path(
    ...,
    pattern=r"^([0-9]{1,3}(\.[0-9]{1,3}){1,2}|P\.[0-9]{1,3})$",
    description="Indicator number, e.g. 8.1.",
)
BASE = "/verifier/{slug}/{catalog}/{year}/indicator/{number}"
TEMPLATE = "verifier/indicator.html"
DONE = frozenset({"decided", "reopened"})
HISTORY_LIMIT = 50


class RawFigure(BaseModel):
    input: str
    label: Text
    role: str
    value: float | None
    unit: str
    given_value: float | None
    given_unit: str | None
    source: str | None
    comment: str | None
    quality_grade: str | None
    updated_by: str | None
    updated_at: datetime | None
    version: int


class Computed(BaseModel):
    value: float | None
    unit: str
    status: str | None
    messages: list[Bilingual]
    formula: str | None


class HistoryEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    what: str
    old: Any
    new: Any
    reason: str | None


class Neighbour(BaseModel):
    number: str
    url: str


class IndicatorReview(BaseModel):
    cycle: CycleHeader
    number: str
    name: Text
    decision: Decision
    can_decide: bool
    can_reopen: bool
    figures: list[RawFigure]
    computed: Computed
    evidence: list[EvidenceFile]
    findings: list[FindingRow]
    queries: list[QueryRow]
    history: list[HistoryEntry]
    previous: Neighbour | None
    next: Neighbour | None
    next_pending: Neighbour | None
    default_due: date
    notice: str | None = None
    problem: ActionProblem | None = None
    form: dict[str, str] = {}


def build(
    pc: PageContext,
    slug: str,
    catalog: str,
    year: int,
    number: str,
    *,
    problem: ActionProblem | None = None,
    form: dict[str, str] | None = None,
) -> IndicatorReview:
    cycle = find_cycle(pc, slug, catalog, year)
    status = workflow.status(pc.user_ctx, cycle_id=cycle.id)  # review rights
    header = header_of(pc, cycle)
    cat = get_catalog(catalog)
    ind = cat.get(number)
    order = {i.number: n for n, i in enumerate(cat)}
    computed_all = sorted(
        values.list_indicator_values(pc.user_ctx, cycle_id=cycle.id),
        key=lambda v: order.get(v.indicator, len(order)),
    )
    value = next((v for v in computed_all if v.indicator == number), None)
    if ind is None or value is None:
        raise NotFoundError(
            f"{header.standard} {number} has no figures in this cycle",
            f"이 보고 주기에는 {header.standard} {number} 지표의 값이 없습니다",
        )
    specs = {i.name: i for i in (ind.formula.inputs if ind.formula else ())}
    figures = [
        RawFigure(
            input=r.input,
            label=specs[r.input].label if r.input in specs else Text(en=r.input, ko=r.input),
            role=specs[r.input].role.value if r.input in specs else "value",
            value=r.value,
            unit=pretty_unit(r.unit),
            given_value=r.original_value,
            given_unit=r.original_unit,
            source=r.source,
            comment=r.comment,
            quality_grade=r.quality_grade,
            updated_by=r.updated_by,
            updated_at=r.updated_at,
            version=r.version,
        )
        for r in values.list_inputs(pc.user_ctx, cycle_id=cycle.id)
        if r.indicator == number
    ]
    prov = value.provenance or {}
    entries = audit.history(pc.user_ctx, entity_key_prefix=f"{header.key}/{number}")
    numbers = [v.indicator for v in computed_all]
    at = numbers.index(number)
    pending = [
        n
        for n in numbers[at + 1 :] + numbers[:at]
        if status.decisions.get(n, Decision.pending) in (Decision.pending,)
    ]

    def link(n: str) -> Neighbour:
        return Neighbour(number=n, url=f"{header.verifier_url}/indicator/{n}")

    decision = status.decisions.get(number, Decision.pending)
    in_verification = header.state is State.in_verification
    return IndicatorReview(
        cycle=header,
        number=number,
        name=ind.name,
        decision=decision,
        can_decide=can(pc, Action.workflow_decide, header) and in_verification,
        can_reopen=can(pc, Action.workflow_reopen, header)
        and in_verification
        and decision is Decision.accepted,
        figures=figures,
        computed=Computed(
            value=value.value,
            unit=pretty_unit(value.unit),
            status=value.status,
            messages=[Bilingual(en=m["en"], ko=m["ko"]) for m in value.messages],
            formula=str(prov.get("formula")) if prov.get("formula") else None,
        ),
        evidence=[
            EvidenceFile(
                filename=e.filename,
                input=e.input,
                uploaded_by=e.uploaded_by,
                uploaded_at=e.uploaded_at,
                url=evidence_url(e),
            )
            for e in evidence.list_evidence(pc.user_ctx, cycle_id=cycle.id, indicator=number)
        ],
        findings=[f for f in findings(pc, header) if f.indicator == number],
        queries=query_rows(pc, header, indicator=number, open_only=False),
        history=[
            HistoryEntry(
                at=e.at,
                actor=e.actor,
                action=e.action,
                what=e.entity_key.removeprefix(f"{header.key}/"),
                old=e.old,
                new=e.new,
                reason=e.reason,
            )
            for e in entries[-HISTORY_LIMIT:][::-1]
        ],
        previous=link(numbers[at - 1]) if at > 0 else None,
        next=link(numbers[at + 1]) if at + 1 < len(numbers) else None,
        next_pending=link(pending[0]) if pending else None,
        default_due=pc.user_ctx.now().date() + workflow.QUERY_DUE,
        notice=notice_key("verifier", pc.request.query_params.get("done"), DONE),
        problem=problem,
        form=form or {},
    )


@page(
    router,
    BASE,
    template=TEMPLATE,
    model=IndicatorReview,
    summary="One indicator under verification",
)
def verifier_indicator(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    number: str = NUMBER,
    done_: str | None = Query(None, alias="done", max_length=40, description="Last step done."),
    pc: PageContext = Depends(page_context),
) -> IndicatorReview:
    """Raw figures, computed value, evidence, checks, queries and history side by side."""
    return build(pc, slug, catalog, year, number)


def _again(
    pc: PageContext, args: tuple[str, str, int, str], exc: ServiceError, form: dict[str, str]
) -> Response:
    if isinstance(exc, PermissionDenied):
        raise exc
    problem = problem_of(exc)
    response = render_page(pc, TEMPLATE, build(pc, *args, problem=problem, form=form))
    response.status_code = problem.status
    return response


@router.post(BASE + "/decide", include_in_schema=False)
def decide(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    number: str = NUMBER,
    decision: Decision = Form(...),
    text: str = Form("", max_length=4000),
    due_date: date | None = Form(None),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Accept, query (with a question and due date) or reject (with a reason) the indicator."""
    cycle = find_cycle(pc, slug, catalog, year)
    try:
        workflow.decide(
            pc.user_ctx,
            cycle_id=cycle.id,
            indicator=number,
            decision=decision,
            text=text,
            due_date=due_date if decision is Decision.query else None,
        )
    except ServiceError as exc:
        form = {"decision": decision.value, "text": text}
        return _again(pc, (slug, catalog, year, number), exc, form)
    url = f"/verifier/{slug}/{catalog}/{year}/indicator/{number}?done=decided"
    return done(pc, url, {"indicator": number, "decision": decision.value})


@router.post(BASE + "/reopen", include_in_schema=False)
def reopen(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    number: str = NUMBER,
    reason: str = Form("", max_length=4000),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Take back the acceptance of the indicator (a reason is required)."""
    cycle = find_cycle(pc, slug, catalog, year)
    try:
        workflow.reopen(pc.user_ctx, cycle_id=cycle.id, indicator=number, reason=reason)
    except ServiceError as exc:
        return _again(pc, (slug, catalog, year, number), exc, {"reason": reason})
    url = f"/verifier/{slug}/{catalog}/{year}/indicator/{number}?done=reopened"
    return done(pc, url, {"indicator": number})
