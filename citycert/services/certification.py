"""Use cases: the certification outcome of a stored cycle and its gap plan, from what is verified.

Which indicators count as verified: the verifier's per-indicator decisions (`accepted`) when the
cycle has any; a cycle without recorded decisions counts every cleanly computed indicator once
the cycle itself is verified or certified, and nothing before. The `projected` outcome says
where the cycle would land if every cleanly computed indicator were verified.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.authz import Action
from citycert.domain.calculation import Status
from citycert.domain.certification import Outcome, UnknownIndicatorsError, assess
from citycert.domain.gap import GapPlan, plan_gap
from citycert.domain.workflow import Decision
from citycert.services.context import Problem, ServiceContext, ValidationFailed
from citycert.services.cycles import CyclePublic, _public, load_cycle
from citycert.services.principal import authorize_cycle
from citycert.standards.catalog import Catalog, get_catalog
from citycert.standards.levels import LevelRulesFile, UnknownLevelRulesError, get_level_rules
from citycert.standards.models import Text
from citycert.store.models import CycleState, IndicatorValue, InputValue, ReportingCycle
from citycert.store.models_review import IndicatorReview

_DONE = frozenset({CycleState.verified.value, CycleState.certified.value})


class Basis(StrEnum):
    """Where the list of verified indicators came from."""

    decisions = "decisions"  # the verifier's accepted indicators
    cycle_state = "cycle_state"  # no decisions recorded: a verified cycle counts what computed
    not_verified = "not_verified"  # no decisions and the cycle is not verified yet


BASIS_TEXT = {
    Basis.decisions: Text(en="indicators accepted by the verifier", ko="검증자가 승인한 지표 기준"),
    Basis.cycle_state: Text(
        en="cycle verified as a whole: every cleanly computed indicator counts",
        ko="보고 주기 전체 검증 완료: 정상 산출된 지표를 모두 반영",
    ),
    Basis.not_verified: Text(
        en="not verified yet: no indicator counts so far",
        ko="아직 검증 전: 반영된 지표가 없습니다",
    ),
}


@dataclass(frozen=True)
class CycleCertification:
    """A cycle's certification outcome now, the projection and the plan to the next level."""

    cycle: CyclePublic
    basis: Basis
    verified: tuple[str, ...]
    outcome: Outcome
    projected: Outcome
    gap: GapPlan
    rules: LevelRulesFile

    def as_dict(self) -> dict[str, object]:
        return {
            "cycle": self.cycle.model_dump(mode="json"),
            "basis": self.basis.value,
            "basis_text": {"en": BASIS_TEXT[self.basis].en, "ko": BASIS_TEXT[self.basis].ko},
            "verified": list(self.verified),
            "outcome": self.outcome.as_dict(),
            "projected": self.projected.as_dict(),
            "gap": self.gap.as_dict(),
        }


def rules_for(catalog_key: str) -> LevelRulesFile:
    """The level rules of a catalogue; ValidationFailed when none exist."""
    try:
        return get_level_rules(catalog_key)
    except UnknownLevelRulesError as exc:
        raise ValidationFailed(
            [Problem("standard", str(exc), f"{catalog_key}의 인증 등급 기준이 없습니다")]
        ) from None


def ok_indicators(session: Session, cycle_id: int) -> tuple[str, ...]:
    """Numbers of the cycle's indicators computed without any problem."""
    rows = session.scalars(
        select(IndicatorValue.indicator).where(
            IndicatorValue.cycle_id == cycle_id, IndicatorValue.status == Status.ok.value
        )
    )
    return tuple(rows)


def verified_indicators(session: Session, cycle: ReportingCycle) -> tuple[tuple[str, ...], Basis]:
    """The verified indicator numbers of a cycle and where that list came from."""
    decisions = session.execute(
        select(IndicatorReview.indicator, IndicatorReview.decision).where(
            IndicatorReview.cycle_id == cycle.id
        )
    ).all()
    if decisions:
        accepted = tuple(n for n, d in decisions if d == Decision.accepted.value)
        return accepted, Basis.decisions
    if cycle.state in _DONE:
        return ok_indicators(session, cycle.id), Basis.cycle_state
    return (), Basis.not_verified


def input_progress(session: Session, cycle_id: int, catalog: Catalog) -> dict[str, tuple[int, int]]:
    """(inputs with a value, inputs needed) per indicator that has a formula."""
    collected: dict[str, int] = defaultdict(int)
    rows = session.execute(
        select(InputValue.indicator, InputValue.input).where(
            InputValue.cycle_id == cycle_id, InputValue.value.is_not(None)
        )
    )
    names = {ind.number: {i.name for i in ind.formula.inputs} for ind in catalog if ind.formula}
    for number, name in rows:
        if name in names.get(number, ()):
            collected[number] += 1
    return {n: (collected[n], len(needed)) for n, needed in names.items()}


def _known(catalog: Catalog, numbers: tuple[str, ...]) -> tuple[str, ...]:
    # Stored rows always come from the catalogue; a number it lacks means the catalogue changed.
    unknown = [n for n in numbers if catalog.get(n) is None]
    if unknown:
        raise UnknownIndicatorsError(catalog.key, unknown)
    return numbers


def evaluate(
    session: Session, cycle: ReportingCycle, slug: str, target: str | None = None
) -> CycleCertification:
    """The certification of a loaded cycle inside the caller's session."""
    catalog = get_catalog(cycle.catalog)
    rules = rules_for(cycle.catalog)
    verified, basis = verified_indicators(session, cycle)
    verified = _known(catalog, verified)
    computed = _known(catalog, ok_indicators(session, cycle.id))
    if target is not None:
        try:
            rules.level(target)
        except UnknownLevelRulesError as exc:
            raise ValidationFailed(
                [Problem("target", str(exc), f"{rules.rules}에 등급 {target!r}이(가) 없습니다")]
            ) from None
    progress = input_progress(session, cycle.id, catalog)
    return CycleCertification(
        cycle=_public(cycle, slug),
        basis=basis,
        verified=verified,
        outcome=assess(catalog, rules, verified),
        projected=assess(catalog, rules, set(verified) | set(computed)),
        gap=plan_gap(catalog, rules, verified, progress, target),
        rules=rules,
    )


def certify_cycle(
    ctx: ServiceContext, *, cycle_id: int, target: str | None = None
) -> CycleCertification:
    """The outcome of a stored cycle now, projected, and the fewest indicators to `target`."""
    with ctx.db.read() as s:
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.cycle_read, cycle)
        return evaluate(s, cycle, slug, target)
