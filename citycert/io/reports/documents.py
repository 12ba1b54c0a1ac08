"""What a report shows, as plain frozen data: services build these, the renderers draw them.

Every user-facing text is a `Text` (English and Korean); renderers pick or combine the languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from citycert.standards.models import Text


@dataclass(frozen=True)
class CertificateDoc:
    """One certificate as printed and as shown on its public verification page."""

    public_id: str
    city: Text
    country: str
    standard_code: str  # e.g. ISO 37120:2018
    standard_title: Text
    family: str  # iso37120 ... iso37106; picks the badge style
    data_year: int
    level_id: str
    level: Text
    summary: Text | None  # e.g. 88 of 104 indicators verified
    streak: int
    issued_on: date
    valid_until: date
    surveillance_due: tuple[date, ...]
    snapshot_sha256: str
    verify_url: str
    issued_by: str
    status: str  # valid / expired / revoked / tampered
    revoked_on: date | None = None
    revoked_reason: str | None = None
    notes: tuple[Text, ...] = ()


@dataclass(frozen=True)
class ValueRow:
    """One indicator in the city report, with its values over the years shown."""

    number: str
    name: Text
    type: str  # core / supporting / profile
    unit: str
    value: float | None
    status: str  # calculation status, `ok` when a value was computed cleanly
    verified: bool
    trend: tuple[tuple[int, float | None], ...]  # (data year, value), oldest first


@dataclass(frozen=True)
class ThemeSection:
    number: int
    name: Text
    verified: int
    total: int
    rows: tuple[ValueRow, ...]


@dataclass(frozen=True)
class GapRow:
    number: str
    name: Text
    type: str
    collected: int
    total: int
    core_required: bool


@dataclass(frozen=True)
class CityReportDoc:
    """A city's standing under one standard for one data year: level, gap, values and trends."""

    city: Text
    country: str
    population: int | None
    standard_code: str
    standard_title: Text
    year: int
    cycle_state: Text
    basis: Text  # how the verified indicators were determined
    level_id: str | None
    level: Text | None
    next_level: Text | None
    missing_for_next: int
    verified_count: int
    counted_total: int
    core_verified: int
    core_total: int
    reasons: tuple[Text, ...]
    gap: tuple[GapRow, ...]
    gap_reachable: bool
    themes: tuple[ThemeSection, ...]
    years: tuple[int, ...]  # data years in the trends, oldest first
    portal_url: str
    generated_at: datetime
    certificate_id: str | None = None
    notes: tuple[Text, ...] = field(default=())


@dataclass(frozen=True)
class AreaScore:
    code: str
    name: Text
    mean: float
    previous: float | None


@dataclass(frozen=True)
class ItemScore:
    id: str
    area: str
    name: Text
    level: int
    previous: int | None
    evidence: str | None
    notes: str | None


@dataclass(frozen=True)
class PlanRow:
    item: str
    name: Text
    from_level: int
    to_level: int


@dataclass(frozen=True)
class MaturityReportDoc:
    """One ISO 37106 maturity assessment: the award, area and item levels, the next steps."""

    assessment_id: int
    city: Text
    assessed_on: date
    assessor: str
    model_label: Text
    model_version: str
    level: int | None
    indicative_level: int
    mean: float
    eligible: bool
    target_level: int | None
    level_names: dict[int, Text]
    lowest: int
    highest: int
    gate: int
    areas: tuple[AreaScore, ...]
    items: tuple[ItemScore, ...]
    plan: tuple[PlanRow, ...]
    notes: tuple[Text, ...]
    previous_assessed_on: date | None
    generated_at: datetime
    remarks: str | None = None
