"""The city workspace of one reporting cycle: where it stands and what to do next.

Dashboard: completeness by theme, validation findings (with the fix and a justification form for
warnings), the certification level now and the gap to the next, query threads with due dates,
the workbook template and upload. Posts: justify a warning, submit, answer a query, resume a
returned cycle. Every step is checked by the services as the signed-in person; a refusal shows
the page again with every reason and the text you typed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query
from pydantic import BaseModel
from starlette.responses import Response

from citycert.domain.authz import Action
from citycert.domain.workflow import ItemStatus, State
from citycert.i18n import t
from citycert.services import certificates, data_quality, workflow
from citycert.services.context import ServiceError
from citycert.services.principal import PermissionDenied
from citycert.web import charts
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
    problem_of,
    require_sign_in,
)
from citycert.web.pages.workspace_status import (
    FindingRow,
    LevelSummary,
    OpenItem,
    QueryRow,
    ThemeProgress,
    completeness,
    findings,
    level_summary,
    open_items,
    query_rows,
)
from citycert.web.rendering import PageContext, page, page_context, render_page

router = APIRouter(tags=["workspace"], dependencies=[Depends(require_sign_in)])

DONE = frozenset({"justified", "submitted", "answered", "resumed", "opened"})
EDIT_STATES = frozenset({State.draft, State.returned, State.in_verification})


class Allowed(BaseModel):
    """What the signed-in person may do here now (the services check again on every post)."""

    edit: bool
    justify: bool
    submit: bool
    answer: bool
    resume: bool


class CertificateLink(BaseModel):
    public_id: str
    level: str
    url: str
    pdf_url: str


class WorkspacePage(BaseModel):
    cycle: CycleHeader
    allowed: Allowed
    next_step: str  # i18n key suffix: workspace.next.<next_step>
    themes: list[ThemeProgress]
    figures: int
    errors: int
    unjustified_warnings: int
    findings: list[FindingRow]
    level: LevelSummary
    queries: list[QueryRow]
    open_items: list[OpenItem]
    certificates: list[CertificateLink]
    template_url: str
    import_url: str
    notice: str | None = None
    problem: ActionProblem | None = None
    form: dict[str, str] = {}


def _next_step(state: State, allowed: Allowed, page: dict[str, Any]) -> str:
    if state is State.returned:
        return "resume" if allowed.resume else "returned"
    if state is State.draft:
        if not page["figures"]:
            return "enter"
        if page["errors"]:
            return "fix_errors"
        if page["unjustified_warnings"]:
            return "justify"
        return "submit" if allowed.submit else "ask_coordinator"
    if state is State.in_verification:
        waiting = any(q.status is ItemStatus.open for q in page["queries"])
        return "answer" if waiting else "in_verification"
    return state.value


def build(
    pc: PageContext,
    slug: str,
    catalog: str,
    year: int,
    *,
    notice: str | None = None,
    problem: ActionProblem | None = None,
    form: dict[str, str] | None = None,
) -> WorkspacePage:
    """The dashboard data (also used to show the page again after a refused post)."""
    cycle = find_cycle(pc, slug, catalog, year)
    workflow.status(pc.user_ctx, cycle_id=cycle.id)  # review rights: city people, verifiers
    header = header_of(pc, cycle)
    state = header.state
    allowed = Allowed(
        edit=can(pc, Action.input_set, header) and state in EDIT_STATES,
        justify=can(pc, Action.finding_justify, header)
        and state in data_quality.JUSTIFIABLE_STATES,
        submit=can(pc, Action.workflow_submit, header) and state is State.draft,
        answer=can(pc, Action.workflow_answer, header) and state is State.in_verification,
        resume=can(pc, Action.workflow_resume, header) and state is State.returned,
    )
    themes = completeness(pc, header, header.workspace_url)
    found = findings(pc, header)
    queries = query_rows(pc, header)
    parts: dict[str, Any] = {
        "figures": sum(t.filled for t in themes),
        "errors": sum(f.severity == "error" for f in found),
        "unjustified_warnings": sum(
            f.severity != "error" and not (f.justification or "").strip() for f in found
        ),
        "queries": queries,
    }
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
    return WorkspacePage(
        cycle=header,
        allowed=allowed,
        next_step=_next_step(state, allowed, parts),
        themes=themes,
        findings=found,
        level=level_summary(pc, header),
        open_items=open_items(pc, header),
        certificates=certs,
        template_url=f"{header.workspace_url}/template.xlsx",
        import_url=f"{header.workspace_url}/import",
        notice=notice,
        problem=problem,
        form=form or {},
        **parts,
    )


def _decorate(pc: PageContext, data: WorkspacePage) -> dict[str, Any]:
    bars = [
        charts.Bar(
            f"{t.number}. {t.name.get(pc.lang)}",
            100 * t.fraction,
            href=t.url,
        )
        for t in data.themes
    ]
    chart = charts.bar_chart(
        "workspace-completeness",
        pc.t("workspace.completeness_chart"),
        bars,
        headers=(pc.t("field.theme"), pc.t("workspace.percent_in")),
        max_value=100.0,
        fmt=lambda v: "—" if v is None else f"{v:.0f}%",
    )
    return {"completeness_chart": chart}


TEMPLATE = "workspace/cycle.html"


@page(
    router,
    "/workspace/{slug}/{catalog}/{year}",
    template=TEMPLATE,
    model=WorkspacePage,
    summary="City workspace of one reporting cycle",
    decorate=_decorate,
)
def workspace_cycle(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    done_: str | None = Query(None, alias="done", max_length=40, description="Last step done."),
    pc: PageContext = Depends(page_context),
) -> WorkspacePage:
    """Completeness, findings, level and gap, queries and what to do next."""
    return build(pc, slug, catalog, year, notice=notice_key("workspace", done_, DONE))


def _again(
    pc: PageContext,
    slug: str,
    catalog: str,
    year: int,
    exc: ServiceError,
    form: dict[str, str],
    *,
    title: str | None = None,
) -> Response:
    """The dashboard again, with why the post was refused and what was typed."""
    if isinstance(exc, PermissionDenied):
        raise exc
    problem = problem_of(exc)
    if title and problem.details:
        n = len(problem.details)
        problem.message = Bilingual(en=t(title, "en", n=n), ko=t(title, "ko", n=n))
    data = build(pc, slug, catalog, year, problem=problem, form=form)
    response = render_page(pc, TEMPLATE, data, _decorate)
    response.status_code = problem.status
    return response


BASE = "/workspace/{slug}/{catalog}/{year}"


@router.post(BASE + "/justify", include_in_schema=False)
def justify(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    indicator: str = Form(..., max_length=20),
    rule: str = Form(..., max_length=100),
    text: str = Form("", max_length=4000),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Record the city's written justification of a warning."""
    cycle = find_cycle(pc, slug, catalog, year)
    try:
        data_quality.justify(
            pc.user_ctx, cycle_id=cycle.id, indicator=indicator, rule=rule, text=text
        )
    except ServiceError as exc:
        return _again(pc, slug, catalog, year, exc, {f"justify:{indicator}/{rule}": text})
    url = f"/workspace/{slug}/{catalog}/{year}?done=justified#findings"
    return done(pc, url, {"indicator": indicator, "rule": rule})


