"""The pure authorisation policy: scopes, roles, public visibility, completeness."""

from __future__ import annotations

import pytest

from citycert.domain.authz import (
    POLICY,
    ROLE_LABELS,
    Action,
    Grant,
    Role,
    Target,
    covers,
    missing_policies,
    permits,
)

DAEGU, BUSAN = 1, 2
CYCLE_D, CYCLE_B = 10, 20
D = Target(city_id=DAEGU, cycle_id=CYCLE_D)
B = Target(city_id=BUSAN, cycle_id=CYCLE_B)
D_PUBLIC = Target(city_id=DAEGU, cycle_id=CYCLE_D, public=True)


def test_every_action_has_a_policy_and_every_role_a_bilingual_label() -> None:
    assert missing_policies(Action) == []
    assert set(POLICY) == set(Action)
    assert all(en and ko and en != ko for en, ko in ROLE_LABELS.values())


@pytest.mark.parametrize(
    ("grant", "target", "expected"),
    [
        (Grant(Role.city_editor, DAEGU), D, True),
        (Grant(Role.city_editor, DAEGU), B, False),
        (Grant(Role.verifier, DAEGU, CYCLE_D), D, True),
        (Grant(Role.verifier, DAEGU, CYCLE_D), Target(DAEGU, 11), False),
        (Grant(Role.verifier, DAEGU, CYCLE_D), Target(DAEGU, None), False),
        (Grant(Role.administrator), B, True),
    ],
)
def test_grant_scope(grant: Grant, target: Target, expected: bool) -> None:
    assert covers(grant, target) is expected


@pytest.mark.parametrize(
    ("grants", "action", "target", "expected"),
    [
        ([Grant(Role.city_editor, DAEGU)], Action.input_set, D, True),
        ([Grant(Role.city_editor, DAEGU)], Action.input_set, B, False),
        ([Grant(Role.city_editor, DAEGU)], Action.workflow_submit, D, False),
        ([Grant(Role.city_coordinator, DAEGU)], Action.workflow_submit, D, True),
        ([Grant(Role.verifier, DAEGU, CYCLE_D)], Action.input_set, D, False),
        ([Grant(Role.verifier, DAEGU, CYCLE_D)], Action.workflow_decide, D, True),
        ([Grant(Role.verifier, DAEGU, CYCLE_D)], Action.workflow_decide, B, False),
        ([Grant(Role.verifier, DAEGU, CYCLE_D)], Action.workflow_certify, D, False),
        ([Grant(Role.administrator)], Action.workflow_certify, B, True),
        ([Grant(Role.administrator)], Action.user_manage, Target(), True),
        ([Grant(Role.city_coordinator, DAEGU)], Action.user_manage, Target(), False),
        ([], Action.cycle_read, D, False),
        ([], Action.cycle_read, D_PUBLIC, True),
        ([], Action.review_read, D_PUBLIC, False),
        ([], Action.input_set, D_PUBLIC, False),
        ([Grant(Role.city_editor, BUSAN)], Action.cycle_read, D, False),
        ([Grant(Role.city_editor, BUSAN)], Action.cycle_read, D_PUBLIC, True),
    ],
)
def test_policy_decisions(
    grants: list[Grant], action: Action, target: Target, expected: bool
) -> None:
    assert permits(grants, action, target) is expected


CITY_ONLY = [
    Action.input_set,
    Action.cycle_recompute,
    Action.finding_justify,
    Action.workflow_submit,
    Action.workflow_answer,
]


@pytest.mark.parametrize("action", CITY_ONLY)
def test_a_verifier_can_never_edit_city_figures_or_submit(action: Action) -> None:
    verifier = [Grant(Role.verifier, DAEGU, CYCLE_D), Grant(Role.verifier, DAEGU)]
    assert not permits(verifier, action, D)
    assert permits([Grant(Role.city_coordinator, DAEGU)], action, D)
