"""Certificates: issue for a verified cycle, number, freeze and hash, streaks, revoke, verify."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select, update

from citycert.domain.authz import Role
from citycert.services import certificates, cycles, maturity, users
from citycert.services.certificate_snapshot import snapshot_hash
from citycert.services.certificates import CertificateRefused, Status
from citycert.services.context import NotFoundError, ServiceContext, ValidationFailed
from citycert.services.maturity import ItemEntry
from citycert.services.principal import PermissionDenied, public_context, user_context
from citycert.standards.maturity import get_maturity_model
from citycert.store.audit_log import history, verify_chain
from citycert.store.models import CycleState
from citycert.store.models_cert import Certificate
from tests.conftest import FrozenClock
from tests.support.certification_world import make_city, verified_cycle


@pytest.fixture
def admin(context_for: Callable[[str], ServiceContext]) -> ServiceContext:
    """The certification body's administrator (the operator: every right)."""
    ctx = context_for("admin@kcert")
    make_city(ctx)
    return ctx


def certificate_rows(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Certificate)) or 0)


def test_issuing_certifies_the_cycle_and_freezes_a_hashed_snapshot(admin: ServiceContext) -> None:
    cycle_id = verified_cycle(admin, year=2023, accept=88)

    cert = certificates.issue(admin, cycle_id=cycle_id)

    assert cert.public_id == "CC-2024-DAEGU-37120-0001"  # issued in 2024 (frozen clock)
    assert (cert.level, cert.level_name.en, cert.level_name.ko) == ("gold", "Gold", "골드")
    assert (cert.data_year, cert.standard, cert.family) == (2023, "iso37120-2018", "iso37120")
    assert cert.issued_on == date(2024, 3, 1)
    assert cert.valid_until == date(2025, 2, 28)  # one year, the last day included
    assert cert.surveillance_due == []
    assert cert.streak == 1
    assert cycles.get_cycle(admin, cycle_id=cycle_id).state is CycleState.certified
    assert cert.snapshot is not None
    assert cert.snapshot_sha256 == snapshot_hash(cert.snapshot)
    assert len(cert.snapshot["indicators"]) == 88
    assert cert.snapshot["counts"]["core_verified"] == cert.snapshot["counts"]["core_total"]
    first = cert.snapshot["indicators"][0]
    assert first["number"] == "5.1" and first["inputs"]  # values with their raw inputs
    with admin.db.read() as s:
        actions = [e.action for e in history(s, "daegu/")]
        assert verify_chain(s).ok
    assert actions[-2:] == ["workflow.certify", "certificate.issue"]


def test_consecutive_years_at_the_same_level_make_a_streak(admin: ServiceContext) -> None:
    first = certificates.issue(admin, cycle_id=verified_cycle(admin, year=2022, accept=88))
    second = certificates.issue(admin, cycle_id=verified_cycle(admin, year=2023, accept=89))

    assert first.streak == 1 and second.streak == 2
    assert second.public_id == "CC-2024-DAEGU-37120-0002"
    view = certificates.verify(admin, public_id=second.public_id)
    assert view.streak_text is not None
    assert view.streak_text.en == "2nd consecutive year at Gold"
    assert view.streak_text.ko == "2년 연속 골드"


def test_a_different_level_starts_the_streak_again(admin: ServiceContext) -> None:
    certificates.issue(admin, cycle_id=verified_cycle(admin, year=2022, accept=88))
    silver = certificates.issue(
        admin, cycle_id=verified_cycle(admin, year=2023, report=65, accept=65)
    )

    assert (silver.level, silver.streak) == ("silver", 1)
    assert certificates.verify(admin, public_id=silver.public_id).streak_text is None


