"""Use cases for certificates: issue (for a verified cycle or a maturity assessment), show,
revoke, and the public verification view.

Issuing a cycle certificate moves the cycle to `certified` in the same transaction, freezes a
snapshot of the verified values with its SHA-256, and numbers the certificate
`CC-<issue year>-<CITY>-<standard>-<nnnn>`. Only administrators issue and revoke (the policy of
`workflow.certify`). Anyone may show or verify a certificate: certificates are public.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.authz import Action, Target
from citycert.domain.certification import streak
from citycert.domain.maturity import score
from citycert.domain.workflow import STATE_KO, State
from citycert.io.reports.documents import CertificateDoc
from citycert.services import workflow
from citycert.services.certificate_snapshot import (
    assessment_snapshot,
    cycle_snapshot,
    frozen,
    snapshot_hash,
    streak_text,
    summary_of,
    validity,
)
from citycert.services.certification import evaluate
from citycert.services.cities import load_city
from citycert.services.context import (
    NotFoundError,
    Problem,
    ServiceContext,
    ServiceError,
    ValidationFailed,
)
from citycert.services.cycles import load_cycle
from citycert.services.maturity import item_levels, load_assessment
from citycert.services.principal import authorize, authorize_cycle
from citycert.settings import get_settings
from citycert.standards.catalog import get_catalog
from citycert.standards.certificate_terms import family_of, get_terms
from citycert.standards.maturity import get_maturity_model
from citycert.standards.models import Text
from citycert.store.audit_log import lock_chain
from citycert.store.models import City, CycleState
from citycert.store.models_cert import Certificate


class CertificateRefused(ServiceError):
    """A certificate cannot be issued or revoked in the present state; nothing was changed."""


class Status(StrEnum):
    valid = "valid"
    expired = "expired"
    revoked = "revoked"
    tampered = "tampered"  # the stored snapshot no longer matches its hash


class CertificatePublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    public_id: str
    city_slug: str
    cycle_id: int | None
    assessment_id: int | None
    standard: str
    family: str
    rules: str
    rules_version: str
    data_year: int
    level: str
    level_name: Text
    streak: int
    issued_on: date
    valid_until: date
    surveillance_due: list[date]
    snapshot_sha256: str
    issued_by: str
    issued_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    revoked_reason: str | None
    snapshot: dict[str, Any] | None = None


class CertificateVerification(BaseModel):
    """What the public verification page shows; the printed certificate shows the same."""

    model_config = ConfigDict(frozen=True)

    public_id: str
    status: Status
    status_text: Text
    hash_ok: bool
    city: Text
    city_slug: str
    country: str
    standard_code: str
    standard_title: Text
    family: str
    data_year: int
    level: str
    level_name: Text
    summary: Text | None
    streak: int
    streak_text: Text | None
    issued_on: date
    valid_until: date
    surveillance_due: list[date]
    snapshot_sha256: str
    issued_by: str
    revoked_on: date | None
    revoked_reason: str | None
    verify_url: str


def verify_url(public_id: str) -> str:
    """The public verification address printed on the certificate and in its QR code."""
    return f"{get_settings().base_url}/certificates/{public_id}"


def _public(row: Certificate, slug: str, *, with_snapshot: bool = False) -> CertificatePublic:
    return CertificatePublic(
        public_id=row.public_id,
        city_slug=slug,
        cycle_id=row.cycle_id,
        assessment_id=row.assessment_id,
        standard=row.standard,
        family=row.family,
        rules=row.rules,
        rules_version=row.rules_version,
        data_year=row.data_year,
        level=row.level,
        level_name=Text(en=row.level_en, ko=row.level_ko),
        streak=row.streak,
        issued_on=row.issued_on,
        valid_until=row.valid_until,
        surveillance_due=[date.fromisoformat(d) for d in row.surveillance_due],
        snapshot_sha256=row.snapshot_sha256,
        issued_by=row.issued_by,
        issued_at=row.issued_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
        revoked_reason=row.revoked_reason,
        snapshot=row.snapshot if with_snapshot else None,
    )


def _next_public_id(s: Session, year: int, slug: str, family: str) -> str:
    """The next free number for this year, city and standard (callers hold the chain lock)."""
    prefix = f"CC-{year}-{slug.upper()}-{family.removeprefix('iso')}-"
    taken = s.scalars(
        select(Certificate.public_id).where(Certificate.public_id.like(f"{prefix}%"))
    ).all()
    numbers = [int(p[len(prefix) :]) for p in taken if p[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _streak(s: Session, city_id: int, family: str, year: int, level: str) -> int:
    """Consecutive data years up to `year` at `level` among the city's live certificates."""
    rows = s.execute(
        select(Certificate.data_year, Certificate.level)
        .where(
            Certificate.city_id == city_id,
            Certificate.family == family,
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.issued_at, Certificate.id)
    ).all()
    by_year = {y: lv for y, lv in rows}  # the latest certificate of a year speaks for it
    by_year[year] = level
    return streak(by_year.items(), year)


