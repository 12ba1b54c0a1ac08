"""Use cases for ISO 37106 maturity assessments: record, read, score against the previous one.

An assessment stores each item's level with the evidence seen and the assessor's notes; the
award (current level, None below the gate) is scored by the model's rules when recorded. The
previous assessment of a city is the latest one assessed before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from citycert.domain.authz import Action, Target
from citycert.domain.maturity import MaturityScore, check_levels, score
from citycert.io.reports.documents import AreaScore, ItemScore, MaturityReportDoc, PlanRow
from citycert.services.cities import load_city
from citycert.services.context import NotFoundError, Problem, ServiceContext, ValidationFailed
from citycert.services.principal import authorize
from citycert.standards.maturity import (
    DEFAULT_MODEL,
    MATURITY_DIR,
    MaturityModel,
    get_maturity_model,
)
from citycert.standards.models import Text
from citycert.store.models import City
from citycert.store.models_cert import MaturityAssessment, MaturityItem


@dataclass(frozen=True)
class ItemEntry:
    """One item as assessed: its level, the evidence seen and notes (both optional)."""

    item: str
    level: int
    evidence: str | None = None
    notes: str | None = None


class ItemPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    item: str
    level: int
    evidence: str | None
    notes: str | None


class AssessmentPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    city_slug: str
    assessed_on: date
    model: str
    model_version: str
    assessor: str
    current_level: int | None
    mean: float
    target_level: int | None
    notes: str | None
    recorded_by: str
    recorded_at: datetime
    items: list[ItemPublic]


def load_assessment(s: Session, assessment_id: int) -> tuple[MaturityAssessment, City]:
    """The assessment row and its city; NotFoundError when there is none."""
    row = s.execute(
        select(MaturityAssessment, City)
        .join(City, City.id == MaturityAssessment.city_id)
        .where(MaturityAssessment.id == assessment_id)
    ).first()
    if row is None:
        raise NotFoundError(
            f"no maturity assessment {assessment_id}",
            f"성숙도 평가 {assessment_id}이(가) 없습니다",
        )
    return row[0], row[1]


def _items(s: Session, assessment_id: int) -> list[MaturityItem]:
    return list(
        s.scalars(
            select(MaturityItem)
            .where(MaturityItem.assessment_id == assessment_id)
            .order_by(MaturityItem.item)
        )
    )


def item_levels(s: Session, assessment_id: int) -> dict[str, int]:
    """Item id -> level of a stored assessment."""
    return {i.item: i.level for i in _items(s, assessment_id)}


def _public(s: Session, a: MaturityAssessment, slug: str) -> AssessmentPublic:
    return AssessmentPublic(
        id=a.id,
        city_slug=slug,
        assessed_on=a.assessed_on,
        model=a.model,
        model_version=a.model_version,
        assessor=a.assessor,
        current_level=a.current_level,
        mean=a.mean,
        target_level=a.target_level,
        notes=a.notes,
        recorded_by=a.recorded_by,
        recorded_at=a.recorded_at,
        items=[
            ItemPublic(item=i.item, level=i.level, evidence=i.evidence, notes=i.notes)
            for i in _items(s, a.id)
        ],
    )


def model_named(name: str) -> MaturityModel:
    """A built-in maturity model by name; ValidationFailed lists the names there are."""
    if not (MATURITY_DIR / f"{name}.yaml").is_file():
        known = ", ".join(sorted(p.stem for p in MATURITY_DIR.glob("*.yaml")))
        raise ValidationFailed(
            [
                Problem(
                    "model",
                    f"no maturity model {name!r}; built-in: {known}",
                    f"성숙도 모델 {name!r}이(가) 없습니다. 사용 가능한 모델: {known}",
                )
            ]
        )
    return get_maturity_model(name)


def _problems(
    model: MaturityModel, entries: Sequence[ItemEntry], target: int | None, today: date, on: date
) -> list[Problem]:
    out: list[Problem] = []
    levels: dict[str, object] = {}
    for e in entries:
        key = e.item.strip().upper()
        if key in levels:
            out.append(Problem(key, "given twice", "두 번 입력되었습니다"))
        levels[key] = e.level
    out += [Problem(p.item or "levels", p.en, p.ko) for p in check_levels(model, levels)]
    lo, hi = model.scoring.lowest, model.scoring.highest
    if target is not None and not lo <= target <= hi:
        out.append(
            Problem(
                "target_level",
                f"target level {target} must be {lo} to {hi}",
                f"목표 수준 {target}은(는) {lo}~{hi} 사이여야 합니다",
            )
        )
    if on > today:
        out.append(
            Problem(
                "assessed_on",
                f"assessment date {on.isoformat()} is in the future",
                f"평가일 {on.isoformat()}이(가) 미래입니다",
            )
        )
    return out


def record(
    ctx: ServiceContext,
    *,
    city: str,
    assessed_on: date,
    assessor: str,
    items: Sequence[ItemEntry],
    target_level: int | None = None,
    notes: str | None = None,
    model: str = DEFAULT_MODEL,
) -> AssessmentPublic:
    """Store a complete assessment (every item of the model); ValidationFailed lists problems."""
    spec = model_named(model)
    problems = _problems(spec, items, target_level, ctx.now().date(), assessed_on)
    if not assessor.strip():
        problems.append(Problem("assessor", "name the assessor", "평가자를 입력해야 합니다"))
    if problems:
        raise ValidationFailed(problems)
    levels = {e.item.strip().upper(): e.level for e in items}
    result = score(spec, levels)
    with ctx.transaction() as s:
        c = load_city(s, city)
        authorize(ctx, Action.workflow_decide, Target(city_id=c.id))
        row = MaturityAssessment(
            city_id=c.id,
            assessed_on=assessed_on,
            model=model,
            model_version=spec.version,
            assessor=assessor.strip(),
            current_level=result.level,
            mean=result.mean,
            target_level=target_level if target_level is not None else result.target_level,
            notes=(notes or "").strip() or None,
            recorded_by=ctx.actor,
            recorded_at=ctx.now(),
        )
        s.add(row)
        s.flush()
        for e in items:
            s.add(
                MaturityItem(
                    assessment_id=row.id,
                    item=e.item.strip().upper(),
                    level=e.level,
                    evidence=(e.evidence or "").strip() or None,
                    notes=(e.notes or "").strip() or None,
                )
            )
        s.flush()
        ctx.audit(
            s,
            action="maturity.record",
            entity="maturity_assessment",
            entity_key=f"{c.slug}/iso37106/assessments/{row.id}",
            new={
                "assessed_on": assessed_on.isoformat(),
                "model": model,
                "levels": levels,
                "current_level": result.level,
                "target_level": row.target_level,
            },
        )
        return _public(s, row, c.slug)


def _previous(s: Session, a: MaturityAssessment) -> MaturityAssessment | None:
    """The city's latest assessment before `a` (same model; same day: recorded earlier)."""
    return s.scalars(
        select(MaturityAssessment)
        .where(
            MaturityAssessment.city_id == a.city_id,
            MaturityAssessment.model == a.model,
            MaturityAssessment.id != a.id,
            or_(
                MaturityAssessment.assessed_on < a.assessed_on,
                (MaturityAssessment.assessed_on == a.assessed_on) & (MaturityAssessment.id < a.id),
            ),
        )
        .order_by(MaturityAssessment.assessed_on.desc(), MaturityAssessment.id.desc())
    ).first()