@pytest.mark.parametrize(
    ("state", "expected_en"),
    [
        (CycleState.draft, "cycle 1 is draft"),
        (CycleState.in_verification, "cycle 1 is in_verification"),
        (CycleState.certified, "cycle 1 is certified"),
    ],
)
def test_only_a_verified_cycle_can_be_certified_and_nothing_changes_otherwise(
    admin: ServiceContext, state: CycleState, expected_en: str
) -> None:
    cycle_id = cycles.open_cycle(admin, city="daegu", catalog="iso37120-2018", year=2023).id
    cycles.set_state(admin, cycle_id=cycle_id, state=state)

    with pytest.raises(CertificateRefused) as err:
        certificates.issue(admin, cycle_id=cycle_id)

    assert expected_en in err.value.message_en
    assert "검증 완료된 보고 주기만" in err.value.message_ko
    assert certificate_rows(admin) == 0
    assert cycles.get_cycle(admin, cycle_id=cycle_id).state is state


def test_a_verified_cycle_below_the_lowest_level_gets_no_certificate(admin: ServiceContext) -> None:
    cycle_id = verified_cycle(admin, year=2023, report=12, accept=12)

    with pytest.raises(CertificateRefused) as err:
        certificates.issue(admin, cycle_id=cycle_id)

    assert "no certification level is reached" in err.value.message_en
    assert "12 of 104 indicators verified" in err.value.message_en
    assert certificate_rows(admin) == 0
    assert cycles.get_cycle(admin, cycle_id=cycle_id).state is CycleState.verified


def test_only_administrators_issue_and_revoke(admin: ServiceContext, clock: FrozenClock) -> None:
    cycle_id = verified_cycle(admin, year=2023, report=30, accept=30)
    users.add_user(admin, login="coord.daegu", name="Daegu coordinator")
    users.grant_role(admin, login="coord.daegu", role=Role.city_coordinator, city="daegu")
    coordinator = user_context(admin.db, "coord.daegu", clock=clock)

    with pytest.raises(PermissionDenied):
        certificates.issue(coordinator, cycle_id=cycle_id)
    assert certificate_rows(admin) == 0

    cert = certificates.issue(admin, cycle_id=cycle_id)
    with pytest.raises(PermissionDenied):
        certificates.revoke(coordinator, public_id=cert.public_id, reason="we disagree")
    assert certificates.verify(admin, public_id=cert.public_id).status is Status.valid


def test_revoked_certificates_verify_as_revoked_with_the_reason(
    admin: ServiceContext, clock: FrozenClock
) -> None:
    cert = certificates.issue(
        admin, cycle_id=verified_cycle(admin, year=2023, report=30, accept=30)
    )
    clock.advance(days=30)

    revoked = certificates.revoke(
        admin, public_id=cert.public_id, reason="figures for 8.1 were restated"
    )

    assert revoked.revoked_reason == "figures for 8.1 were restated"
    public = certificates.verify(public_context(admin.db, clock), public_id=cert.public_id)
    assert public.status is Status.revoked
    assert public.revoked_on == date(2024, 3, 31)
    assert "figures for 8.1 were restated" in public.status_text.en
    assert "취소" in public.status_text.ko
    assert public.snapshot_sha256 == cert.snapshot_sha256  # the record itself stays
    with admin.db.read() as s:
        last = history(s, "daegu/certificates/")[-1]
    assert (last.action, last.reason) == ("certificate.revoke", "figures for 8.1 were restated")


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoking_needs_a_reason(admin: ServiceContext, reason: str) -> None:
    cert = certificates.issue(
        admin, cycle_id=verified_cycle(admin, year=2023, report=30, accept=30)
    )

    with pytest.raises(ValidationFailed) as err:
        certificates.revoke(admin, public_id=cert.public_id, reason=reason)

    assert err.value.problems[0].where == "reason"
    assert certificates.verify(admin, public_id=cert.public_id).status is Status.valid


def test_revoking_twice_is_refused(admin: ServiceContext) -> None:
    cert = certificates.issue(
        admin, cycle_id=verified_cycle(admin, year=2023, report=30, accept=30)
    )
    certificates.revoke(admin, public_id=cert.public_id, reason="data error")

    with pytest.raises(CertificateRefused):
        certificates.revoke(admin, public_id=cert.public_id, reason="again")


