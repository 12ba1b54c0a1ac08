"""Database tables as typed SQLAlchemy 2 models.

Kept small and normalised: a city has reporting cycles (one per catalogue and data year); a cycle
holds the raw input values a city reports and the indicator values computed from them. Evidence
files live in the database itself (content-addressed), so several app servers can share one
PostgreSQL. The audit log is append-only and hash-chained (see `citycert.store.audit_log`).
Schema changes go through Alembic migrations in `citycert/store/migrations/`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite stores them as naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: CityCert stores timezone-aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Big integers on PostgreSQL; plain INTEGER on SQLite (its only auto-incrementing type).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class CycleState(StrEnum):
    """Where a reporting cycle is in certification; the workflow rules live in the services."""

    draft = "draft"
    submitted = "submitted"
    in_verification = "in_verification"
    verified = "verified"
    returned = "returned"
    certified = "certified"


class QualityGrade(StrEnum):
    """Data quality of a reported figure: A best (official, audited) to D worst (estimate)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class City(Base):
    __tablename__ = "city"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2, upper case
    region: Mapped[str | None] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(BigInteger)
    land_area_km2: Mapped[float | None] = mapped_column(Double)
    climate_zone: Mapped[str | None] = mapped_column(String(4))  # Köppen, e.g. Cfa
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    gdp_per_capita_usd: Mapped[float | None] = mapped_column(Double)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)  # illustrative data
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ReportingCycle(Base):
    __tablename__ = "reporting_cycle"
    __table_args__ = (UniqueConstraint("city_id", "catalog", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"))
    catalog: Mapped[str] = mapped_column(String(40))  # e.g. iso37120-2018
    catalog_version: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)  # the data year
    state: Mapped[str] = mapped_column(String(20), default=CycleState.draft.value)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class InputValue(Base):
    """One raw figure; `value` None = reported as not available; `unit` is the catalogue's."""

    __tablename__ = "input_value"
    __table_args__ = (UniqueConstraint("cycle_id", "indicator", "input"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycle.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(20))
    input: Mapped[str] = mapped_column(String(80))
    value: Mapped[float | None] = mapped_column(Double)
    unit: Mapped[str] = mapped_column(String(60))
    original_value: Mapped[float | None] = mapped_column(Double)
    original_unit: Mapped[str | None] = mapped_column(String(60))
    source: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    quality_grade: Mapped[str | None] = mapped_column(String(1))
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    # Checked by services with `UPDATE ... WHERE version = :seen` (optimistic concurrency).
    version: Mapped[int] = mapped_column(Integer, default=1)


class IndicatorValue(Base):
    """A computed indicator value with its calculation status, messages and provenance."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("cycle_id", "indicator"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycle.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(20))
    value: Mapped[float | None] = mapped_column(Double)
    unit: Mapped[str] = mapped_column(String(200))  # the catalogue's display unit, free text
    status: Mapped[str] = mapped_column(String(30))
    messages: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    computed_at: Mapped[datetime]


class EvidenceBlob(Base):
    """File content, stored once per distinct content (primary key = SHA-256 of the bytes)."""

    __tablename__ = "evidence_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class EvidenceLink(Base):
    """An uploaded file attached to an indicator (or one of its inputs) in a cycle."""

    __tablename__ = "evidence_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_cycle.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(String(20))
    input: Mapped[str | None] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blob.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime]


class AuditLog(Base):
    """Append-only, hash-chained record of every change; never updated or deleted."""

    __tablename__ = "audit_log"
    # Serves exact keys and prefix searches (`history`): PostgreSQL needs the pattern operator
    # class for LIKE 'prefix%' under a non-C collation.
    __table_args__ = (
        Index(
            "ix_audit_log_entity_key_prefix",
            "entity_key",
            postgresql_ops={"entity_key": "varchar_pattern_ops"},
        ),
    )

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))  # e.g. input.set, city.create
    entity: Mapped[str] = mapped_column(String(60))  # e.g. input_value, city
    entity_key: Mapped[str] = mapped_column(String(500))
    old: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    new: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
