"""Tables for certification results: issued certificates and ISO 37106 maturity assessments.

A certificate freezes what it certifies: a JSON snapshot of the verified values (or of the
assessed item levels) and the SHA-256 of that snapshot's canonical JSON, so a later change to the
figures, or to the stored snapshot itself, is detectable. Certificates are never deleted; a
withdrawn one keeps its row with `revoked_at` and the reason.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Double, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citycert.store.models import Base, BigId


class Certificate(Base):
    """One issued certificate: for a verified reporting cycle or for a maturity assessment."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Printed on the certificate and in its verification address: CC-2024-DAEGU-37120-0001.
    public_id: Mapped[str] = mapped_column(String(80), unique=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="RESTRICT"), index=True)
    # Exactly one of the two is set: indicator certificates come from a cycle, ISO 37106 ones
    # from a maturity assessment.
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporting_cycle.id", ondelete="RESTRICT"), index=True
    )
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("maturity_assessment.id", ondelete="RESTRICT"), index=True
    )
    standard: Mapped[str] = mapped_column(String(40))  # catalogue key or maturity model
    family: Mapped[str] = mapped_column(String(20))  # iso37120, iso37122, iso37123, iso37106
    rules: Mapped[str] = mapped_column(String(80))  # level rules or maturity model id
    rules_version: Mapped[str] = mapped_column(String(40))
    data_year: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(40))  # level id (`gold`) or maturity level (`4`)
    level_en: Mapped[str] = mapped_column(String(100))
    level_ko: Mapped[str] = mapped_column(String(100))
    # Consecutive data years at this level for this city and standard family, this one included.
    streak: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    surveillance_due: Mapped[list[str]] = mapped_column(JSON)  # ISO dates
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    revoked_reason: Mapped[str | None] = mapped_column(Text)


class MaturityAssessment(Base):
    """One ISO 37106 maturity assessment of a city: who assessed, when, under which model."""

    __tablename__ = "maturity_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    model: Mapped[str] = mapped_column(String(80))
    model_version: Mapped[str] = mapped_column(String(40))
    assessor: Mapped[str] = mapped_column(String(200))
    # The awarded level by the model's rules (None: an item is below the gate) and the mean.
    current_level: Mapped[int | None] = mapped_column(Integer)
    mean: Mapped[float] = mapped_column(Double)
    target_level: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]


class MaturityItem(Base):
    """The level given to one assessed item, with the evidence seen and the assessor's notes."""

    __tablename__ = "maturity_item"
    __table_args__ = (UniqueConstraint("assessment_id", "item"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("maturity_assessment.id", ondelete="CASCADE")
    )
    item: Mapped[str] = mapped_column(String(10))  # model item id, e.g. A01
    level: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
