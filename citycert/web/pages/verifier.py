"""The verifier console's review board of one cycle (the queue: `verifier_queue`).

Every indicator with figures, its computed value, decision, checks, queries and evidence, with
the cycle's steps: start verification, accept indicators (ticked, or all still to decide whose
checks are clean), return for corrections, mark verified, and (administrators) certify and issue
the certificate. Decisions on one indicator are taken on its own page (`verifier_indicator`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query
from pydantic import BaseModel
from starlette.responses import Response

from citycert.domain.authz import Action
from citycert.domain.workflow import Decision, ItemStatus, State, verification_blockers
from citycert.services import certificates, values, workflow
from citycert.services.context import ServiceError
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
    Problem,
    can,
    done,
    find_cycle,
    header_of,
    notice_key,
    pretty_unit,
    problem_of,
    require_sign_in,
)
from citycert.web.pages.workspace_cycle import CertificateLink
from citycert.web.pages.workspace_status import LevelSummary, findings, level_summary, query_rows
from citycert.web.rendering import PageContext, page, page_context, render_page

router = APIRouter(tags=["verifier"], dependencies=[Depends(require_sign_in)])
DONE = frozenset({"started", "accepted", "verified", "returned", "certified"})


class VerifierAllowed(BaseModel):
    start: bool
    decide: bool
    verify: bool
    return_: bool
    certify: bool


class IndicatorLine(BaseModel):
    number: str
    name: Text
    value: float | None
    unit: str
    status: str
    decision: Decision
    warnings: int
    errors: int
    query: ItemStatus | None
    url: str


class ReviewBoard(BaseModel):
    cycle: CycleHeader
    allowed: VerifierAllowed
    counts: dict[str, int]
    clean_pending: list[str]  # still to decide, computed cleanly, no finding, no query
    verify_blockers: list[Bilingual]
    indicators: list[IndicatorLine]
    level: LevelSummary
    certificates: list[CertificateLink]
    notice: str | None = None
    problem: ActionProblem | None = None


def build(
    pc: PageContext, slug: str, catalog: str, year: int, *, problem: ActionProblem | None = None
) -> ReviewBoard:
    cycle = find_cycle(pc, slug, catalog, year)
    status = workflow.status(pc.user_ctx, cycle_id=cycle.id)
    header = header_of(pc, cycle)
    state = header.state
    cat = get_catalog(catalog)
    found = findings(pc, header)
    threads = {q.indicator: q.status for q in query_rows(pc, header)}
    lines = []
    order = {ind.number: i for i, ind in enumerate(cat)}
    computed = values.list_indicator_values(pc.user_ctx, cycle_id=cycle.id)
    for v in sorted(computed, key=lambda v: order.get(v.indicator, len(order))):
        ind = cat.get(v.indicator)
        if ind is None:
            continue
        mine = [f for f in found if f.indicator == v.indicator]
        lines.append(
            IndicatorLine(
                number=v.indicator,
                name=ind.name,
                value=v.value,
                unit=pretty_unit(v.unit),
                status=v.status,
                decision=status.decisions.get(v.indicator, Decision.pending),
                warnings=sum(f.severity != "error" for f in mine),
                errors=sum(f.severity == "error" for f in mine),
                query=threads.get(v.indicator),
                url=f"{header.verifier_url}/indicator/{v.indicator}",
            )
        )
    open_threads = [n for n, s in threads.items() if s is not ItemStatus.resolved]
    blockers = (
        verification_blockers(status.decisions, open_threads)
        if state is State.in_verification
        else []
    )
    allowed = VerifierAllowed(
        start=can(pc, Action.workflow_start, header) and state is State.submitted,
        decide=can(pc, Action.workflow_decide, header) and state is State.in_verification,
        verify=can(pc, Action.workflow_verify, header) and state is State.in_verification,
        return_=can(pc, Action.workflow_return, header)
        and state in (State.submitted, State.in_verification),
        certify=can(pc, Action.workflow_certify, header) and state is State.verified,
    )
    certs = [
        CertificateLink(
            public_id=c.public_id,
            level=c.level,
            url=f"/certificates/{c.public_id}",
            pdf_url=f"/certificates/{c.public_id}/pdf",
        )
        for c in certificates.list_certificates(pc.user_ctx, city=slug)
        if c.cycle_id == header.id and c.revoked_at is None
    ]
    return ReviewBoard(
        cycle=header,
        allowed=allowed,
        counts={d.value: status.count(d) for d in Decision},
        clean_pending=[
            i.number
            for i in lines
            if i.decision is Decision.pending
            and i.status == "ok"
            and not (i.errors or i.warnings or i.query)
        ],
        verify_blockers=[
            Bilingual(en=f"{b.where}: {b.en}", ko=f"{b.where}: {b.ko}") for b in blockers
        ],
        indicators=lines,
        level=level_summary(pc, header),
        certificates=certs,
        notice=notice_key("verifier", pc.request.query_params.get("done"), DONE),
        problem=problem,
    )


TEMPLATE = "verifier/cycle.html"
BASE = "/verifier/{slug}/{catalog}/{year}"


@page(
    router,
    BASE,
    template=TEMPLATE,
    model=ReviewBoard,
    summary="Review board of one reporting cycle",
)
def verifier_cycle(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    done_: str | None = Query(None, alias="done", max_length=40, description="Last step done."),
    pc: PageContext = Depends(page_context),
) -> ReviewBoard:
    """Every indicator with its value, decision, checks and queries; the cycle's next steps."""
    return build(pc, slug, catalog, year)