def test_an_altered_snapshot_verifies_as_tampered(admin: ServiceContext) -> None:
    cert = certificates.issue(
        admin, cycle_id=verified_cycle(admin, year=2023, report=30, accept=30)
    )
    assert cert.snapshot is not None
    altered = dict(cert.snapshot)
    altered["level"] = {"id": "platinum", "en": "Platinum", "ko": "플래티넘"}
    # Someone with database access edits the stored record behind the services' back.
    with admin.db.transaction() as s:
        s.execute(
            update(Certificate)
            .where(Certificate.public_id == cert.public_id)
            .values(snapshot=altered)
        )

    view = certificates.verify(admin, public_id=cert.public_id)

    assert view.status is Status.tampered
    assert view.hash_ok is False
    assert view.summary is None


def test_a_certificate_past_its_last_valid_day_verifies_as_expired(
    admin: ServiceContext, clock: FrozenClock
) -> None:
    cert = certificates.issue(
        admin, cycle_id=verified_cycle(admin, year=2023, report=30, accept=30)
    )

    clock.advance(days=364)  # 2025-02-28, the last valid day
    assert certificates.verify(admin, public_id=cert.public_id).status is Status.valid
    clock.advance(days=1)
    assert certificates.verify(admin, public_id=cert.public_id).status is Status.expired


def test_verifying_an_unknown_id_says_not_found(admin: ServiceContext) -> None:
    with pytest.raises(NotFoundError) as err:
        certificates.verify(admin, public_id="CC-2024-NOWHERE-37120-0001")
    assert "인증서" in err.value.message_ko


def _levels(default: int, **given: int) -> list[ItemEntry]:
    return [ItemEntry(i.id, given.get(i.id, default)) for i in get_maturity_model().items]


def test_a_maturity_certificate_is_valid_three_years_with_surveillance_in_years_2_and_3(
    admin: ServiceContext,
) -> None:
    assessment = maturity.record(
        admin,
        city="daegu",
        assessed_on=date(2024, 1, 20),
        assessor="lead auditor",
        items=_levels(4, C03=3, A05=5),
    )

    cert = certificates.issue_for_assessment(admin, assessment_id=assessment.id)

    assert cert.public_id == "CC-2024-DAEGU-37106-0001"
    assert (cert.level, cert.level_name.en, cert.level_name.ko) == (
        "4",
        "Level 4 · Progressive",
        "4수준 · 앞서나감",
    )
    assert cert.valid_until == date(2027, 2, 28)
    assert cert.surveillance_due == [date(2025, 3, 1), date(2026, 3, 1)]
    assert cert.snapshot is not None and cert.snapshot["assessment"]["items"]["C03"] == 3
    with pytest.raises(CertificateRefused):
        certificates.issue_for_assessment(admin, assessment_id=assessment.id)


def test_an_assessment_with_an_item_below_the_gate_is_not_certified(
    admin: ServiceContext,
) -> None:
    assessment = maturity.record(
        admin,
        city="daegu",
        assessed_on=date(2024, 1, 20),
        assessor="lead auditor",
        items=_levels(4, B03=2),
    )

    with pytest.raises(CertificateRefused) as err:
        certificates.issue_for_assessment(admin, assessment_id=assessment.id)

    assert "B03 (2)" in err.value.message_en
    assert certificate_rows(admin) == 0


def test_listing_shows_newest_first(admin: ServiceContext, clock: FrozenClock) -> None:
    certificates.issue(admin, cycle_id=verified_cycle(admin, year=2022, report=30, accept=30))
    clock.advance(days=1)
    certificates.issue(admin, cycle_id=verified_cycle(admin, year=2023, report=30, accept=30))

    listed = certificates.list_certificates(admin, city="daegu")

    assert [c.data_year for c in listed] == [2023, 2022]
    assert all(c.snapshot is None for c in listed)
