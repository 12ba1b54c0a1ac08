"""Use cases for user administration: add, list, set password, grant and revoke roles.

Only administrators (or the command-line operator) manage users. Passwords are stored as argon2
hashes and never written to the audit log; grants record who granted them and when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.authz import CITY_ROLES, ROLE_LABELS, Action, Role
from citycert.services.auth import hash_password, password_problems
from citycert.services.cities import load_city
from citycert.services.context import NotFoundError, Problem, ServiceContext, ValidationFailed
from citycert.services.cycles import load_cycle
from citycert.services.principal import authorize
from citycert.store.models import City
from citycert.store.models_auth import RoleGrant, User

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")


@dataclass(frozen=True)
class GrantPublic:
    role: Role
    city: str | None  # city slug
    cycle_id: int | None

    def describe(self, lang: str = "en") -> str:
        label = ROLE_LABELS[self.role][1 if lang == "ko" else 0]
        scope = [f"city={self.city}"] if self.city else []
        scope += [f"cycle={self.cycle_id}"] if self.cycle_id is not None else []
        return f"{label} ({', '.join(scope)})" if scope else label


@dataclass(frozen=True)
class UserPublic:
    id: int
    login: str
    name: str
    email: str | None
    active: bool
    has_password: bool
    grants: tuple[GrantPublic, ...]


def normalise_login(login: str) -> str:
    return login.strip().lower()


def load_user(session: Session, login: str) -> User:
    """The User row for `login`; NotFoundError when there is none."""
    user = session.scalars(select(User).where(User.login == normalise_login(login))).first()
    if user is None:
        raise NotFoundError(f"no user {login!r}", f"사용자 {login!r}이(가) 없습니다")
    return user


def _grants(session: Session, user_id: int) -> tuple[GrantPublic, ...]:
    rows = session.execute(
        select(RoleGrant, City.slug)
        .outerjoin(City, City.id == RoleGrant.city_id)
        .where(RoleGrant.user_id == user_id)
        .order_by(RoleGrant.id)
    ).all()
    return tuple(GrantPublic(Role(g.role), slug, g.cycle_id) for g, slug in rows)


def _public(session: Session, user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        login=user.login,
        name=user.name,
        email=user.email,
        active=user.active,
        has_password=user.password_hash is not None,
        grants=_grants(session, user.id),
    )


def add_user(
    ctx: ServiceContext,
    *,
    login: str,
    name: str,
    password: str | None = None,
    email: str | None = None,
) -> UserPublic:
    """Create a user (without roles); ValidationFailed lists every problem."""
    authorize(ctx, Action.user_manage)
    login = normalise_login(login)
    problems: list[Problem] = []
    if not LOGIN_PATTERN.match(login):
        problems.append(
            Problem(
                "login",
                "use 2-100 lower-case letters, digits and . _ @ -",
                "영문 소문자, 숫자, . _ @ - 로 2~100자를 사용하십시오",
            )
        )
    if not name.strip():
        problems.append(Problem("name", "a name is required", "이름을 입력하십시오"))
    if password is not None:
        problems.extend(password_problems(password))
    with ctx.transaction() as s:
        if s.scalars(select(User.id).where(User.login == login)).first() is not None:
            problems.append(
                Problem(
                    "login",
                    f"user {login!r} already exists",
                    f"사용자 {login!r}이(가) 이미 있습니다",
                )
            )
        if problems:
            raise ValidationFailed(problems)
        now = ctx.now()
        user = User(
            login=login,
            name=name.strip(),
            email=(email or "").strip() or None,
            password_hash=hash_password(password) if password is not None else None,
            active=True,
            created_at=now,
            updated_at=now,
        )
        s.add(user)
        s.flush()
        ctx.audit(
            s,
            action="user.add",
            entity="user",
            entity_key=f"user/{login}",
            new={"name": user.name, "email": user.email, "has_password": password is not None},
        )
        return _public(s, user)


def set_password(ctx: ServiceContext, *, login: str, password: str) -> None:
    """Replace a user's password (administrators); the audit records that, not the password."""
    authorize(ctx, Action.user_manage)
    problems = password_problems(password)
    if problems:
        raise ValidationFailed(problems)
    with ctx.transaction() as s:
        user = load_user(s, login)
        user.password_hash = hash_password(password)
        user.updated_at = ctx.now()
        ctx.audit(s, action="user.password", entity="user", entity_key=f"user/{user.login}")


def set_active(ctx: ServiceContext, *, login: str, active: bool) -> UserPublic:
    """Enable or disable a user; a disabled user cannot log in or use tokens."""
    authorize(ctx, Action.user_manage)
    with ctx.transaction() as s:
        user = load_user(s, login)
        if user.active != active:
            user.active = active
            user.updated_at = ctx.now()
            ctx.audit(
                s,
                action="user.active",
                entity="user",
                entity_key=f"user/{user.login}",
                old={"active": not active},
                new={"active": active},
            )
        return _public(s, user)


