"""Gap analysis for a reporting cycle: the fewest indicators still to verify for the next level.

Core indicators come first when the target level needs every core; then the indicators whose
inputs are most complete; ties fall back to catalogue order so the plan is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from citycert.domain.certification import (
    Outcome,
    UnknownIndicatorsError,
    assess,
    number_order,
    tally,
)
from citycert.standards.catalog import Catalog
from citycert.standards.levels import CountScope, LevelRule, LevelRulesFile
from citycert.standards.models import Indicator, IndicatorType, Text


class ProgressError(ValueError):
    """Input progress figures are impossible; `problems` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Pick:
    """One indicator to verify next, with how many of its inputs are already collected."""

    number: str
    name: Text
    type: IndicatorType
    theme: int
    collected: int
    total: int
    # "core_required": the target level needs every core; "count": needed to reach the count.
    why: str

    @property
    def completeness(self) -> float:
        return self.collected / self.total if self.total else 0.0


@dataclass(frozen=True)
class ThemeReadiness:
    theme: int
    name: Text
    verified: int
    total: int


@dataclass(frozen=True)
class GapPlan:
    """The outcome now, the level aimed at and the indicators to verify to get there."""

    outcome: Outcome
    target: LevelRule | None
    picks: tuple[Pick, ...]
    # False when the catalogue has too few unverified indicators to reach the target.
    reachable: bool
    themes: tuple[ThemeReadiness, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome.as_dict(),
            "target": self.target.id if self.target else None,
            "reachable": self.reachable,
            "picks": [
                {
                    "number": p.number,
                    "name": {"en": p.name.en, "ko": p.name.ko},
                    "type": p.type.value,
                    "collected": p.collected,
                    "total": p.total,
                    "why": p.why,
                }
                for p in self.picks
            ],
            "themes": [
                {
                    "theme": r.theme,
                    "name": {"en": r.name.en, "ko": r.name.ko},
                    "verified": r.verified,
                    "total": r.total,
                }
                for r in self.themes
            ],
        }


Progress = Mapping[str, tuple[int, int]]


def _input_count(ind: Indicator) -> int:
    return len(ind.formula.inputs) if ind.formula else 0


def _check_progress(catalog: Catalog, progress: Progress) -> None:
    unknown = sorted((n for n in progress if catalog.get(n) is None), key=number_order)
    if unknown:
        raise UnknownIndicatorsError(catalog.key, unknown)
    problems = [
        f"{n}: collected {c} of {t} inputs is impossible"
        for n, (c, t) in progress.items()
        if c < 0 or t < 0 or c > t
    ]
    if problems:
        raise ProgressError(problems)


def plan_gap(
    catalog: Catalog,
    rules: LevelRulesFile,
    verified: Iterable[str],
    progress: Progress | None = None,
    target: str | None = None,
) -> GapPlan:
    """The smallest set of indicators to verify to reach `target` (default: the next level).

    `progress` maps an indicator number to (collected inputs, total inputs); indicators not in it
    count as nothing collected. Raises UnknownIndicatorsError and ProgressError.
    """
    verified = set(verified)
    progress = progress or {}
    _check_progress(catalog, progress)
    outcome = assess(catalog, rules, verified)
    goal = rules.level(target) if target else outcome.next_level
    t = tally(catalog, verified)
    themes = _readiness(catalog, t.verified)
    if goal is None:
        return GapPlan(outcome, None, (), True, themes)

    order = {ind.number: i for i, ind in enumerate(catalog.indicators)}

    def pick(ind: Indicator, why: str) -> Pick:
        collected, total = progress.get(ind.number, (0, _input_count(ind)))
        return Pick(ind.number, ind.name, ind.type, ind.theme, collected, total, why)

    def rank(p: Pick) -> tuple[float, int, int]:
        return (-p.completeness, p.total - p.collected, order[p.number])

    open_ = [i for i in catalog.counted() if i.number not in t.verified]
    core = sorted(
        (pick(i, "core_required") for i in open_ if i.type is IndicatorType.core),
        key=rank,
    )
    chosen = core if goal.requires_all_core else []
    in_scope = [i for i in open_ if goal.count is CountScope.all or i.type is IndicatorType.core]
    taken = {p.number for p in chosen}
    more = max(0, goal.min_count - t.counted(goal.count) - len(chosen))
    rest = sorted((pick(i, "count") for i in in_scope if i.number not in taken), key=rank)
    picks = tuple(chosen + rest[:more])
    return GapPlan(outcome, goal, picks, more <= len(rest), themes)


def _readiness(catalog: Catalog, verified: frozenset[str]) -> tuple[ThemeReadiness, ...]:
    out = []
    for theme in catalog.themes:
        counted = [i for i in catalog.in_theme(theme.number) if i.type is not IndicatorType.profile]
        if counted:
            done = sum(1 for i in counted if i.number in verified)
            out.append(ThemeReadiness(theme.number, theme.name, done, len(counted)))
    return tuple(out)
