"""The ISO 37106 questionnaire: every item of the maturity model with the level rubric, evidence
and notes, and the live score (mean, eligibility, awarded level, blockers) computed by the
server each time the form is checked; a small script (`maturity.js`) refreshes the score as
levels are picked (`maturity_score`). Recording stores a complete assessment.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Query
from pydantic import BaseModel
from starlette.datastructures import FormData
from starlette.responses import Response

from citycert.domain.authz import Action, Target
from citycert.services import cities, maturity
from citycert.services.context import ServiceError
from citycert.services.principal import PermissionDenied
from citycert.standards.maturity import get_maturity_model
from citycert.standards.models import Text
from citycert.web.pages.maturity_score import ScoreView, levels_of, score_view
from citycert.web.pages.workspace_common import (
    SLUG,
    ActionProblem,
    Bilingual,
    done,
    form_data,
    problem_of,
    require_sign_in,
)
from citycert.web.rendering import PageContext, page, page_context, render_page

router = APIRouter(tags=["maturity"], dependencies=[Depends(require_sign_in)])
TEMPLATE = "maturity/form.html"


class LevelOption(BaseModel):
    level: int
    name: Bilingual
    meaning: Bilingual


class QuestionItem(BaseModel):
    id: str
    name: Text
    examples: list[Text]
    level: int | None
    evidence: str
    notes: str
    below_gate: bool


class QuestionArea(BaseModel):
    code: str
    name: Text
    items: list[QuestionItem]


class Questionnaire(BaseModel):
    city_slug: str
    city: Bilingual
    model: str
    model_label: Text
    reconstruction: bool
    levels: list[LevelOption]
    areas: list[QuestionArea]
    score: ScoreView
    assessed_on: date
    assessor: str
    target_level: int | None
    notes: str
    based_on: int | None
    can_record: bool
    score_url: str
    problem: ActionProblem | None = None


def build(
    pc: PageContext,
    slug: str,
    *,
    values: dict[str, dict[str, str]] | None = None,
    extra: dict[str, str] | None = None,
    based_on: int | None = None,
    problem: ActionProblem | None = None,
) -> Questionnaire:
    """The questionnaire, pre-filled from `values` (a post) or the assessment `based_on`."""
    model = get_maturity_model()
    city = cities.get_city(pc.user_ctx, slug=slug)
    past = maturity.list_assessments(pc.user_ctx, city=slug)  # review rights on the city
    extra = dict(extra or {})
    if values is None:
        source = next((a for a in past if a.id == based_on), past[0] if past else None)
        based_on = source.id if source else None
        values = {
            i.item: {"level": str(i.level), "evidence": i.evidence or "", "notes": i.notes or ""}
            for i in (source.items if source else [])
        }
        if source and source.target_level is not None:
            extra.setdefault("target_level", str(source.target_level))
    levels = levels_of(model, {k: v.get("level") for k, v in values.items()})
    gate = model.scoring.gate_min_item
    areas = [
        QuestionArea(
            code=code,
            name=area.name,
            items=[
                QuestionItem(
                    id=it.id,
                    name=it.name,
                    examples=list(it.evidence_examples),
                    level=levels.get(it.id),
                    evidence=values.get(it.id, {}).get("evidence", ""),
                    notes=values.get(it.id, {}).get("notes", ""),
                    below_gate=levels.get(it.id, gate) < gate,
                )
                for it in model.items
                if it.area == code
            ],
        )
        for code, area in model.areas.items()
    ]
    target = extra.get("target_level", "")
    return Questionnaire(
        city_slug=slug,
        city=Bilingual(en=city.name_en, ko=city.name_ko),
        model=model.model,
        model_label=model.label,
        reconstruction=model.status != "official",
        levels=[
            LevelOption(
                level=n,
                name=Bilingual(en=lv.en, ko=lv.ko),
                meaning=Bilingual(en=lv.meaning_en, ko=lv.meaning_ko),
            )
            for n, lv in sorted(model.levels.items())
        ],
        areas=areas,
        score=score_view(pc, model, levels),
        assessed_on=_date(extra.get("assessed_on")) or pc.user_ctx.now().date(),
        assessor=extra.get("assessor") or pc.principal.login,
        target_level=int(target) if target.isdigit() else None,
        notes=extra.get("notes", ""),
        based_on=based_on,
        can_record=pc.principal.can(Action.workflow_decide, Target(city_id=city.id)),
        score_url=f"/maturity/{slug}/questionnaire/score.json",
        problem=problem,
    )


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@page(
    router,
    "/maturity/{slug}/questionnaire",
    template=TEMPLATE,
    model=Questionnaire,
    summary="ISO 37106 questionnaire for a city",
)
def maturity_questionnaire(
    slug: str = SLUG,
    from_: int | None = Query(None, alias="from", ge=1, description="Start from this assessment."),
    pc: PageContext = Depends(page_context),
) -> Questionnaire:
    """Every item with the level rubric, pre-filled from the latest (or a chosen) assessment."""
    return build(pc, slug, based_on=from_)


def _posted(form: FormData) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    model = get_maturity_model()
    values = {
        it.id: {
            f: str(form.get(f"{f}:{it.id}", "") or "").strip()[:4000]
            for f in ("level", "evidence", "notes")
        }
        for it in model.items
    }
    extra = {
        f: str(form.get(f, "") or "").strip()[:4000]
        for f in ("assessed_on", "assessor", "target_level", "notes")
    }
    return values, extra


@router.post("/maturity/{slug}/questionnaire", include_in_schema=False)
def questionnaire_post(
    slug: str = SLUG,
    action: str = Form("score", pattern=r"^(score|record)$"),
    form: FormData = Depends(form_data),
    pc: PageContext = Depends(page_context),
) -> Response:
    """`score`: show the form again with the score (nothing stored); `record`: store it."""
    values, extra = _posted(form)
    if action == "record":
        model = get_maturity_model()
        levels = levels_of(model, {k: v["level"] for k, v in values.items()})
        try:
            saved = maturity.record(
                pc.user_ctx,
                city=slug,
                assessed_on=_date(extra["assessed_on"]) or pc.user_ctx.now().date(),
                assessor=extra["assessor"],
                items=[
                    maturity.ItemEntry(
                        item=k, level=n, evidence=values[k]["evidence"], notes=values[k]["notes"]
                    )
                    for k, n in levels.items()
                ],
                target_level=int(extra["target_level"])
                if extra["target_level"].isdigit()
                else None,
                notes=extra["notes"],
            )
        except PermissionDenied:
            raise
        except ServiceError as exc:
            problem = problem_of(exc)
            data = build(pc, slug, values=values, extra=extra, problem=problem)
            response = render_page(pc, TEMPLATE, data)
            response.status_code = problem.status
            return response
        return done(
            pc,
            f"/maturity/{slug}/assessments/{saved.id}?done=recorded",
            {"assessment_id": saved.id},
        )
    return render_page(pc, TEMPLATE, build(pc, slug, values=values, extra=extra))