def _audit_issue(ctx: ServiceContext, s: Session, row: Certificate, slug: str) -> None:
    ctx.audit(
        s,
        action="certificate.issue",
        entity="certificate",
        entity_key=f"{slug}/certificates/{row.public_id}",
        new={
            "public_id": row.public_id,
            "standard": row.standard,
            "data_year": row.data_year,
            "level": row.level,
            "valid_until": row.valid_until.isoformat(),
            "snapshot_sha256": row.snapshot_sha256,
        },
    )


def issue(ctx: ServiceContext, *, cycle_id: int) -> CertificatePublic:
    """Certify a verified cycle: freeze its snapshot, number the certificate, mark it certified."""
    with ctx.transaction() as s:
        lock_chain(s)  # serialises numbering on PostgreSQL (SQLite writers queue anyway)
        cycle, slug = load_cycle(s, cycle_id)
        authorize_cycle(ctx, Action.workflow_certify, cycle)
        if cycle.state != CycleState.verified.value:
            state = State(cycle.state)
            raise CertificateRefused(
                f"only a verified cycle can be certified; cycle {cycle_id} is {state.value}",
                f"검증 완료된 보고 주기만 인증할 수 있습니다. 보고 주기 {cycle_id}의 상태: "
                f"'{STATE_KO[state]}'",
            )
        result = evaluate(s, cycle, slug)
        level = result.outcome.level
        if level is None:
            raise CertificateRefused(
                "no certification level is reached: "
                + "; ".join(r.en for r in result.outcome.reasons),
                "도달한 인증 등급이 없습니다: " + "; ".join(r.ko for r in result.outcome.reasons),
            )
        city = s.get_one(City, cycle.city_id)
        catalog = get_catalog(cycle.catalog)
        terms = get_terms(cycle.catalog)
        today = ctx.now().date()
        until, due = validity(today, terms.validity_years, terms.surveillance_years)
        public_id = _next_public_id(s, today.year, slug, terms.family)
        snapshot, digest = frozen(
            cycle_snapshot(
                s,
                public_id=public_id,
                city=city,
                cycle=cycle,
                catalog=catalog,
                rules=result.rules,
                outcome=result.outcome,
                verified=result.verified,
                basis=result.basis.value,
                issued_on=today,
                valid_until=until,
                issued_by=ctx.actor,
            )
        )
        workflow.mark_certified(ctx.joined(s), cycle_id=cycle.id, reason=f"certificate {public_id}")
        row = Certificate(
            public_id=public_id,
            city_id=city.id,
            cycle_id=cycle.id,
            assessment_id=None,
            standard=catalog.key,
            family=terms.family,
            rules=result.rules.rules,
            rules_version=result.rules.version,
            data_year=cycle.year,
            level=level.id,
            level_en=level.name.en,
            level_ko=level.name.ko,
            streak=_streak(s, city.id, terms.family, cycle.year, level.id),
            issued_on=today,
            valid_until=until,
            surveillance_due=[d.isoformat() for d in due],
            snapshot=snapshot,
            snapshot_sha256=digest,
            issued_by=ctx.actor,
            issued_at=ctx.now(),
        )
        s.add(row)
        s.flush()
        _audit_issue(ctx, s, row, slug)
        return _public(row, slug, with_snapshot=True)


