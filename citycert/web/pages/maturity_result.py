"""One ISO 37106 assessment: the level awarded, radar charts by area and by item (against the
previous assessment), blockers, the roadmap to the next level, the report (PDF or HTML) and,
for administrators, the certificate.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel
from starlette.responses import Response

from citycert.domain.authz import Action, Target
from citycert.io.reports.output import render_report
from citycert.services import certificates, cities, maturity
from citycert.services.context import NotFoundError, ServiceError
from citycert.services.principal import PermissionDenied
from citycert.standards.maturity import get_maturity_model
from citycert.standards.models import Text
from citycert.web import charts
from citycert.web.pages.workspace_common import (
    SLUG,
    ActionProblem,
    Bilingual,
    done,
    notice_key,
    problem_of,
    require_sign_in,
)
from citycert.web.pages.workspace_cycle import CertificateLink
from citycert.web.rendering import PageContext, page, page_context, render_page

router = APIRouter(tags=["maturity"], dependencies=[Depends(require_sign_in)])
ASSESSMENT = Path(..., ge=1, description="Assessment number.")
DONE = frozenset({"recorded", "certified"})


class ItemResult(BaseModel):
    id: str
    area: str
    name: Text
    level: int
    previous: int | None
    evidence: str | None
    notes: str | None


class AreaResult(BaseModel):
    code: str
    name: Text
    mean: float
    previous: float | None


class PlanStep(BaseModel):
    item: str
    name: Text
    from_level: int
    to_level: int


class AssessmentPage(BaseModel):
    id: int
    city_slug: str
    city: Bilingual
    assessed_on: date
    assessor: str
    model_label: Text
    level: int | None
    level_name: Bilingual | None
    indicative_level: int
    mean: float
    eligible: bool
    gate: int
    target_level: int | None
    blockers: list[ItemResult]
    areas: list[AreaResult]
    items: list[ItemResult]
    plan: list[PlanStep]
    notes: list[Bilingual]
    remarks: str | None
    previous_assessed_on: date | None
    report_pdf: str
    report_html: str
    revise_url: str
    certificates: list[CertificateLink]
    can_certify: bool
    notice: str | None = None
    problem: ActionProblem | None = None


def build(
    pc: PageContext, slug: str, assessment_id: int, *, problem: ActionProblem | None = None
) -> AssessmentPage:
    doc = maturity.report(pc.user_ctx, assessment_id=assessment_id)
    found = maturity.get_assessment(pc.user_ctx, assessment_id=assessment_id)
    if found.city_slug != slug:
        raise NotFoundError(
            f"{slug} has no assessment {assessment_id}",
            f"{slug}에는 평가 {assessment_id}이(가) 없습니다",
        )
    city = cities.get_city(pc.user_ctx, slug=slug)
    items = [
        ItemResult(
            id=i.id,
            area=i.area,
            name=i.name,
            level=i.level,
            previous=i.previous,
            evidence=i.evidence,
            notes=i.notes,
        )
        for i in doc.items
    ]
    base = f"/maturity/{slug}/assessments/{assessment_id}"
    name = doc.level_names.get(doc.level) if doc.level is not None else None
    certs = [
        CertificateLink(
            public_id=c.public_id,
            level=c.level,
            url=f"/certificates/{c.public_id}",
            pdf_url=f"/certificates/{c.public_id}/pdf",
        )
        for c in certificates.list_certificates(pc.user_ctx, city=slug)
        if c.assessment_id == assessment_id and c.revoked_at is None
    ]
    return AssessmentPage(
        id=assessment_id,
        city_slug=slug,
        city=Bilingual(en=city.name_en, ko=city.name_ko),
        assessed_on=doc.assessed_on,
        assessor=doc.assessor,
        model_label=doc.model_label,
        level=doc.level,
        level_name=Bilingual(en=name.en, ko=name.ko) if name else None,
        indicative_level=doc.indicative_level,
        mean=doc.mean,
        eligible=doc.eligible,
        gate=doc.gate,
        target_level=doc.target_level,
        blockers=[i for i in items if i.level < doc.gate],
        areas=[
            AreaResult(code=a.code, name=a.name, mean=a.mean, previous=a.previous)
            for a in doc.areas
        ],
        items=items,
        plan=[
            PlanStep(item=p.item, name=p.name, from_level=p.from_level, to_level=p.to_level)
            for p in doc.plan
        ],
        notes=[Bilingual(en=n.en, ko=n.ko) for n in doc.notes],
        remarks=doc.remarks,
        previous_assessed_on=doc.previous_assessed_on,
        report_pdf=f"{base}/report.pdf",
        report_html=f"{base}/report.html",
        revise_url=f"/maturity/{slug}/questionnaire?from={assessment_id}",
        certificates=certs,
        can_certify=pc.principal.can(Action.workflow_certify, Target(city_id=city.id))
        and doc.level is not None
        and not certs,
        notice=notice_key("maturity", pc.request.query_params.get("done"), DONE),
        problem=problem,
    )


def axis_label(code: str, name: str, limit: int = 14) -> str:
    """`A. Business` from `Business and strategic management`: whole words that fit a spoke."""
    kept: list[str] = []
    for w in name.split():
        if kept and len(" ".join([*kept, w])) > limit:
            break
        kept.append(w)
    while len(kept) > 1 and kept[-1].lower() in ("and", "&", "of", "및"):
        kept.pop()  # `Business and` reads as cut off; `Business` does not
    return f"{code}. {' '.join(kept).rstrip(',') or name[:limit]}"


def _decorate(pc: PageContext, data: AssessmentPage) -> dict[str, Any]:
    highest = float(max(get_maturity_model().levels))
    now, before = pc.t("maturity.this_assessment"), pc.t("maturity.previous_assessment")

    def series(pairs: list[tuple[float, float | None]]) -> list[charts.Series]:
        out = [charts.Series(now, [(i, v) for i, (v, _) in enumerate(pairs)])]
        if any(p is not None for _, p in pairs):
            out.append(charts.Series(before, [(i, p) for i, (_, p) in enumerate(pairs)]))
        return out

    areas = charts.radar(
        "maturity-areas",
        pc.t("maturity.radar_areas"),
        [axis_label(a.code, a.name.get(pc.lang)) for a in data.areas],
        series([(a.mean, a.previous) for a in data.areas]),
        axis_header=pc.t("maturity.area"),
        max_value=highest,
        fmt=lambda v: "—" if v is None else f"{v:.2f}",
    )
    items = charts.radar(
        "maturity-items",
        pc.t("maturity.radar_items"),
        [i.id for i in data.items],
        series(
            [
                (float(i.level), None if i.previous is None else float(i.previous))
                for i in data.items
            ]
        ),
        axis_header=pc.t("maturity.item"),
        max_value=highest,
        fmt=lambda v: "—" if v is None else f"{v:.0f}",
    )
    return {"areas_chart": areas, "items_chart": items}


BASE = "/maturity/{slug}/assessments/{assessment_id}"
TEMPLATE = "maturity/assessment.html"


@page(
    router,
    BASE,
    template=TEMPLATE,
    model=AssessmentPage,
    summary="One ISO 37106 maturity assessment",
    decorate=_decorate,
)
def maturity_assessment(
    slug: str = SLUG,
    assessment_id: int = ASSESSMENT,
    done_: str | None = Query(None, alias="done", max_length=40, description="Last step done."),
    pc: PageContext = Depends(page_context),
) -> AssessmentPage:
    """Score, radar charts, blockers, roadmap to the next level and the report downloads."""
    return build(pc, slug, assessment_id)


def _report(pc: PageContext, slug: str, assessment_id: int, fmt: str) -> Response:
    build(pc, slug, assessment_id)  # the same checks as the page
    doc = maturity.report(pc.user_ctx, assessment_id=assessment_id)
    data = render_report(doc, fmt, "both")
    name = f"citycert-{slug}-iso37106-{doc.assessed_on.isoformat()}.{fmt}"
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    # HTML downloads as a file: it is a document to keep, not a page of this site.
    how = "inline" if fmt == "pdf" else "attachment"
    return Response(
        data, media_type=media, headers={"content-disposition": f'{how}; filename="{name}"'}
    )


@router.get(BASE + "/report.pdf", include_in_schema=False)
def report_pdf(
    slug: str = SLUG, assessment_id: int = ASSESSMENT, pc: PageContext = Depends(page_context)
) -> Response:
    """The maturity report as PDF (English and Korean)."""
    return _report(pc, slug, assessment_id, "pdf")


@router.get(BASE + "/report.html", include_in_schema=False)
def report_html(
    slug: str = SLUG, assessment_id: int = ASSESSMENT, pc: PageContext = Depends(page_context)
) -> Response:
    """The maturity report as a self-contained HTML file (English and Korean)."""
    return _report(pc, slug, assessment_id, "html")


@router.post(BASE + "/certify", include_in_schema=False)
def certify(
    slug: str = SLUG, assessment_id: int = ASSESSMENT, pc: PageContext = Depends(page_context)
) -> Response:
    """Issue the ISO 37106 certificate of an assessment whose every item meets the gate."""
    build(pc, slug, assessment_id)
    try:
        cert = certificates.issue_for_assessment(pc.user_ctx, assessment_id=assessment_id)
    except PermissionDenied:
        raise
    except ServiceError as exc:
        problem = problem_of(exc)
        response = render_page(
            pc, TEMPLATE, build(pc, slug, assessment_id, problem=problem), _decorate
        )
        response.status_code = problem.status
        return response
    url = f"/maturity/{slug}/assessments/{assessment_id}?done=certified"
    return done(pc, url, {"public_id": cert.public_id})