@router.post(BASE + "/submit", include_in_schema=False)
def submit(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    pc: PageContext = Depends(page_context),
) -> Response:
    """Submit the cycle for verification (refused with every blocker while any remains)."""
    cycle = find_cycle(pc, slug, catalog, year)
    try:
        state = workflow.submit(pc.user_ctx, cycle_id=cycle.id)
    except ServiceError as exc:
        return _again(pc, slug, catalog, year, exc, {}, title="workspace.submit_refused")
    return done(pc, f"/workspace/{slug}/{catalog}/{year}?done=submitted", {"state": state.value})


@router.post(BASE + "/answer", include_in_schema=False)
def answer(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    query_id: int = Form(..., ge=1),
    text: str = Form("", max_length=4000),
    pc: PageContext = Depends(page_context),
) -> Response:
    """Answer a verifier's query; the indicator goes back to the verifier."""
    cycle = find_cycle(pc, slug, catalog, year)
    threads = {q.id for q in workflow.queries(pc.user_ctx, cycle_id=cycle.id)}
    if query_id not in threads:  # a query of another cycle is not answered from here
        query_id = 0
    try:
        workflow.answer(pc.user_ctx, query_id=query_id, text=text)
    except ServiceError as exc:
        return _again(pc, slug, catalog, year, exc, {f"answer:{query_id}": text})
    url = f"/workspace/{slug}/{catalog}/{year}?done=answered#queries"
    return done(pc, url, {"query_id": query_id})


@router.post(BASE + "/resume", include_in_schema=False)
def resume(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    pc: PageContext = Depends(page_context),
) -> Response:
    """Take a returned cycle back into preparation to correct it."""
    cycle = find_cycle(pc, slug, catalog, year)
    try:
        state = workflow.resume(pc.user_ctx, cycle_id=cycle.id)
    except ServiceError as exc:
        return _again(pc, slug, catalog, year, exc, {})
    return done(pc, f"/workspace/{slug}/{catalog}/{year}?done=resumed", {"state": state.value})
