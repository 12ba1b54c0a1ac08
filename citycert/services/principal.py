"""Who is acting: the Principal (user, roles with their scope) and the check every use case makes.

A `ServiceContext` carries the principal. Adapters set it: the web app from the session or API
token (or `ANONYMOUS` for the public), the command line leaves it None, which means `SYSTEM`:
the operator who runs CityCert on the machine and holds its database credentials anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.authz import Action, Grant, Role, Target, denial_message, permits
from citycert.services.context import Clock, NotFoundError, ServiceContext, ServiceError, utc_now
from citycert.store.engine import Database
from citycert.store.models import CycleState, ReportingCycle
from citycert.store.models_auth import RoleGrant, User


@dataclass(frozen=True)
class Principal:
    """A user (or the public, or the system) with the roles it holds and their scopes."""

    user_id: int | None
    login: str
    grants: tuple[Grant, ...] = ()

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None or self is SYSTEM

    @property
    def is_admin(self) -> bool:
        return any(g.role is Role.administrator for g in self.grants)

    def can(self, action: Action, target: Target) -> bool:
        """Whether this principal may take `action` on `target`."""
        return permits(self.grants, action, target)


ANONYMOUS = Principal(user_id=None, login="public")
SYSTEM = Principal(user_id=None, login="system", grants=(Grant(Role.administrator),))


class PermissionDenied(ServiceError):
    """The acting principal may not take this action on this target; nothing was changed."""

    def __init__(self, action: Action, principal: Principal) -> None:
        self.action = action
        self.principal = principal
        en, ko = denial_message(action, principal.authenticated)
        super().__init__(en, ko)


def principal_of(ctx: ServiceContext) -> Principal:
    """The context's principal; None (command line, in-process callers) means SYSTEM."""
    p = ctx.principal
    if p is None:
        return SYSTEM
    if not isinstance(p, Principal):
        raise TypeError(f"ServiceContext.principal must be a Principal, not {type(p).__name__}")
    return p


def authorize(ctx: ServiceContext, action: Action, target: Target | None = None) -> Principal:
    """Raise PermissionDenied unless the context's principal may take `action` on `target`."""
    principal = principal_of(ctx)
    if not principal.can(action, target or Target()):
        raise PermissionDenied(action, principal)
    return principal


def is_public(cycle: ReportingCycle) -> bool:
    """The public sees a cycle once it is published or certified, never before."""
    return bool(cycle.published) or cycle.state == CycleState.certified.value


def cycle_target(cycle: ReportingCycle) -> Target:
    return Target(city_id=cycle.city_id, cycle_id=cycle.id, public=is_public(cycle))


def authorize_cycle(ctx: ServiceContext, action: Action, cycle: ReportingCycle) -> Principal:
    """`authorize` on a cycle row; the public is told a hidden cycle does not exist."""
    principal = principal_of(ctx)
    if principal.can(action, cycle_target(cycle)):
        return principal
    if not principal.authenticated and not is_public(cycle):
        # Do not reveal that an unpublished cycle exists.
        raise NotFoundError(
            f"no reporting cycle {cycle.id}", f"보고 주기 {cycle.id}이(가) 없습니다"
        )
    raise PermissionDenied(action, principal)


def grants_of(session: Session, user_id: int) -> tuple[Grant, ...]:
    """The stored grants of a user, in a stable order."""
    rows = session.scalars(
        select(RoleGrant).where(RoleGrant.user_id == user_id).order_by(RoleGrant.id)
    )
    return tuple(Grant(Role(r.role), r.city_id, r.cycle_id) for r in rows)


def load_principal(session: Session, login: str) -> Principal:
    """The principal of an active user; NotFoundError when there is no such active user."""
    user = session.scalars(select(User).where(User.login == login.strip().lower())).first()
    if user is None or not user.active:
        raise NotFoundError(f"no active user {login!r}", f"활성 사용자 {login!r}이(가) 없습니다")
    return Principal(user_id=user.id, login=user.login, grants=grants_of(session, user.id))


def user_context(db: Database, login: str, clock: Clock = utc_now) -> ServiceContext:
    """A ServiceContext acting as the stored user `login`, with that user's current roles."""
    with db.read() as s:
        principal = load_principal(s, login)
    return ServiceContext(db=db, actor=principal.login, clock=clock, principal=principal)


def public_context(db: Database, clock: Clock = utc_now) -> ServiceContext:
    """A ServiceContext for the anonymous public."""
    return ServiceContext(db=db, actor=ANONYMOUS.login, clock=clock, principal=ANONYMOUS)
