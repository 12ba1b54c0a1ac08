"""Tables for people and their rights: users, role grants, login sessions, API tokens.

Secrets are never stored: passwords as argon2 hashes, session and API tokens as SHA-256 hashes
of high-entropy random strings (shown to their owner once). Sessions live in the database so
that several server processes sharing one PostgreSQL see the same logins.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citycert.store.models import Base


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(300))  # None = cannot log in
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RoleGrant(Base):
    """One role of one user, scoped to a city or a cycle (administrator: no scope)."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "city_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"))
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporting_cycle.id", ondelete="CASCADE")
    )
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime]


class AuthSession(Base):
    """A browser login; the cookie carries the token, the table only its hash."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiToken(Base):
    """A token for scripts and the API; `prefix` lets people tell their tokens apart."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
