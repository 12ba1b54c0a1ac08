"""What every use case receives (database, who acts, the clock) and the errors use cases raise.

Use cases take a `ServiceContext` first and keyword-only arguments after it; each runs in one
transaction (`ctx.transaction()`) and writes its audit entries in that same transaction.
Authorisation by role comes later: `principal` is reserved for it, `actor` names who acts now.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from citycert.store.audit_log import AuditEntry, append
from citycert.store.engine import Database

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def cli_actor() -> str:
    """The actor name for command-line use: `cli:<operating-system user>`."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in some containers
        user = "unknown"
    return f"cli:{user}"


@dataclass(frozen=True)
class ServiceContext:
    db: Database
    actor: str
    clock: Clock = utc_now
    # Reserved for the authorisation layer (roles, city scope); use cases ignore it for now.
    principal: Any = None
    # Set by `joined`: use cases then run inside this caller's transaction (see `joined`).
    session: Session | None = field(default=None, repr=False, compare=False)

    def now(self) -> datetime:
        """The current time from the context's clock, always timezone-aware UTC."""
        t = self.clock()
        if t.tzinfo is None:
            raise ValueError("the clock returned a naive datetime; use timezone-aware UTC")
        return t.astimezone(UTC)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any exception.

        In a `joined` context it is the caller's transaction, which commits or rolls back whole.
        """
        if self.session is not None:
            yield self.session
            return
        with self.db.transaction() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading: the joined transaction's (it sees its own uncommitted
        writes), else a fresh read-only session."""
        if self.session is not None:
            yield self.session
            return
        with self.db.read() as session:
            yield session

    def joined(self, session: Session) -> ServiceContext:
        """This context with every use case running inside `session`'s open transaction.

        For all-or-nothing batches (an import touching several cities and cycles): the caller
        opens `ctx.transaction()`, runs use cases with `ctx.joined(session)`, and an exception
        anywhere rolls back everything.
        """
        return replace(self, session=session)

    def audit(
        self,
        session: Session,
        *,
        action: str,
        entity: str,
        entity_key: str,
        old: Any = None,
        new: Any = None,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Append an audit entry by this actor in the caller's transaction."""
        return append(
            session,
            at=at or self.now(),
            actor=self.actor,
            action=action,
            entity=entity,
            entity_key=entity_key,
            old=old,
            new=new,
            reason=reason,
        )


class ServiceError(Exception):
    """A use case refused a request; carries an English and a Korean message."""

    def __init__(self, en: str, ko: str) -> None:
        self.message_en = en
        self.message_ko = ko
        super().__init__(en)

    def message(self, lang: str = "en") -> str:
        return self.message_ko if lang == "ko" else self.message_en


class NotFoundError(ServiceError):
    """The city, cycle or file asked for does not exist."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: where (`5.1/labour_force`, `country`) and what, in en/ko."""

    where: str
    en: str
    ko: str

    def __str__(self) -> str:
        return f"{self.where}: {self.en}"


class ValidationFailed(ServiceError):
    """The request has problems; lists every one of them, and nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s), nothing was saved: "
            + "; ".join(str(p) for p in problems),
            f"{len(problems)}건의 문제가 있어 저장하지 않았습니다: "
            + "; ".join(f"{p.where}: {p.ko}" for p in problems),
        )


@dataclass(frozen=True)
class Conflict:
    """Someone changed a record after you read it: their version and value against yours."""

    entity_key: str
    expected_version: int | None
    current_version: int | None
    changed_by: str | None
    changed_at: datetime | None
    theirs: Any
    yours: Any

    def describe(self, lang: str = "en") -> str:
        when = self.changed_at.isoformat(timespec="seconds") if self.changed_at else "?"
        if lang == "ko":
            return (
                f"{self.entity_key}: {self.changed_by or '다른 사용자'}이(가) {when}에 "
                f"{self.theirs!r}(으)로 변경했습니다 (입력하신 값: {self.yours!r}, 불러온 "
                f"버전 {self.expected_version}, 현재 버전 {self.current_version})"
            )
        return (
            f"{self.entity_key}: changed by {self.changed_by or 'someone else'} at {when} to "
            f"{self.theirs!r} (yours: {self.yours!r}; you loaded version "
            f"{self.expected_version}, it is now version {self.current_version})"
        )


class ConflictError(ServiceError):
    """A record changed since it was read; nothing of the request was applied."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__(
            "changed by someone else since you loaded it, nothing was saved: "
            + "; ".join(c.describe("en") for c in conflicts),
            "불러온 뒤 다른 사용자가 변경하여 저장하지 않았습니다: "
            + "; ".join(c.describe("ko") for c in conflicts),
        )


@dataclass(frozen=True)
class Summary:
    """What a write did, by count; `details` lists entity keys per outcome."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    recomputed: int = 0
    skipped: int = 0
    details: dict[str, list[str]] = field(default_factory=dict, compare=False)
