"""Who may do what: roles scoped to cities and cycles, the actions of the services, the policy.

Pure rules: a principal's grants, an action and the target it acts on (city, cycle, and whether
the cycle is public) go in; yes or no comes out. Every service action names its `Action`; the
policy below must cover each one (a test enumerates them all). Administrators may do everything.
The public (no grants) may only read cities and cycles that are published or certified.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    city_editor = "city_editor"  # edits the figures of its city
    city_coordinator = "city_coordinator"  # edits, submits, answers queries for its city
    verifier = "verifier"  # reviews the cycles assigned to it; never edits a city's figures
    administrator = "administrator"  # everything, including users and certification


ROLE_LABELS: Mapping[Role, tuple[str, str]] = {
    Role.city_editor: ("city editor", "도시 데이터 입력 담당자"),
    Role.city_coordinator: ("city coordinator", "도시 인증 총괄 담당자"),
    Role.verifier: ("verifier", "검증자"),
    Role.administrator: ("administrator", "관리자"),
}

# Roles that only make sense for one city (granted with a city).
CITY_ROLES = frozenset({Role.city_editor, Role.city_coordinator})


class Action(StrEnum):
    """Every guarded service action."""

    city_read = "city.read"
    city_create = "city.create"
    city_update = "city.update"
    cycle_read = "cycle.read"
    cycle_open = "cycle.open"
    cycle_set_state = "cycle.set_state"
    cycle_publish = "cycle.publish"
    cycle_recompute = "cycle.recompute"
    input_set = "input.set"
    evidence_add = "evidence.add"
    evidence_read = "evidence.read"
    review_read = "review.read"
    finding_justify = "finding.justify"
    finding_assign = "finding.assign"
    workflow_submit = "workflow.submit"
    workflow_start = "workflow.start"
    workflow_decide = "workflow.decide"
    workflow_answer = "workflow.answer"
    workflow_reopen = "workflow.reopen"
    workflow_return = "workflow.return"
    workflow_verify = "workflow.verify"
    workflow_resume = "workflow.resume"
    workflow_certify = "workflow.certify"
    user_manage = "user.manage"


@dataclass(frozen=True)
class Grant:
    """A role, limited to a city and/or a cycle; no limit = everywhere."""

    role: Role
    city_id: int | None = None
    cycle_id: int | None = None


@dataclass(frozen=True)
class Target:
    """What an action touches: a city, a cycle of it, and whether that cycle is public."""

    city_id: int | None = None
    cycle_id: int | None = None
    public: bool = False


@dataclass(frozen=True)
class Rule:
    """Roles that may take an action within their scope; `public`: anyone on public targets."""

    roles: frozenset[Role]
    public: bool = False


_CITY = frozenset({Role.city_editor, Role.city_coordinator})
_COORD = frozenset({Role.city_coordinator})
_VERIFIER = frozenset({Role.verifier})
_READERS = frozenset({Role.city_editor, Role.city_coordinator, Role.verifier})
_ADMIN_ONLY: frozenset[Role] = frozenset()

POLICY: Mapping[Action, Rule] = {
    Action.city_read: Rule(_READERS, public=True),
    Action.city_create: Rule(_ADMIN_ONLY),
    Action.city_update: Rule(_COORD),
    Action.cycle_read: Rule(_READERS, public=True),
    Action.cycle_open: Rule(_COORD),
    Action.cycle_set_state: Rule(_ADMIN_ONLY),
    Action.cycle_publish: Rule(_ADMIN_ONLY),
    Action.cycle_recompute: Rule(_CITY),
    Action.input_set: Rule(_CITY),
    Action.evidence_add: Rule(_CITY),
    Action.evidence_read: Rule(_READERS),  # evidence stays internal, even once published
    Action.review_read: Rule(_READERS),
    Action.finding_justify: Rule(_CITY),
    Action.finding_assign: Rule(_COORD),
    Action.workflow_submit: Rule(_COORD),
    Action.workflow_start: Rule(_VERIFIER),
    Action.workflow_decide: Rule(_VERIFIER),
    Action.workflow_answer: Rule(_COORD),
    Action.workflow_reopen: Rule(_VERIFIER),
    Action.workflow_return: Rule(_VERIFIER),
    Action.workflow_verify: Rule(_VERIFIER),
    Action.workflow_resume: Rule(_COORD),
    Action.workflow_certify: Rule(_ADMIN_ONLY),
    Action.user_manage: Rule(_ADMIN_ONLY),
}


def covers(grant: Grant, target: Target) -> bool:
    """Whether the grant's scope includes the target (administrators: everything)."""
    if grant.role is Role.administrator:
        return True
    if grant.cycle_id is not None and grant.cycle_id != target.cycle_id:
        return False
    return grant.city_id is None or grant.city_id == target.city_id


def permits(grants: Iterable[Grant], action: Action, target: Target) -> bool:
    """Whether someone holding `grants` may take `action` on `target`."""
    rule = POLICY[action]
    if rule.public and target.public:
        return True
    return any(
        g.role is Role.administrator or (g.role in rule.roles and covers(g, target)) for g in grants
    )


def missing_policies(actions: Iterable[Action]) -> list[Action]:
    """Actions that have no policy (must be empty)."""
    return [a for a in actions if a not in POLICY]


def denial_message(action: Action, authenticated: bool) -> tuple[str, str]:
    """The (English, Korean) message for a refused action."""
    if not authenticated:
        return (
            f"{action.value}: please log in; this is not public",
            f"{action.value}: 공개된 정보가 아닙니다. 로그인하십시오",
        )
    return (
        f"{action.value}: your roles do not allow this here",
        f"{action.value}: 현재 역할로는 이 작업을 할 수 없습니다",
    )
