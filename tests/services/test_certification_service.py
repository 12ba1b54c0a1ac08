"""Certification outcome of a stored cycle: what counts as verified, level, projection, gap,
and the city report built on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from citycert.services import certificates, city_report, cycles, values
from citycert.services.certification import Basis, certify_cycle
from citycert.services.context import NotFoundError, ServiceContext, ValidationFailed
from citycert.services.principal import public_context
from citycert.services.values import InputChange
from citycert.store.models import CycleState
from tests.conftest import FrozenClock
from tests.support.certification_world import (
    CATALOG,
    make_city,
    report_figures,
    verified_cycle,
)


@pytest.fixture
def admin(context_for: Callable[[str], ServiceContext]) -> ServiceContext:
    ctx = context_for("admin@kcert")
    make_city(ctx)
    return ctx


def test_the_verifiers_accepted_indicators_give_the_level_and_the_gap(
    admin: ServiceContext,
) -> None:
    cycle_id = verified_cycle(admin, year=2023, accept=88)

    result = certify_cycle(admin, cycle_id=cycle_id)

    assert result.basis is Basis.decisions
    assert len(result.verified) == 88
    out = result.outcome
    assert (out.level.id if out.level else None, out.verified_count) == ("gold", 88)
    assert out.core_verified == out.core_total
    assert out.next_level is not None and out.next_level.id == "platinum"
    assert out.missing_for_next == 2
    # Two more: the gap plan names exactly that many, none already verified.
    assert len(result.gap.picks) == 2
    assert not {p.number for p in result.gap.picks} & set(result.verified)
    # Every reported indicator computed cleanly, so the projection is higher than the outcome.
    assert result.projected.verified_count > out.verified_count


@pytest.mark.parametrize(
    ("state", "basis", "counts_values"),
    [
        (CycleState.draft, Basis.not_verified, False),
        (CycleState.submitted, Basis.not_verified, False),
        (CycleState.in_verification, Basis.not_verified, False),
        (CycleState.verified, Basis.cycle_state, True),
        (CycleState.certified, Basis.cycle_state, True),
    ],
)
def test_without_decisions_the_cycle_state_says_whether_clean_values_count(
    admin: ServiceContext, state: CycleState, basis: Basis, counts_values: bool
) -> None:
    cycle_id = cycles.open_cycle(admin, city="daegu", catalog=CATALOG, year=2023).id
    reported = report_figures(admin, cycle_id, count=40)
    cycles.set_state(admin, cycle_id=cycle_id, state=state)

    result = certify_cycle(admin, cycle_id=cycle_id)

    assert result.basis is basis
    assert sorted(result.verified) == (sorted(reported) if counts_values else [])
    assert result.projected.verified_count == 40


def test_the_gap_plan_favours_indicators_whose_inputs_are_collected(
    admin: ServiceContext,
) -> None:
    cycle_id = cycles.open_cycle(admin, city="daegu", catalog=CATALOG, year=2023).id
    values.set_inputs(
        admin,
        cycle_id,
        [
            InputChange("9.1", "debt_service_costs", 12.0),
            InputChange("9.1", "own_source_revenue", 1000.0),
            InputChange("6.4", "primary_students", 12.0),  # one of its two inputs
        ],
    )

    gap = certify_cycle(admin, cycle_id=cycle_id).gap

    assert gap.target is not None and gap.target.id == "aspirational"
    firsts = [(p.number, p.collected, p.total) for p in gap.picks[:2]]
    assert firsts == [("9.1", 2, 2), ("6.4", 1, 2)]


def test_an_unknown_target_level_is_refused_naming_the_levels(admin: ServiceContext) -> None:
    cycle_id = cycles.open_cycle(admin, city="daegu", catalog=CATALOG, year=2023).id

    with pytest.raises(ValidationFailed) as err:
        certify_cycle(admin, cycle_id=cycle_id, target="diamond")

    assert "platinum" in err.value.message_en


def test_the_public_is_told_an_unpublished_cycle_does_not_exist(
    admin: ServiceContext, clock: FrozenClock
) -> None:
    cycle_id = cycles.open_cycle(admin, city="daegu", catalog=CATALOG, year=2023).id

    with pytest.raises(NotFoundError):
        certify_cycle(public_context(admin.db, clock), cycle_id=cycle_id)


def test_the_city_report_holds_level_gap_values_and_trends(
    admin: ServiceContext, clock: FrozenClock
) -> None:
    verified_cycle(admin, year=2022, report=35, accept=35)
    cycle_id = verified_cycle(admin, year=2023, report=35, accept=35)
    cert = certificates.issue(admin, cycle_id=cycle_id)

    doc = city_report.city_report(admin, city="daegu", standard=CATALOG, year=2023)

    assert (doc.city.ko, doc.city.en, doc.year) == ("대구광역시", "Daegu", 2023)
    assert doc.level is not None and (doc.level.en, doc.level.ko) == ("Aspirational", "입문")
    assert doc.certificate_id == cert.public_id
    assert doc.years == (2022, 2023)
    assert doc.verified_count == 35 and doc.counted_total == 104
    assert doc.next_level is not None and doc.next_level.en == "Bronze"
    # The 35 accepted are all core (accepted core first); Bronze needs every core indicator.
    assert doc.core_verified == 35
    assert len(doc.gap) == doc.missing_for_next == doc.core_total - 35
    assert all(g.core_required for g in doc.gap)
    rows = {r.number: r for t in doc.themes for r in t.rows}
    assert len(rows) == 104
    first = rows["5.1"]
    assert first.verified and first.status == "ok"
    assert [y for y, _ in first.trend] == [2022, 2023]
    assert first.trend[0][1] == pytest.approx(1.2) and first.trend[1][1] == pytest.approx(1.2)
    assert sum(t.verified for t in doc.themes) == 35


def test_the_public_city_report_leaves_out_years_it_may_not_see(
    admin: ServiceContext, clock: FrozenClock
) -> None:
    draft = cycles.open_cycle(admin, city="daegu", catalog=CATALOG, year=2022).id
    report_figures(admin, draft, count=5)
    cycle_id = verified_cycle(admin, year=2023, report=30, accept=30)
    certificates.issue(admin, cycle_id=cycle_id)

    doc = city_report.city_report(
        public_context(admin.db, clock), city="daegu", standard=CATALOG, year=2023
    )

    assert doc.years == (2023,)
    with pytest.raises(NotFoundError):
        city_report.city_report(
            public_context(admin.db, clock), city="daegu", standard=CATALOG, year=2022
        )
