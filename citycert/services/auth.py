"""Authentication: argon2 passwords, login sessions and API tokens, all kept in the database.

Sessions live in the database (not in process memory) so every server process sharing one
PostgreSQL sees the same logins. Session and API tokens are 256-bit random strings; only their
SHA-256 is stored (a fast hash is right for random tokens; argon2 is for guessable passwords).
A new token is returned once and cannot be shown again. Nothing secret reaches the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.authz import Action
from citycert.services.context import NotFoundError, Problem, ServiceContext, ServiceError
from citycert.services.principal import Principal, authorize, grants_of, principal_of
from citycert.store.models_auth import ApiToken, AuthSession, User

SESSION_LIFETIME = timedelta(hours=12)
# last_seen_at is refreshed at most this often, so reads do not write on every request.
TOUCH_EVERY = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cct_"

_hasher = PasswordHasher()
# A real hash to verify against when the login is unknown, so both cases take as long.
_DUMMY_HASH = _hasher.hash("citycert-no-such-user")


class AuthenticationFailed(ServiceError):
    """Wrong login or password (deliberately not saying which)."""

    def __init__(self) -> None:
        super().__init__(
            "login or password is wrong, or the account is disabled",
            "아이디 또는 비밀번호가 틀렸거나 사용이 중지된 계정입니다",
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problems(password: str) -> list[Problem]:
    """Every reason `password` is not acceptable (length, blank)."""
    if len(password) < MIN_PASSWORD_LENGTH or not password.strip():
        return [
            Problem(
                "password",
                f"use at least {MIN_PASSWORD_LENGTH} characters",
                f"비밀번호는 {MIN_PASSWORD_LENGTH}자 이상이어야 합니다",
            )
        ]
    return []


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _verify(user: User | None, password: str) -> bool:
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    ok = False
    try:
        ok = bool(_hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and user.active and user.password_hash is not None


@dataclass(frozen=True)
class NewSecret:
    """A freshly made token: `token` is shown to its owner once and never stored."""

    token: str
    login: str
    expires_at: datetime | None


def login(ctx: ServiceContext, *, login: str, password: str) -> NewSecret:
    """Check the password and open a session; AuthenticationFailed otherwise."""
    with ctx.transaction() as s:
        user = s.scalars(select(User).where(User.login == login.strip().lower())).first()
        if not _verify(user, password):
            raise AuthenticationFailed()
        assert user is not None
        if _hasher.check_needs_rehash(user.password_hash or ""):
            user.password_hash = hash_password(password)
        now = ctx.now()
        token = _new_token()
        expires = now + SESSION_LIFETIME
        s.add(
            AuthSession(
                token_hash=token_hash(token),
                user_id=user.id,
                created_at=now,
                expires_at=expires,
                last_seen_at=now,
                revoked_at=None,
            )
        )
        s.flush()
        ctx.audit(s, action="auth.login", entity="user", entity_key=f"user/{user.login}")
        return NewSecret(token=token, login=user.login, expires_at=expires)


def _load_user(s: Session, login: str) -> User:
    user = s.scalars(select(User).where(User.login == login.strip().lower())).first()
    if user is None:
        raise NotFoundError(f"no user {login!r}", f"사용자 {login!r}이(가) 없습니다")
    return user


def _principal(s: Session, user: User) -> Principal:
    return Principal(user_id=user.id, login=user.login, grants=grants_of(s, user.id))


def session_principal(ctx: ServiceContext, token: str) -> Principal | None:
    """The principal of a live session token (any server process), or None."""
    with ctx.transaction() as s:
        row = s.execute(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_hash == token_hash(token))
        ).first()
        if row is None:
            return None
        sess, user = row
        now = ctx.now()
        if sess.revoked_at is not None or sess.expires_at <= now or not user.active:
            return None
        if now - sess.last_seen_at >= TOUCH_EVERY:
            sess.last_seen_at = now
        return _principal(s, user)


def logout(ctx: ServiceContext, *, token: str) -> bool:
    """End a session; True when a live session was ended."""
    with ctx.transaction() as s:
        sess = s.scalars(
            select(AuthSession).where(AuthSession.token_hash == token_hash(token))
        ).first()
        if sess is None or sess.revoked_at is not None:
            return False
        sess.revoked_at = ctx.now()
        user = s.get(User, sess.user_id)
        ctx.audit(
            s, action="auth.logout", entity="user", entity_key=f"user/{user.login if user else '?'}"
        )
        return True


def create_api_token(
    ctx: ServiceContext,
    *,
    login: str,
    label: str | None = None,
    lifetime: timedelta | None = None,
) -> NewSecret:
    """A new API token for `login` (administrators, or the user for themselves), shown once."""
    actor = principal_of(ctx)
    if actor.login != login.strip().lower() or actor.user_id is None:
        authorize(ctx, Action.user_manage)
    with ctx.transaction() as s:
        user = _load_user(s, login)
        now = ctx.now()
        token = _new_token()
        expires = now + lifetime if lifetime is not None else None
        s.add(
            ApiToken(
                token_hash=token_hash(token),
                prefix=token[: len(TOKEN_PREFIX) + 6],
                user_id=user.id,
                label=(label or "").strip() or None,
                created_at=now,
                expires_at=expires,
                last_used_at=None,
                revoked_at=None,
            )
        )
        s.flush()
        ctx.audit(
            s,
            action="user.token",
            entity="api_token",
            entity_key=f"user/{user.login}",
            new={
                "prefix": token[: len(TOKEN_PREFIX) + 6],
                "label": label,
                "expires_at": None if expires is None else expires.isoformat(),
            },
        )
        return NewSecret(token=token, login=user.login, expires_at=expires)


def token_principal(ctx: ServiceContext, token: str) -> Principal | None:
    """The principal of a live API token, or None."""
    with ctx.transaction() as s:
        row = s.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == token_hash(token))
        ).first()
        if row is None:
            return None
        tok, user = row
        now = ctx.now()
        expired = tok.expires_at is not None and tok.expires_at <= now
        if tok.revoked_at is not None or expired or not user.active:
            return None
        if tok.last_used_at is None or now - tok.last_used_at >= TOUCH_EVERY:
            tok.last_used_at = now
        return _principal(s, user)


def revoke_api_tokens(ctx: ServiceContext, *, login: str, prefix: str | None = None) -> int:
    """Revoke a user's live API tokens (those starting with `prefix`); returns how many."""
    actor = principal_of(ctx)
    if actor.login != login.strip().lower() or actor.user_id is None:
        authorize(ctx, Action.user_manage)
    with ctx.transaction() as s:
        user = _load_user(s, login)
        q = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        if prefix:
            q = q.where(ApiToken.prefix == prefix)
        rows = s.scalars(q).all()
        now = ctx.now()
        for tok in rows:
            tok.revoked_at = now
        if rows:
            ctx.audit(
                s,
                action="user.token_revoke",
                entity="api_token",
                entity_key=f"user/{user.login}",
                old={"prefixes": [t.prefix for t in rows]},
            )
        return len(rows)