def _read(ctx: ServiceContext, s: Session, assessment_id: int) -> tuple[MaturityAssessment, City]:
    a, city = load_assessment(s, assessment_id)
    authorize(ctx, Action.review_read, Target(city_id=city.id))
    return a, city


def get_assessment(ctx: ServiceContext, *, assessment_id: int) -> AssessmentPublic:
    with ctx.db.read() as s:
        a, city = _read(ctx, s, assessment_id)
        return _public(s, a, city.slug)


def list_assessments(ctx: ServiceContext, *, city: str) -> list[AssessmentPublic]:
    """A city's assessments, newest first."""
    with ctx.db.read() as s:
        c = load_city(s, city)
        authorize(ctx, Action.review_read, Target(city_id=c.id))
        rows = s.scalars(
            select(MaturityAssessment)
            .where(MaturityAssessment.city_id == c.id)
            .order_by(MaturityAssessment.assessed_on.desc(), MaturityAssessment.id.desc())
        )
        return [_public(s, a, c.slug) for a in rows]


@dataclass(frozen=True)
class ScoredAssessment:
    assessment: AssessmentPublic
    score: MaturityScore
    previous: AssessmentPublic | None


def score_assessment(ctx: ServiceContext, *, assessment_id: int) -> ScoredAssessment:
    """Score a stored assessment, compared with the city's previous one when there is one."""
    with ctx.db.read() as s:
        a, city = _read(ctx, s, assessment_id)
        model = get_maturity_model(a.model)
        before = _previous(s, a)
        previous = item_levels(s, before.id) if before else None
        result = score(model, item_levels(s, a.id), previous)
        return ScoredAssessment(
            assessment=_public(s, a, city.slug),
            score=result,
            previous=_public(s, before, city.slug) if before else None,
        )


def report(ctx: ServiceContext, *, assessment_id: int) -> MaturityReportDoc:
    """Everything the maturity report shows for one stored assessment."""
    scored = score_assessment(ctx, assessment_id=assessment_id)
    a, result, prev = scored.assessment, scored.score, scored.previous
    model = get_maturity_model(a.model)
    prev_items = {i.item: i.level for i in prev.items} if prev else {}
    prev_areas: dict[str, float] = {}
    if prev is not None:
        prev_areas = score(model, prev_items).areas
    stored = {i.item: i for i in a.items}
    with ctx.db.read() as s:
        city = load_city(s, a.city_slug)
        city_name = Text(en=city.name_en, ko=city.name_ko)
    return MaturityReportDoc(
        assessment_id=a.id,
        city=city_name,
        assessed_on=a.assessed_on,
        assessor=a.assessor,
        model_label=model.label,
        model_version=model.version,
        level=result.level,
        indicative_level=result.indicative_level,
        mean=result.mean,
        eligible=result.eligible,
        target_level=a.target_level,
        level_names={n: lv.name for n, lv in model.levels.items()},
        lowest=model.scoring.lowest,
        highest=model.scoring.highest,
        gate=model.scoring.gate_min_item,
        areas=tuple(
            AreaScore(code, area.name, result.areas[code], prev_areas.get(code))
            for code, area in model.areas.items()
        ),
        items=tuple(
            ItemScore(
                id=it.id,
                area=it.area,
                name=it.name,
                level=stored[it.id].level,
                previous=prev_items.get(it.id),
                evidence=stored[it.id].evidence,
                notes=stored[it.id].notes,
            )
            for it in model.items
        ),
        plan=tuple(
            PlanRow(p.item, p.name, p.from_level, p.to_level) for p in result.next_level_plan
        ),
        notes=tuple(Text(en=n.en, ko=n.ko) for n in result.notes),
        previous_assessed_on=prev.assessed_on if prev else None,
        generated_at=ctx.now(),
        remarks=a.notes,
    )