def get_user(ctx: ServiceContext, *, login: str) -> UserPublic:
    authorize(ctx, Action.user_manage)
    with ctx.db.read() as s:
        return _public(s, load_user(s, login))


def list_users(ctx: ServiceContext) -> list[UserPublic]:
    """Every user with their grants, by login."""
    authorize(ctx, Action.user_manage)
    with ctx.db.read() as s:
        return [_public(s, u) for u in s.scalars(select(User).order_by(User.login))]


def _scope(
    s: Session, role: Role, city: str | None, cycle_id: int | None
) -> tuple[int | None, int | None]:
    """(city_id, cycle_id) of a grant, checked against what the role needs."""
    problems: list[Problem] = []
    city_id: int | None = None
    if cycle_id is not None:
        cycle, _ = load_cycle(s, cycle_id)
        city_id = cycle.city_id
    if city is not None:
        c = load_city(s, city)
        if city_id is not None and city_id != c.id:
            problems.append(
                Problem(
                    "cycle",
                    f"cycle {cycle_id} is not a cycle of {c.slug}",
                    f"보고 주기 {cycle_id}은(는) {c.slug}의 보고 주기가 아닙니다",
                )
            )
        city_id = c.id
    if role in CITY_ROLES and city_id is None:
        problems.append(
            Problem(
                "city",
                f"{role.value} needs --city",
                f"{ROLE_LABELS[role][1]} 역할에는 도시를 지정해야 합니다",
            )
        )
    if role is Role.verifier and cycle_id is None:
        problems.append(
            Problem(
                "cycle",
                "a verifier is assigned to a cycle: give --cycle",
                "검증자는 보고 주기에 배정됩니다. 보고 주기를 지정하십시오",
            )
        )
    if role is Role.administrator and (city is not None or cycle_id is not None):
        problems.append(
            Problem(
                "role",
                "administrator is not limited to a city or cycle",
                "관리자 역할은 도시나 보고 주기로 제한하지 않습니다",
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return city_id, cycle_id


def grant_role(
    ctx: ServiceContext,
    *,
    login: str,
    role: Role,
    city: str | None = None,
    cycle_id: int | None = None,
) -> UserPublic:
    """Give a user a role in a scope (idempotent: an existing grant is kept as is)."""
    authorize(ctx, Action.user_manage)
    role = Role(role)
    with ctx.transaction() as s:
        user = load_user(s, login)
        city_id, cycle_id = _scope(s, role, city, cycle_id)
        existing = s.scalars(
            select(RoleGrant).where(
                RoleGrant.user_id == user.id,
                RoleGrant.role == role.value,
                RoleGrant.city_id.is_(None) if city_id is None else RoleGrant.city_id == city_id,
                RoleGrant.cycle_id.is_(None)
                if cycle_id is None
                else RoleGrant.cycle_id == cycle_id,
            )
        ).first()
        if existing is None:
            s.add(
                RoleGrant(
                    user_id=user.id,
                    role=role.value,
                    city_id=city_id,
                    cycle_id=cycle_id,
                    granted_by=ctx.actor,
                    granted_at=ctx.now(),
                )
            )
            s.flush()
            ctx.audit(
                s,
                action="user.grant",
                entity="role_grant",
                entity_key=f"user/{user.login}",
                new={"role": role.value, "city": city, "cycle_id": cycle_id},
            )
        return _public(s, user)


def revoke_role(
    ctx: ServiceContext,
    *,
    login: str,
    role: Role,
    city: str | None = None,
    cycle_id: int | None = None,
) -> UserPublic:
    """Take a role away; without city/cycle every grant of that role goes. NotFound if none."""
    authorize(ctx, Action.user_manage)
    role = Role(role)
    with ctx.transaction() as s:
        user = load_user(s, login)
        q = select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.role == role.value)
        if city is not None:
            q = q.where(RoleGrant.city_id == load_city(s, city).id)
        if cycle_id is not None:
            q = q.where(RoleGrant.cycle_id == cycle_id)
        rows = s.scalars(q).all()
        if not rows:
            raise NotFoundError(
                f"{user.login} has no such {role.value} grant",
                f"{user.login}에게 해당 {ROLE_LABELS[role][1]} 권한이 없습니다",
            )
        for row in rows:
            s.delete(row)
        s.flush()
        ctx.audit(
            s,
            action="user.revoke",
            entity="role_grant",
            entity_key=f"user/{user.login}",
            old={"role": role.value, "city": city, "cycle_id": cycle_id, "grants": len(rows)},
        )
        return _public(s, user)
