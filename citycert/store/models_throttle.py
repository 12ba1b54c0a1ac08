"""Failed sign-in attempts, kept in the database so every server process throttles alike.

Only SHA-256 hashes of the login typed and of the client address are stored: people sometimes
type a password into the login field, and addresses are personal data. Rows older than the
throttling window mean nothing and are deleted as new failures come in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citycert.store.models import Base


class LoginAttempt(Base):
    """One failed sign-in: which login (hashed), from which address (hashed), when."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_login_hash_at", "login_hash", "at"),
        Index("ix_login_attempt_address_hash_at", "address_hash", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login_hash: Mapped[str] = mapped_column(String(64))
    address_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
