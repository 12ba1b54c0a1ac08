"""Login throttling: too many failed sign-ins for one login or from one address are refused.

Failures are rows in the database (`login_attempt`), never process memory, so every server
process sharing one database counts the same attempts. Within `window`, `per_login` failures for
one login, or `per_address` failures from one client address (any login), refuse further tries
with TooManyAttempts until the oldest counted failure leaves the window; a refused try is not
counted and its password is not even checked. A successful sign-in clears the failures of that
login only: clearing the address too would let someone with an account of their own reset the
counter between guesses at other accounts. Logins and addresses are stored as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from citycert.services import auth
from citycert.services.context import ServiceContext, ServiceError
from citycert.store.models_throttle import LoginAttempt


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are allowed within `window`, per login and per client address."""

    per_login: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


DEFAULT_POLICY = ThrottlePolicy()


class TooManyAttempts(ServiceError):
    """Sign-in refused for now; `retry_after` is how many seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            f"too many failed sign-in attempts; try again in {minutes} minute(s)",
            f"로그인 실패가 너무 많습니다. {minutes}분 후에 다시 시도하십시오",
        )


def _hash(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\0{value}".encode()).hexdigest()


def login_key(login: str) -> str:
    """The stored form of a login as typed (case and surrounding spaces do not matter)."""
    return _hash("login", login.strip().lower())


def address_key(address: str | None) -> str:
    return _hash("address", (address or "unknown").strip().lower())


def _retry_after(
    s: Session, column: InstrumentedAttribute[str], key: str, limit: int, since: datetime
) -> int | None:
    """Seconds until fewer than `limit` failures remain after `since`; None when under it."""
    stamps = s.scalars(
        select(LoginAttempt.at)
        .where(column == key, LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc())
        .limit(limit)
    ).all()
    if len(stamps) < limit:
        return None
    # The limit-th most recent failure is the one that has to leave the window.
    return max(1, math.ceil((stamps[-1] - since).total_seconds()))


def check(
    ctx: ServiceContext, *, login: str, address: str | None, policy: ThrottlePolicy = DEFAULT_POLICY
) -> None:
    """Raise TooManyAttempts when `login` or `address` has used up its failures."""
    since = ctx.now() - policy.window
    with ctx.db.read() as s:
        waits = [
            _retry_after(s, LoginAttempt.login_hash, login_key(login), policy.per_login, since),
            _retry_after(
                s, LoginAttempt.address_hash, address_key(address), policy.per_address, since
            ),
        ]
    found = [w for w in waits if w is not None]
    if found:
        raise TooManyAttempts(max(found))


def record_failure(
    ctx: ServiceContext, *, login: str, address: str | None, policy: ThrottlePolicy = DEFAULT_POLICY
) -> None:
    """Count one failed sign-in (its own transaction) and forget failures past the window."""
    now = ctx.now()
    with ctx.transaction() as s:
        s.execute(delete(LoginAttempt).where(LoginAttempt.at <= now - policy.window))
        s.add(LoginAttempt(login_hash=login_key(login), address_hash=address_key(address), at=now))


def record_success(ctx: ServiceContext, *, login: str) -> None:
    """Clear the failures of `login` after it signed in."""
    with ctx.transaction() as s:
        s.execute(delete(LoginAttempt).where(LoginAttempt.login_hash == login_key(login)))


def failures(ctx: ServiceContext, *, login: str, policy: ThrottlePolicy = DEFAULT_POLICY) -> int:
    """How many failures of `login` count now (for administrators and tests)."""
    since = ctx.now() - policy.window
    with ctx.db.read() as s:
        n = s.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.login_hash == login_key(login), LoginAttempt.at > since)
        )
    return int(n or 0)


def throttled_login(
    ctx: ServiceContext,
    *,
    login: str,
    password: str,
    address: str | None,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> auth.NewSecret:
    """`auth.login` behind the throttle: TooManyAttempts, AuthenticationFailed or a session."""
    check(ctx, login=login, address=address, policy=policy)
    try:
        secret = auth.login(ctx, login=login, password=password)
    except auth.AuthenticationFailed:
        record_failure(ctx, login=login, address=address, policy=policy)
        raise
    record_success(ctx, login=login)
    return secret
