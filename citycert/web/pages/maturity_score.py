"""The live score of the ISO 37106 questionnaire: mean, eligibility, awarded level and
blockers of the levels picked so far, with display texts in the page's language. The page
shows it after each check; `/maturity/{slug}/questionnaire/score.json` gives the same to the
script that refreshes it while levels are picked.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from citycert.domain.maturity import score
from citycert.services import maturity
from citycert.standards.maturity import MaturityModel, get_maturity_model
from citycert.standards.models import Text
from citycert.web.pages.workspace_common import (
    SLUG,
    Bilingual,
    require_sign_in,
)
from citycert.web.rendering import PageContext, page_context

router = APIRouter(tags=["maturity"], dependencies=[Depends(require_sign_in)])


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


def levels_of(model: MaturityModel, raw: dict[str, Any]) -> dict[str, int]:
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
    return score_view(pc, get_maturity_model(), levels_of(get_maturity_model(), raw))