def _again(pc: PageContext, args: tuple[str, str, int], exc: ServiceError) -> Response:
    if isinstance(exc, PermissionDenied):
        raise exc
    problem = problem_of(exc)
    response = render_page(pc, TEMPLATE, build(pc, *args, problem=problem))
    response.status_code = problem.status
    return response


def _url(slug: str, catalog: str, year: int, code: str) -> str:
    return f"/verifier/{slug}/{catalog}/{year}?done={code}"


@router.post(BASE + "/start", include_in_schema=False)
def start(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    pc: PageContext = Depends(page_context),
) -> Response:
    """Start verification: every indicator with figures awaits a decision."""
    cycle = find_cycle(pc, slug, catalog, year)
    try:
        state = workflow.start_verification(pc.user_ctx, cycle_id=cycle.id)
    except ServiceError as exc:
        return _again(pc, (slug, catalog, year), exc)
    return done(pc, _url(slug, catalog, year, "started"), {"state": state.value})


@router.post(BASE + "/accept", include_in_schema=False)
def accept(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    indicator: list[str] = Form([], max_length=500),
    scope: str = Form("selected", pattern=r"^(selected|clean)$"),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Accept the ticked indicators, or (`scope=clean`) every one still to decide whose checks
    are clean; each on its own: refusals are listed, the rest stand."""
    cycle = find_cycle(pc, slug, catalog, year)
    if scope == "clean":
        indicator = build(pc, slug, catalog, year).clean_pending
    accepted, refused = [], []
    for number in dict.fromkeys(indicator):
        try:
            workflow.decide(
                pc.user_ctx, cycle_id=cycle.id, indicator=number, decision=Decision.accepted
            )
            accepted.append(number)
        except PermissionDenied:
            raise
        except ServiceError as exc:
            refused.append((number, exc))
    if refused:
        problem = ActionProblem(
            message=Bilingual(
                en=f"{len(accepted)} accepted; {len(refused)} could not be accepted:",
                ko=f"{len(accepted)}개 승인, {len(refused)}개는 승인하지 못했습니다:",
            ),
            details=[Problem(where=n, en=e.message_en, ko=e.message_ko) for n, e in refused],
            status=409,
        )
        response = render_page(pc, TEMPLATE, build(pc, slug, catalog, year, problem=problem))
        response.status_code = 409
        return response
    return done(pc, _url(slug, catalog, year, "accepted"), {"accepted": accepted})


@router.post(BASE + "/verify", include_in_schema=False)
def verify(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    pc: PageContext = Depends(page_context),
) -> Response:
    """Mark the cycle verified (every indicator decided, no query open)."""
    cycle = find_cycle(pc, slug, catalog, year)
    try:
        state = workflow.mark_verified(pc.user_ctx, cycle_id=cycle.id)
    except ServiceError as exc:
        return _again(pc, (slug, catalog, year), exc)
    return done(pc, _url(slug, catalog, year, "verified"), {"state": state.value})


@router.post(BASE + "/return", include_in_schema=False)
def return_cycle(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    reason: str = Form("", max_length=4000),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Send the cycle back to the city for corrections, saying why."""
    cycle = find_cycle(pc, slug, catalog, year)
    try:
        state = workflow.return_cycle(pc.user_ctx, cycle_id=cycle.id, reason=reason)
    except ServiceError as exc:
        return _again(pc, (slug, catalog, year), exc)
    return done(pc, _url(slug, catalog, year, "returned"), {"state": state.value})


@router.post(BASE + "/certify", include_in_schema=False)
def certify(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    pc: PageContext = Depends(page_context),
) -> Response:
    """Certify the verified cycle and issue its certificate (administrators)."""
    cycle = find_cycle(pc, slug, catalog, year)
    try:
        cert = certificates.issue(pc.user_ctx, cycle_id=cycle.id)
    except ServiceError as exc:
        return _again(pc, (slug, catalog, year), exc)
    return done(
        pc,
        _url(slug, catalog, year, "certified"),
        {"public_id": cert.public_id, "url": f"/certificates/{cert.public_id}"},
    )