def issue_for_assessment(ctx: ServiceContext, *, assessment_id: int) -> CertificatePublic:
    """Certify an ISO 37106 maturity assessment whose every item meets the model's gate."""
    with ctx.transaction() as s:
        lock_chain(s)
        assessment, city = load_assessment(s, assessment_id)
        authorize(ctx, Action.workflow_certify, Target(city_id=city.id))
        existing = s.scalars(
            select(Certificate.public_id).where(
                Certificate.assessment_id == assessment.id, Certificate.revoked_at.is_(None)
            )
        ).first()
        if existing is not None:
            raise CertificateRefused(
                f"assessment {assessment_id} already has certificate {existing}",
                f"평가 {assessment_id}에는 이미 인증서 {existing}이(가) 발급되어 있습니다",
            )
        model = get_maturity_model(assessment.model)
        levels = item_levels(s, assessment.id)
        result = score(model, levels)
        if result.level is None:
            gate = model.scoring.gate_min_item
            listed = ", ".join(f"{b.item} ({b.level})" for b in result.blockers)
            raise CertificateRefused(
                f"not certifiable: every item must be at level {gate} or above; below: {listed}",
                f"인증할 수 없습니다. 모든 항목이 {gate}수준 이상이어야 합니다. 미달: {listed}",
            )
        family = family_of(model.standard)
        today = ctx.now().date()
        until, due = validity(today, model.scoring.validity_years, model.scoring.surveillance_years)
        public_id = _next_public_id(s, today.year, city.slug, family)
        snapshot, digest = frozen(
            assessment_snapshot(
                public_id=public_id,
                city=city,
                assessed_on=assessment.assessed_on,
                assessor=assessment.assessor,
                model_key=assessment.model,
                model=model,
                result=result,
                levels=levels,
                issued_on=today,
                valid_until=until,
                issued_by=ctx.actor,
            )
        )
        name = snapshot["level"]
        row = Certificate(
            public_id=public_id,
            city_id=city.id,
            cycle_id=None,
            assessment_id=assessment.id,
            standard=family,
            family=family,
            rules=model.model,
            rules_version=model.version,
            data_year=assessment.assessed_on.year,
            level=str(result.level),
            level_en=name["en"],
            level_ko=name["ko"],
            streak=_streak(s, city.id, family, assessment.assessed_on.year, str(result.level)),
            issued_on=today,
            valid_until=until,
            surveillance_due=[d.isoformat() for d in due],
            snapshot=snapshot,
            snapshot_sha256=digest,
            issued_by=ctx.actor,
            issued_at=ctx.now(),
        )
        s.add(row)
        s.flush()
        _audit_issue(ctx, s, row, city.slug)
        return _public(row, city.slug, with_snapshot=True)


def _load(s: Session, public_id: str) -> tuple[Certificate, City]:
    row = s.execute(
        select(Certificate, City)
        .join(City, City.id == Certificate.city_id)
        .where(Certificate.public_id == public_id.strip().upper())
    ).first()
    if row is None:
        raise NotFoundError(
            f"no certificate {public_id!r}", f"인증서 {public_id!r}을(를) 찾을 수 없습니다"
        )
    return row[0], row[1]


def show(ctx: ServiceContext, *, public_id: str) -> CertificatePublic:
    """The certificate with its frozen snapshot; NotFoundError when there is none."""
    with ctx.db.read() as s:
        row, city = _load(s, public_id)
        return _public(row, city.slug, with_snapshot=True)


