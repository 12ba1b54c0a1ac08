"""A demo-like database with a row in every table, built through the services where they exist.

Real city names, made-up figures. It holds: cities (one a sample), cycles in several states
(draft, in verification with decisions, a query thread and a justified warning, published,
certified), a value reported as not available, odd texts (Korean, emoji, formula-like), evidence
files (one content attached twice, so one blob for two links; an empty file), users with
passwords, role grants, a login session, a failed sign-in, an API token, a certificate and an
ISO 37106 maturity assessment with items (stored as the certificate tests store them, the
issuing services being elsewhere), and the audit entries all of this wrote.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from citycert.domain.authz import Role
from citycert.domain.workflow import Decision
from citycert.services import (
    auth,
    cities,
    cycles,
    data_quality,
    evidence,
    throttle,
    users,
    values,
    workflow,
)
from citycert.services.context import ServiceContext
from citycert.services.principal import user_context
from citycert.services.values import InputChange
from citycert.store.models import CycleState
from citycert.store.models_cert import Certificate, MaturityAssessment, MaturityItem

CITIES: list[dict[str, Any]] = [
    {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구광역시", "country": "KR",
     "region": "Yeongnam", "population": 2_400_000, "land_area_km2": 883.5, "climate_zone": "Cfa",
     "latitude": 35.8714, "longitude": 128.6014, "gdp_per_capita_usd": 24_000.5,
     "is_sample": True},
    {"slug": "busan", "name_en": "Busan", "name_ko": "부산광역시", "country": "KR",
     "population": 3_293_362},
    {"slug": "toronto", "name_en": "Toronto", "name_ko": "토론토", "country": "CA",
     "region": "+Ontario"},
]  # fmt: skip
CLEAN_2014 = [
    InputChange("5.1", "unemployed_persons", 48_000, source="KOSIS 2023", quality_grade="A"),
    InputChange("5.1", "labour_force", 1_200_000, source="KOSIS 2023", quality_grade="A"),
    InputChange("5.4", "full_time_employed_persons", 900_000),
    InputChange("5.4", "population", 2_400_000, comment="=1+1 is not a formula here"),
]
ODD_2018 = [
    InputChange("5.1", "unemployed_persons", 0.1 + 0.2, comment="부산 실업자 🏙️ survey"),
    InputChange("5.1", "labour_force", 1_700_000.125, source="@field survey"),
    InputChange("5.5", "businesses", 1e-9),
    # population differs from the registered one: a warning the city justifies
    InputChange("5.5", "population", 1_500_000),
]
PDF = bytes(range(256)) * 64  # every byte value
CSV = "구,실업자\n중구,1200\n".encode()


@dataclass(frozen=True)
class World:
    verification_cycle: int
    published_cycle: int
    certified_cycle: int


def build_world(admin: ServiceContext) -> World:
    """Fill `admin.db` (migrated, empty); `admin` must be an administrator (e.g. the CLI)."""
    for city in CITIES:
        cities.create_city(admin, data=cities.parse_create(city), reason="demo-like test data")
    a = cycles.open_cycle(admin, city="daegu", catalog="iso37120-2014", year=2023).id
    b = cycles.open_cycle(admin, city="busan", catalog="iso37120-2018", year=2022).id
    c = cycles.open_cycle(admin, city="toronto", catalog="iso37120-2018", year=2021).id

    for login, role, scope in [
        ("coord.daegu", Role.city_coordinator, {"city": "daegu"}),
        ("editor.daegu", Role.city_editor, {"city": "daegu"}),
        ("verifier.kim", Role.verifier, {"cycle_id": a}),
    ]:
        users.add_user(admin, login=login, name=login, password="correct horse battery 42")
        users.grant_role(admin, login=login, role=role, **scope)  # type: ignore[arg-type]
    users.add_user(admin, login="retired", name="전 담당자", email="old@daegu.go.kr")

    def as_user(login: str) -> ServiceContext:
        return user_context(admin.db, login, clock=admin.clock)

    editor, coord = as_user("editor.daegu"), as_user("coord.daegu")
    verifier = as_user("verifier.kim")
    auth.login(editor, login="editor.daegu", password="correct horse battery 42")
    auth.create_api_token(admin, login="coord.daegu", label="nightly upload")
    throttle.record_failure(admin, login="verifier.kim", address="192.0.2.7")  # a mistyped password

    values.set_inputs(editor, a, CLEAN_2014)
    evidence.add_evidence(
        editor, cycle_id=a, indicator="5.1", input="labour_force", filename="kosis.pdf",
        data=PDF, media_type="application/pdf",
    )  # fmt: skip
    evidence.add_evidence(
        editor, cycle_id=a, indicator="5.4", input=None, filename="empty.txt",
        data=b"", media_type="text/plain",
    )  # fmt: skip
    workflow.submit(coord, cycle_id=a)
    workflow.start_verification(verifier, cycle_id=a)
    workflow.decide(verifier, cycle_id=a, indicator="5.1", decision=Decision.accepted)
    workflow.decide(
        verifier, cycle_id=a, indicator="5.4", decision=Decision.query,
        text="출처를 밝혀 주십시오", owner="editor.daegu", due_date=date(2024, 4, 1),
    )  # fmt: skip
    thread = workflow.queries(verifier, cycle_id=a, indicator="5.4")[0]
    workflow.answer(coord, query_id=thread.id, text="Statistics Korea, table 101")

    values.set_inputs(admin, b, ODD_2018)
    data_quality.justify(
        admin, cycle_id=b, indicator="5.5", rule="registered_population",
        text="5.5 uses the resident survey population",
    )  # fmt: skip
    values.set_inputs(
        admin, b, [InputChange("5.6", "new_patents", None, comment="not collected")],
        allow_erase=True,
    )  # fmt: skip
    evidence.add_evidence(
        admin, cycle_id=b, indicator="5.1", input=None, filename="same-content.pdf",
        data=PDF, media_type="application/pdf",
    )  # fmt: skip
    evidence.add_evidence(
        admin, cycle_id=b, indicator="5.5", input=None, filename="사업체.csv",
        data=CSV, media_type="text/csv",
    )  # fmt: skip
    cycles.set_published(admin, cycle_id=b, published=True, reason="board approval")

    values.set_inputs(admin, c, [InputChange("5.1", "unemployed_persons", 95_000),
                                 InputChange("5.1", "labour_force", 1_600_000)])  # fmt: skip
    cycles.set_state(admin, cycle_id=c, state=CycleState.certified, reason="legacy certificate")
    _certificate_and_maturity(admin, c)
    return World(a, b, c)


def _certificate_and_maturity(admin: ServiceContext, cycle_id: int) -> None:
    snapshot = {"values": {"5.1": 5.9375}, "level": "aspirational"}
    digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()
    now = admin.now()
    with admin.transaction() as s:
        city_id = cycles.load_cycle(s, cycle_id)[0].city_id
        assessment = MaturityAssessment(
            city_id=city_id, assessed_on=date(2021, 11, 30), model="iso37106-2021",
            model_version="1", assessor="assessor.lee", current_level=None, mean=2.5,
            target_level=4, notes="gate not met on A02", recorded_by=admin.actor, recorded_at=now,
        )  # fmt: skip
        s.add(assessment)
        s.flush()
        s.add_all(
            [
                MaturityItem(assessment_id=assessment.id, item="A01", level=3, evidence="plan"),
                MaturityItem(assessment_id=assessment.id, item="A02", level=1, notes=None),
            ]
        )
        s.add(
            Certificate(
                public_id="CC-2022-TORONTO-37120-0001", city_id=city_id, cycle_id=cycle_id,
                assessment_id=None, standard="iso37120-2018", family="iso37120",
                rules="iso37120-2018-levels", rules_version="1", data_year=2021,
                level="aspirational", level_en="Aspirational", level_ko="기본",
                streak=1, issued_on=date(2022, 3, 1), valid_until=date(2025, 2, 28),
                surveillance_due=["2023-03-01", "2024-03-01"], snapshot=snapshot,
                snapshot_sha256=digest, issued_by=admin.actor, issued_at=now,
                revoked_at=None, revoked_by=None, revoked_reason=None,
            )
        )  # fmt: skip
        admin.audit(
            s, action="certificate.issue", entity="certificate",
            entity_key="certificate/CC-2022-TORONTO-37120-0001", new={"level": "aspirational"},
        )  # fmt: skip
