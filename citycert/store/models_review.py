"""Tables of the verification workflow: finding notes, indicator decisions, query threads.

A finding note is the city's answer to one validation finding (indicator, rule): its written
justification, owner, due date and status. An indicator review is the verifier's decision on
one indicator of a cycle. A review query is a question thread on one indicator.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citycert.store.models import Base, BigId


class FindingNote(Base):
    """Tracking of one validation finding: justification (warnings), owner, status, due date."""

    __tablename__ = "finding_note"
    __table_args__ = (UniqueConstraint("cycle_id", "indicator", "rule"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycle.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(10))
    message_en: Mapped[str] = mapped_column(Text)
    message_ko: Mapped[str] = mapped_column(Text)
    justification: Mapped[str | None] = mapped_column(Text)
    justified_by: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))  # open / answered / resolved
    owner: Mapped[str | None] = mapped_column(String(100))  # a user login
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class IndicatorReview(Base):
    """The verifier's decision on one indicator of a cycle (pending until decided)."""

    __tablename__ = "indicator_review"
    __table_args__ = (UniqueConstraint("cycle_id", "indicator"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycle.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(12))  # pending / accepted / query / rejected
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class ReviewQuery(Base):
    """A verifier's question thread on one indicator; the city answers in the thread."""

    __tablename__ = "review_query"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_cycle.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))  # open / answered / resolved
    owner: Mapped[str | None] = mapped_column(String(100))  # a user login
    due_date: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class QueryMessage(Base):
    """One message in a query thread (the question, answers, follow-ups)."""

    __tablename__ = "query_message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    query_id: Mapped[int] = mapped_column(
        ForeignKey("review_query.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))  # question / answer / note
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