def list_certificates(ctx: ServiceContext, *, city: str | None = None) -> list[CertificatePublic]:
    """Certificates (without snapshots), newest first, optionally of one city."""
    q = select(Certificate, City.slug).join(City, City.id == Certificate.city_id)
    with ctx.db.read() as s:
        if city is not None:
            q = q.where(Certificate.city_id == load_city(s, city).id)
        rows = s.execute(q.order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()
        return [_public(row, slug) for row, slug in rows]


def revoke(ctx: ServiceContext, *, public_id: str, reason: str) -> CertificatePublic:
    """Withdraw a certificate for the given reason; it then verifies as revoked."""
    if not reason.strip():
        raise ValidationFailed(
            [Problem("reason", "a revocation needs a reason", "인증 취소 사유를 입력해야 합니다")]
        )
    with ctx.transaction() as s:
        row, city = _load(s, public_id)
        authorize(ctx, Action.workflow_certify, Target(city_id=city.id))
        if row.revoked_at is not None:
            raise CertificateRefused(
                f"{row.public_id} was already revoked on {row.revoked_at.date().isoformat()}",
                f"{row.public_id}은(는) {row.revoked_at.date().isoformat()}에 이미 취소되었습니다",
            )
        row.revoked_at = ctx.now()
        row.revoked_by = ctx.actor
        row.revoked_reason = reason.strip()
        s.flush()
        ctx.audit(
            s,
            action="certificate.revoke",
            entity="certificate",
            entity_key=f"{city.slug}/certificates/{row.public_id}",
            old={"revoked": False},
            new={"revoked": True, "level": row.level},
            reason=row.revoked_reason,
        )
        return _public(row, city.slug)


def _status(row: Certificate, hash_ok: bool, today: date) -> tuple[Status, Text]:
    if row.revoked_at is not None:
        day = row.revoked_at.date().isoformat()
        return Status.revoked, Text(
            en=f"Revoked on {day}: {row.revoked_reason}",
            ko=f"{day}에 취소된 인증서입니다: {row.revoked_reason}",
        )
    if not hash_ok:
        return Status.tampered, Text(
            en="Record altered: the stored snapshot no longer matches its hash",
            ko="기록 변조 의심: 저장된 스냅숏이 해시와 일치하지 않습니다",
        )
    if today > row.valid_until:
        day = row.valid_until.isoformat()
        return Status.expired, Text(en=f"Expired on {day}", ko=f"{day}에 유효기간이 끝났습니다")
    return Status.valid, Text(
        en=f"Valid until {row.valid_until.isoformat()}",
        ko=f"{row.valid_until.isoformat()}까지 유효합니다",
    )


def verify(ctx: ServiceContext, *, public_id: str) -> CertificateVerification:
    """The public view of a certificate, with its hash recomputed from the stored snapshot."""
    with ctx.db.read() as s:
        row, city = _load(s, public_id)
        hash_ok = snapshot_hash(row.snapshot) == row.snapshot_sha256
        status, status_text = _status(row, hash_ok, ctx.now().date())
        standard = row.snapshot.get("standard", {}) if isinstance(row.snapshot, dict) else {}
        title = standard.get("title") or {"en": row.standard, "ko": row.standard}
        level = Text(en=row.level_en, ko=row.level_ko)
        return CertificateVerification(
            public_id=row.public_id,
            status=status,
            status_text=status_text,
            hash_ok=hash_ok,
            city=Text(en=city.name_en, ko=city.name_ko),
            city_slug=city.slug,
            country=city.country,
            standard_code=str(standard.get("code") or row.standard),
            standard_title=Text(en=title["en"], ko=title["ko"]),
            family=row.family,
            data_year=row.data_year,
            level=row.level,
            level_name=level,
            summary=summary_of(row.snapshot) if hash_ok else None,
            streak=row.streak,
            streak_text=streak_text(row.streak, level),
            issued_on=row.issued_on,
            valid_until=row.valid_until,
            surveillance_due=[date.fromisoformat(d) for d in row.surveillance_due],
            snapshot_sha256=row.snapshot_sha256,
            issued_by=row.issued_by,
            revoked_on=row.revoked_at.date() if row.revoked_at else None,
            revoked_reason=row.revoked_reason,
            verify_url=verify_url(row.public_id),
        )


def document(view: CertificateVerification) -> CertificateDoc:
    """The printable certificate, built from the same data as the verification page."""
    return CertificateDoc(
        public_id=view.public_id,
        city=view.city,
        country=view.country,
        standard_code=view.standard_code,
        standard_title=view.standard_title,
        family=view.family,
        data_year=view.data_year,
        level_id=view.level,
        level=view.level_name,
        summary=view.summary,
        streak=view.streak,
        issued_on=view.issued_on,
        valid_until=view.valid_until,
        surveillance_due=tuple(view.surveillance_due),
        snapshot_sha256=view.snapshot_sha256,
        verify_url=view.verify_url,
        issued_by=view.issued_by,
        status=view.status.value,
        revoked_on=view.revoked_on,
        revoked_reason=view.revoked_reason,
        notes=tuple(n for n in (view.streak_text,) if n is not None),
    )
