"""ISO 37106 maturity scoring: item levels -> eligibility, awarded level, blockers and a plan.

The rules (gate, award method, extra condition for the top level) come from the model file, so an
official item list or a changed rule needs no code change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import floor

from citycert.domain.certification import Reason
from citycert.standards.maturity import MaturityModel, Scoring
from citycert.standards.models import Text


@dataclass(frozen=True)
class MaturityProblem:
    """One problem in the item levels given; `where` is `levels` or `previous`."""

    code: str
    item: str | None
    en: str
    ko: str
    where: str = "levels"


class MaturityInputError(ValueError):
    """The item levels are unusable; `problems` lists every problem, not only the first."""

    def __init__(self, problems: list[MaturityProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.where}: {p.en}" for p in problems))


@dataclass(frozen=True)
class ItemLevel:
    item: str
    area: str
    name: Text
    level: int


@dataclass(frozen=True)
class PlanStep:
    """Raise `item` from one level to another; steps come lowest level first."""

    item: str
    area: str
    name: Text
    from_level: int
    to_level: int


@dataclass(frozen=True)
class Comparison:
    level_before: int | None
    level_after: int | None
    mean_delta: float
    areas: dict[str, float]
    items: dict[str, int]


@dataclass(frozen=True)
class MaturityScore:
    """The assessment result; `level` is None when an item is below the gate."""

    model: str
    version: str
    eligible: bool
    level: int | None
    level_name: Text | None
    # The level the mean alone would give, whether or not the gate is met.
    indicative_level: int
    mean: float
    areas: dict[str, float]
    blockers: tuple[ItemLevel, ...]
    strengths: tuple[ItemLevel, ...]
    target_level: int | None
    next_level_plan: tuple[PlanStep, ...]
    comparison: Comparison | None
    notes: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        def item(i: ItemLevel) -> dict[str, object]:
            return {"item": i.item, "area": i.area, "name": _text(i.name), "level": i.level}

        out: dict[str, object] = {
            "model": self.model,
            "version": self.version,
            "eligible": self.eligible,
            "level": self.level,
            "level_name": _text(self.level_name) if self.level_name else None,
            "indicative_level": self.indicative_level,
            "mean": round(self.mean, 2),
            "areas": {a: round(m, 2) for a, m in self.areas.items()},
            "blockers": [item(i) for i in self.blockers],
            "strengths": [item(i) for i in self.strengths],
            "target_level": self.target_level,
            "next_level_plan": [
                {
                    "item": s.item,
                    "area": s.area,
                    "name": _text(s.name),
                    "from": s.from_level,
                    "to": s.to_level,
                }
                for s in self.next_level_plan
            ],
            "notes": [{"code": n.code, "en": n.en, "ko": n.ko} for n in self.notes],
        }
        if self.comparison is not None:
            c = self.comparison
            out["comparison"] = {
                "level_before": c.level_before,
                "level_after": c.level_after,
                "mean_delta": round(c.mean_delta, 2),
                "areas": {a: round(d, 2) for a, d in c.areas.items()},
                "items": {i: d for i, d in c.items.items() if d},
            }
        return out


def _text(t: Text) -> dict[str, str]:
    return {"en": t.en, "ko": t.ko}


def check_levels(
    model: MaturityModel, levels: Mapping[str, object], where: str = "levels"
) -> list[MaturityProblem]:
    """Every problem with a set of item levels: unknown items, bad levels, missing items."""
    lo, hi = model.scoring.lowest, model.scoring.highest
    problems = [
        MaturityProblem(
            "unknown_item", key, f"unknown item {key!r}", f"알 수 없는 평가 항목 {key!r}", where
        )
        for key in levels
        if model.item(key) is None
    ]
    for it in model.items:
        if it.id not in levels:
            problems.append(
                MaturityProblem(
                    "missing_item",
                    it.id,
                    f"item {it.id} ({it.en}) has no level",
                    f"{it.id}({it.ko}) 항목의 수준이 없습니다",
                    where,
                )
            )
            continue
        value = levels[it.id]
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            problems.append(
                MaturityProblem(
                    "level_out_of_range",
                    it.id,
                    f"item {it.id} has level {value!r}; levels are whole numbers {lo} to {hi}",
                    f"{it.id} 항목의 수준 {value!r}은(는) 잘못되었습니다. "
                    f"{lo}~{hi}의 정수여야 합니다",
                    where,
                )
            )
    return problems


def award(scoring: Scoring, levels: list[int]) -> int:
    """The level the scores give by the award rule, ignoring the gate."""
    mean = Fraction(sum(levels), len(levels))
    level = floor(mean) if scoring.award == "floor" else floor(mean + Fraction(1, 2))
    level = max(scoring.lowest, min(scoring.highest, level))
    cond = scoring.level5_extra_condition
    if level == scoring.highest and cond is not None and min(levels) < cond.min_item:
        level -= 1
    return level


def _certified(scoring: Scoring, values: list[int]) -> int | None:
    """The awarded level, or None when an item is below the gate."""
    return award(scoring, values) if min(values) >= scoring.gate_min_item else None


def _area_means(model: MaturityModel, levels: Mapping[str, int]) -> dict[str, float]:
    out = {}
    for area in model.areas:
        values = [levels[i.id] for i in model.items if i.area == area]
        out[area] = sum(values) / len(values)
    return out


def _plan(model: MaturityModel, levels: dict[str, int], target: int) -> tuple[PlanStep, ...]:
    """Raise items below the gate to it, then the lowest items one step at a time until the
    award reaches `target`; ties go to the item listed first in the model."""
    scoring = model.scoring
    planned = {k: max(v, scoring.gate_min_item) for k, v in levels.items()}
    order = [i.id for i in model.items]
    while award(scoring, list(planned.values())) < target:
        raisable = [k for k in order if planned[k] < scoring.highest]
        lowest = min(raisable, key=lambda k: planned[k])
        planned[lowest] += 1
    changed = [i for i in model.items if planned[i.id] != levels[i.id]]
    changed.sort(key=lambda i: levels[i.id])  # stable: model order within a level
    return tuple(PlanStep(i.id, i.area, i.name, levels[i.id], planned[i.id]) for i in changed)


def score(
    model: MaturityModel,
    levels: Mapping[str, int],
    previous: Mapping[str, int] | None = None,
) -> MaturityScore:
    """Score one assessment; MaturityInputError lists every problem in `levels` and `previous`."""
    problems = check_levels(model, levels)
    if previous is not None:
        problems += check_levels(model, previous, "previous")
    if problems:
        raise MaturityInputError(problems)
    current = {i.id: levels[i.id] for i in model.items}
    scoring = model.scoring
    values = list(current.values())
    mean = sum(values) / len(values)
    items = [ItemLevel(i.id, i.area, i.name, current[i.id]) for i in model.items]
    blockers = sorted((i for i in items if i.level < scoring.gate_min_item), key=lambda i: i.level)
    eligible = not blockers
    indicative = award(scoring, values)
    level = _certified(scoring, values)
    top = max(values)
    strengths = tuple(i for i in items if i.level == top) if top > indicative else ()
    if not eligible:
        fixed = [max(v, scoring.gate_min_item) for v in values]
        target: int | None = award(scoring, fixed)
    else:
        target = indicative + 1 if indicative < scoring.highest else None
    plan = _plan(model, current, target) if target is not None else ()
    notes = _notes(model, current, eligible, indicative, blockers)
    comparison = None
    if previous is not None:
        before = {i.id: previous[i.id] for i in model.items}
        comparison = _compare(model, before, current, level)
    return MaturityScore(
        model=model.model,
        version=model.version,
        eligible=eligible,
        level=level,
        level_name=model.levels[level].name if level is not None else None,
        indicative_level=indicative,
        mean=mean,
        areas=_area_means(model, current),
        blockers=tuple(blockers),
        strengths=strengths,
        target_level=target,
        next_level_plan=plan,
        comparison=comparison,
        notes=tuple(notes),
    )


def _notes(
    model: MaturityModel,
    levels: dict[str, int],
    eligible: bool,
    indicative: int,
    blockers: list[ItemLevel],
) -> list[Reason]:
    scoring = model.scoring
    gate = scoring.gate_min_item
    notes = []
    if model.status != "official":
        notes.append(Reason("reconstruction", model.label.en, model.label.ko))
    if not eligible:
        listed = ", ".join(f"{b.item} {b.name.en} ({b.level})" for b in blockers)
        listed_ko = ", ".join(f"{b.item} {b.name.ko}({b.level})" for b in blockers)
        notes.append(
            Reason(
                "below_gate",
                f"not certifiable: every item must be at level {gate} or above; below: {listed}",
                f"인증 불가: 모든 항목이 {gate}수준 이상이어야 합니다. 미달 항목: {listed_ko}",
            )
        )
    cond = scoring.level5_extra_condition
    values = list(levels.values())
    if cond is not None and indicative == scoring.highest - 1 and min(values) < cond.min_item:
        without = award(scoring.model_copy(update={"level5_extra_condition": None}), values)
        if without == scoring.highest:
            notes.append(
                Reason(
                    "top_level_condition",
                    f"level {scoring.highest} also needs every item at {cond.min_item} or above",
                    f"{scoring.highest}수준은 모든 항목이 {cond.min_item}수준 이상이어야 합니다",
                )
            )
    return notes


def _compare(
    model: MaturityModel, before: dict[str, int], after: dict[str, int], level_after: int | None
) -> Comparison:
    scoring = model.scoring
    values_before = list(before.values())
    areas_before, areas_after = _area_means(model, before), _area_means(model, after)
    return Comparison(
        level_before=_certified(scoring, values_before),
        level_after=level_after,
        mean_delta=sum(after.values()) / len(after) - sum(values_before) / len(values_before),
        areas={a: areas_after[a] - areas_before[a] for a in model.areas},
        items={i.id: after[i.id] - before[i.id] for i in model.items},
    )
