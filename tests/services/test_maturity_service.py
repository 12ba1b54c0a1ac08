"""ISO 37106 maturity assessments: record with evidence, score, compare, report, refuse."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from citycert.domain.authz import Role
from citycert.services import maturity, users
from citycert.services.context import ServiceContext, ValidationFailed
from citycert.services.maturity import ItemEntry
from citycert.services.principal import PermissionDenied, user_context
from citycert.standards.maturity import get_maturity_model
from citycert.store.audit_log import history
from tests.conftest import FrozenClock
from tests.support.certification_world import make_city

MODEL = get_maturity_model()
ITEMS = [i.id for i in MODEL.items]


@pytest.fixture
def admin(context_for: Callable[[str], ServiceContext]) -> ServiceContext:
    ctx = context_for("admin@kcert")
    make_city(ctx)
    return ctx


def entries(default: int, **given: int) -> list[ItemEntry]:
    return [ItemEntry(i, given.get(i, default)) for i in ITEMS]


def test_recording_stores_levels_evidence_and_the_award(admin: ServiceContext) -> None:
    items = entries(4, C03=3)
    items[0] = ItemEntry("A01", 5, evidence="statutory smart-city plan 2023", notes="co-created")

    a = maturity.record(
        admin,
        city="daegu",
        assessed_on=date(2024, 1, 20),
        assessor="lead auditor Kim",
        items=items,
        notes="strong governance",
    )

    assert a.current_level == 4
    assert a.mean == pytest.approx((5 + 3 + 4 * 20) / 22)
    assert a.target_level == 5  # the next level when none is given
    stored = {i.item: i for i in a.items}
    assert stored["A01"].evidence == "statutory smart-city plan 2023"
    assert stored["A01"].notes == "co-created" and stored["C03"].level == 3
    with admin.db.read() as s:
        entry = history(s, "daegu/iso37106/")[-1]
    assert entry.action == "maturity.record" and entry.new["levels"]["C03"] == 3


def test_an_item_below_the_gate_gives_no_level_but_a_plan(admin: ServiceContext) -> None:
    a = maturity.record(
        admin,
        city="daegu",
        assessed_on=date(2024, 1, 20),
        assessor="lead auditor",
        items=entries(4, B02=2),
    )

    scored = maturity.score_assessment(admin, assessment_id=a.id)

    assert a.current_level is None
    assert [b.item for b in scored.score.blockers] == ["B02"]
    assert scored.score.next_level_plan[0].item == "B02"


def test_scoring_compares_with_the_previous_assessment(admin: ServiceContext) -> None:
    before = maturity.record(
        admin, city="daegu", assessed_on=date(2020, 1, 15), assessor="a", items=entries(3)
    )
    after = maturity.record(
        admin,
        city="daegu",
        assessed_on=date(2023, 1, 20),
        assessor="a",
        items=entries(4, D01=3, A05=5),
    )

    scored = maturity.score_assessment(admin, assessment_id=after.id)

    assert scored.previous is not None and scored.previous.id == before.id
    comparison = scored.score.comparison
    assert comparison is not None
    assert (comparison.level_before, comparison.level_after) == (3, 4)
    assert comparison.items["A01"] == 1 and comparison.items["D01"] == 0
    doc = maturity.report(admin, assessment_id=after.id)
    assert doc.previous_assessed_on == date(2020, 1, 15)
    assert [a.code for a in doc.areas] == ["A", "B", "C", "D"]
    assert len(doc.items) == 22
    assert {a.code: a.previous for a in doc.areas} == {"A": 3.0, "B": 3.0, "C": 3.0, "D": 3.0}


@pytest.mark.parametrize(
    ("items", "target", "on", "where"),
    [
        (entries(4)[:-1], None, date(2024, 1, 1), {"D01"}),  # an item missing
        ([*entries(4), ItemEntry("Z99", 3)], None, date(2024, 1, 1), {"Z99"}),
        (entries(4, A02=6), None, date(2024, 1, 1), {"A02"}),
        ([*entries(4), ItemEntry("a01", 4)], None, date(2024, 1, 1), {"A01"}),  # twice
        (entries(4), 9, date(2024, 1, 1), {"target_level"}),
        (entries(4), None, date(2030, 1, 1), {"assessed_on"}),
    ],
)
def test_bad_assessments_are_refused_naming_every_problem(
    admin: ServiceContext, items: list[ItemEntry], target: int | None, on: date, where: set[str]
) -> None:
    with pytest.raises(ValidationFailed) as err:
        maturity.record(
            admin,
            city="daegu",
            assessed_on=on,
            assessor="a",
            items=items,
            target_level=target,
        )

    assert {p.where for p in err.value.problems} == where
    assert maturity.list_assessments(admin, city="daegu") == []


def test_a_city_coordinator_may_not_record_an_assessment(
    admin: ServiceContext, clock: FrozenClock
) -> None:
    users.add_user(admin, login="coord.daegu", name="coordinator")
    users.grant_role(admin, login="coord.daegu", role=Role.city_coordinator, city="daegu")

    with pytest.raises(PermissionDenied):
        maturity.record(
            user_context(admin.db, "coord.daegu", clock=clock),
            city="daegu",
            assessed_on=date(2024, 1, 20),
            assessor="self",
            items=entries(5),
        )
