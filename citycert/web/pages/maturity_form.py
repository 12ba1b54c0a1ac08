"""The ISO 37106 questionnaire: every item of the maturity model with the level rubric, evidence
and notes, and the live score (mean, eligibility, awarded level, blockers) computed by the
server each time the form is checked; a small script (`maturity.js`) refreshes the score as
levels are picked, from `/maturity/score.json`. Recording stores a complete assessment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Query
from pydantic import BaseModel
from starlette.datastructures import FormData
from starlette.responses import Response

from citycert.domain.authz import Action, Target
from citycert.domain.maturity import score
from citycert.services import cities, maturity
from citycert.services.context import ServiceError
from citycert.services.principal import PermissionDenied
from citycert.standards.maturity import MaturityModel, get_maturity_model
from citycert.standards.models import Text
from citycert.web.pages.workspace_common import (
    SLUG,
    ActionProblem,
    Bilingual,
    done,
    problem_of,
    require_sign_in,
)
from citycert.web.pages.workspace_entry import form_data
from citycert.web.rendering import PageContext, page, page_context, render_page

router = APIRouter(tags=["maturity"], dependencies=[Depends(require_sign_in)])
TEMPLATE = "maturity/form.html"


class LevelOption(BaseModel):
    level: int
    name: Bilingual
    meaning: Bilingual


class ItemBlocker(BaseModel):
    item: str
    name: Text
    level: int


class ScoreView(BaseModel):
    """The score of the levels given so far, with its display texts in the page's language."""

    rated: int
    total: int
    complete: bool
    mean: float | None
    eligible: bool | None
    level: int | None
    level_name: Bilingual | None
    indicative_level: int | None
    blockers: list[ItemBlocker]
    gate: int
    texts: dict[str, str]  # slot -> text, the same on the page and in the JSON


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


def _levels_of(model: MaturityModel, raw: dict[str, Any]) -> dict[str, int]:
    out = {}
    lo, hi = model.scoring.lowest, model.scoring.highest
    for it in model.items:
        v = raw.get(it.id)
        try:
            n = int(str(v))
        except ValueError:
            continue
        if lo <= n <= hi:
            out[it.id] = n
    return out


def score_view(pc: PageContext, model: MaturityModel, levels: dict[str, int]) -> ScoreView:
    """The live score; while items are unrated, the mean of those rated so far."""
    total, rated = len(model.items), len(levels)
    gate = model.scoring.gate_min_item
    t = pc.t
    texts = {"rated": t("maturity.rated", rated=rated, total=total)}
    if rated < total:
        mean = sum(levels.values()) / rated if rated else None
        texts.update(
            mean=t("maturity.mean_partial", mean=f"{mean:.2f}") if mean is not None else "—",
            level=t("maturity.rate_all"),
            eligible="—",
            blockers=", ".join(f"{k} ({v})" for k, v in levels.items() if v < gate) or "—",
        )
        low = [
            ItemBlocker(item=i.id, name=i.name, level=levels[i.id])
            for i in model.items
            if levels.get(i.id, gate) < gate
        ]
        return ScoreView(
            rated=rated,
            total=total,
            complete=False,
            mean=mean,
            eligible=None,
            level=None,
            level_name=None,
            indicative_level=None,
            blockers=low,
            gate=gate,
            texts=texts,
        )
    result = score(model, levels)
    name = (
        Bilingual(en=result.level_name.en, ko=result.level_name.ko) if result.level_name else None
    )
    texts.update(
        mean=f"{result.mean:.2f}",
        level=t("maturity.level_value", level=result.level, name=name.get(pc.lang))
        if name
        else t("maturity.no_level", indicative=result.indicative_level),
        eligible=t("maturity.eligible_yes")
        if result.eligible
        else t("maturity.eligible_no", gate=gate),
        blockers=", ".join(f"{b.item} {b.name.get(pc.lang)} ({b.level})" for b in result.blockers)
        or t("maturity.no_blockers"),
    )
    return ScoreView(
        rated=rated,
        total=total,
        complete=True,
        mean=result.mean,
        eligible=result.eligible,
        level=result.level,
        level_name=name,
        indicative_level=result.indicative_level,
        blockers=[ItemBlocker(item=b.item, name=b.name, level=b.level) for b in result.blockers],
        gate=gate,
        texts=texts,
    )


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
    levels = _levels_of(model, {k: v.get("level") for k, v in values.items()})
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
        levels = _levels_of(model, {k: v["level"] for k, v in values.items()})
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


@router.get(
    "/maturity/{slug}/questionnaire/score.json",
    response_model=ScoreView,
    summary="Score item levels with the ISO 37106 maturity model (nothing stored)",
)
def score_json(
    slug: str = SLUG,
    levels: str = Query("", max_length=2000, description="Item levels: `A01:3,A02:4,...`."),
    pc: PageContext = Depends(page_context),
) -> ScoreView:
    """The live score of the questionnaire (texts in the request's language)."""
    maturity.list_assessments(pc.user_ctx, city=slug)  # the city's people and assessors only
    raw = dict(part.split(":", 1) for part in levels.split(",") if part.count(":") == 1)
    return score_view(pc, get_maturity_model(), _levels_of(get_maturity_model(), raw))
