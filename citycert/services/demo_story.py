"""The demo story: the two sample cities taken through the real certification workflow.

After `demo.load_demo` (cities, real data, sample figures) and the demo logins: Daegu's full
ISO 37120:2018 inputs for 2021-2023 are bulk-loaded; 2021 is published; 2022 and 2023 are
submitted, verified indicator by indicator (rejections, answered and unanswered queries) and
certified Gold, the second certificate a 2-year streak; two ISO 37106 maturity assessments
and a maturity certificate follow. Gangneung's 2022 cycle waits in verification with open
queries; its 2023 draft holds a warning to justify and an error to fix. Every step runs through
the services as the demo login who would take it, at fixed story dates (so a reload is
deterministic); steps already taken are skipped, so a second run changes nothing.
Files: `citycert/data/demo/story/` (how they were made: `ATTRIBUTION.md` there).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.authz import Role
from citycert.domain.workflow import Decision, ItemStatus, State
from citycert.services import (
    certificates,
    cycles,
    data_quality,
    maturity,
    users,
    workflow,
)
from citycert.services.bulk import BulkRow, bulk_load
from citycert.services.context import NotFoundError, ServiceContext, ServiceError
from citycert.services.demo import DEMO_DIR, DemoUser, ensure_demo_users
from citycert.services.principal import user_context
from citycert.standards.catalog import get_catalog
from citycert.store.models import ReportingCycle
from citycert.store.models_review import ReviewQuery

STORY_DIR = DEMO_DIR / "story"
CATALOG = "iso37120-2018"
FIGURE_FILES = ("daegu_iso37120-2018.csv", "gangneung_iso37120-2018.csv")
REASON = "demo story (citycert demo)"
ADMIN, VERIFIER = "admin@citycert", "verifier@citycert"

# Demo logins of the story beyond demo.DEMO_USERS (same rule: never in production).
STORY_USERS = (
    DemoUser("editor@gangneung", "Gangneung data editor (demo)", "demo-editor-gangneung",
             Role.city_editor, city="gangneung"),
    DemoUser("coordinator@gangneung", "Gangneung coordinator (demo)",
             "demo-coordinator-gangneung", Role.city_coordinator, city="gangneung"),
)  # fmt: skip


class DemoRefused(ServiceError):
    """The demo story would put published demo passwords and sample certificates on a
    production portal."""


def _at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, 0, tzinfo=UTC)


@dataclass(frozen=True)
class CyclePlan:
    """How far one sample cycle goes, and when each step happens (None: not taken)."""

    city: str
    year: int
    loaded: datetime
    published: bool
    submitted: datetime | None = None
    started: datetime | None = None
    decided: datetime | None = None
    answered: datetime | None = None
    finalised: datetime | None = None
    verified: datetime | None = None
    issued: datetime | None = None


PLANS = (
    CyclePlan("daegu", 2021, _at(2022, 5, 16), published=True),
    CyclePlan("daegu", 2022, _at(2023, 4, 17), True, _at(2023, 6, 30), _at(2023, 7, 10),
              _at(2023, 8, 21), _at(2023, 8, 29), _at(2023, 9, 12), _at(2023, 10, 31),
              _at(2023, 11, 20)),
    CyclePlan("daegu", 2023, _at(2024, 4, 15), True, _at(2024, 6, 28), _at(2024, 7, 8),
              _at(2024, 8, 19), _at(2024, 8, 27), _at(2024, 9, 10), _at(2024, 10, 30),
              _at(2024, 11, 18)),
    CyclePlan("gangneung", 2022, _at(2024, 8, 19), True, _at(2024, 9, 2), _at(2024, 9, 9),
              _at(2024, 9, 23), _at(2024, 9, 30)),
    CyclePlan("gangneung", 2023, _at(2025, 3, 10), published=False),
)  # fmt: skip
MATURITY_CERTIFIED_ON = _at(2024, 1, 19)
ASSESSMENT_NOTE = (
    "Illustrative sample assessment, not an official result / 예시 평가(공식 결과 아님)"
)


@dataclass
class StoryReport:
    """The story steps this run took (`city/year: step`); empty when all were done before."""

    steps: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.steps)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def _as(ctx: ServiceContext, login: str, when: datetime) -> ServiceContext:
    """`login` acting at `when` (the story's date of the step)."""
    return replace(user_context(ctx.db, login), clock=lambda: when)


def refuse_in_production(environment: str) -> None:
    """DemoRefused on a production portal: demo passwords are public."""
    if environment == "production":
        raise DemoRefused(
            "the demo story is not loaded with production settings (CITYCERT_ENVIRONMENT="
            "production): its logins have published passwords and its certificates are samples",
            "운영 환경(CITYCERT_ENVIRONMENT=production)에서는 데모 시나리오를 불러오지 않습니다. "
            "데모 계정의 비밀번호는 공개되어 있고 인증서는 예시입니다",
        )


def ensure_story_users(ctx: ServiceContext) -> list[DemoUser]:
    """Create the story's extra logins that are missing (idempotent); returns the new ones."""
    created = []
    for u in STORY_USERS:
        try:
            users.get_user(ctx, login=u.login)
        except NotFoundError:
            users.add_user(ctx, login=u.login, name=u.name, password=u.password)
            created.append(u)
        users.grant_role(ctx, login=u.login, role=u.role, city=u.city)
    return created


def _state(s: Session, cycle_id: int) -> State:
    return State(s.scalars(select(ReportingCycle.state).where(ReportingCycle.id == cycle_id)).one())


class _Cycle:
    """One plan carried out on its cycle, inside one transaction."""

    def __init__(self, ctx: ServiceContext, plan: CyclePlan, cycle_id: int, s: Session) -> None:
        self.ctx, self.plan, self.id, self.s = ctx, plan, cycle_id, s
        self.coordinator = f"coordinator@{plan.city}"
        self.editor = f"editor@{plan.city}"
        self.done: list[str] = []
        self._people: dict[str, ServiceContext] = {}

    def act(self, login: str, when: datetime) -> ServiceContext:
        """`login` acting at `when` inside this cycle's transaction."""
        if login not in self._people:
            self._people[login] = user_context(self.ctx.db, login).joined(self.s)
        return replace(self._people[login], clock=lambda: when)

    def step(self, name: str) -> None:
        self.done.append(f"{self.plan.city}/{self.plan.year}: {name}")

    def load(self, rows: list[dict[str, str]]) -> None:
        if _state(self.s, self.id) not in (State.draft, State.returned):
            return  # figures are locked once submitted
        summary = bulk_load(
            self.act(self.editor, self.plan.loaded),
            (
                BulkRow(
                    cycle_id=self.id,
                    indicator=r["indicator"],
                    input=r["input"],
                    value=float(r["value"]),
                    unit=r["unit"] or None,
                    source=r["source"] or None,
                    comment=r["comment"] or None,
                    quality_grade=r["quality_grade"] or None,
                )
                for r in rows
            ),
            reason=REASON,
        )
        if summary.created or summary.updated:
            self.step(f"{summary.created} figures loaded, {summary.updated} updated")
        if _state(self.s, self.id) is State.draft and self.plan.submitted is None:
            # The city workspace shows what the validation found (tracked findings).
            data_quality.check_cycle(self.act(self.editor, self.plan.loaded), cycle_id=self.id)

    def publish(self, published: bool) -> None:
        if published != self.plan.published:
            cycles.set_published(
                self.act(ADMIN, self.plan.loaded + timedelta(days=45)),
                cycle_id=self.id,
                published=self.plan.published,
                reason=REASON,
            )
            self.step("published" if self.plan.published else "unpublished")

    def advance(self, reviews: list[dict[str, str]]) -> None:
        p = self.plan
        if _state(self.s, self.id) is State.draft and p.submitted:
            workflow.submit(self.act(self.coordinator, p.submitted), cycle_id=self.id)
            self.step("submitted")
        if _state(self.s, self.id) is State.submitted and p.started:
            workflow.start_verification(self.act(VERIFIER, p.started), cycle_id=self.id)
            self.step("verification started")
        if _state(self.s, self.id) is State.in_verification and p.decided:
            self.decide(reviews)
        if _state(self.s, self.id) is State.in_verification and p.verified:
            workflow.mark_verified(self.act(VERIFIER, p.verified), cycle_id=self.id)
            self.step("verified")
        if _state(self.s, self.id) is State.verified and p.issued:
            cert = certificates.issue(self.act(ADMIN, p.issued), cycle_id=self.id)
            self.step(
                f"certificate {cert.public_id} ({cert.level_name.en}, streak {cert.streak}; "
                f"인증서 {cert.level_name.ko}, {cert.streak}년 연속)"
            )

    def decide(self, reviews: list[dict[str, str]]) -> None:
        """The verifier's first round, the city's answers, the final decisions (once)."""
        p = self.plan
        assert p.decided is not None
        known = data_quality.decisions_of(self.s, self.id)
        if any(d is not Decision.pending for d in known.values()):
            return  # decided in an earlier run
        by_number = {r["indicator"]: r for r in reviews}
        order = {ind.number: n for n, ind in enumerate(get_catalog(CATALOG))}
        for n, number in enumerate(sorted(known, key=lambda k: order.get(k, len(order)))):
            r = by_number.get(number)
            workflow.decide(
                self.act(VERIFIER, p.decided + timedelta(minutes=4 * n)),
                cycle_id=self.id,
                indicator=number,
                decision=Decision(r["first"]) if r else Decision.accepted,
                text=r["text"] if r else "",
            )
        for r in reviews:
            if r["first"] == Decision.query.value and r["answer"] and p.answered:
                thread = self.s.scalars(
                    select(ReviewQuery.id).where(
                        ReviewQuery.cycle_id == self.id,
                        ReviewQuery.indicator == r["indicator"],
                        ReviewQuery.status != ItemStatus.resolved.value,
                    )
                ).one()
                workflow.answer(
                    self.act(self.coordinator, p.answered), query_id=thread, text=r["answer"]
                )
            if r["final"] and p.finalised:
                workflow.decide(
                    self.act(VERIFIER, p.finalised),
                    cycle_id=self.id,
                    indicator=r["indicator"],
                    decision=Decision(r["final"]),
                    text=r["final_text"],
                )
        self.step(f"{len(known)} indicators decided")


def _run_plans(ctx: ServiceContext, data_dir: Path, report: StoryReport) -> None:
    figures = [r for name in FIGURE_FILES for r in _rows(data_dir / name)]
    reviews = _rows(data_dir / "reviews.csv")
    for plan in PLANS:
        coordinator = _as(ctx, f"coordinator@{plan.city}", plan.loaded)
        cycle = cycles.open_cycle(coordinator, city=plan.city, catalog=CATALOG, year=plan.year)
        if plan.started is not None:  # the verifier is assigned before the story runs
            users.grant_role(ctx, login=VERIFIER, role=Role.verifier, cycle_id=cycle.id)
        mine = [r for r in figures if (r["city"], int(r["year"])) == (plan.city, plan.year)]
        plan_reviews = [r for r in reviews if (r["city"], int(r["year"])) == (plan.city, plan.year)]
        with ctx.transaction() as s:  # a cycle's story is stored whole or not at all
            story = _Cycle(ctx, plan, cycle.id, s)
            story.load(mine)
            story.publish(cycle.published)
            story.advance(plan_reviews)
        report.steps.extend(story.done)


def _maturity(ctx: ServiceContext, data_dir: Path, report: StoryReport) -> None:
    rows = _rows(data_dir / "daegu_iso37106.csv")
    done = {a.assessed_on: a for a in maturity.list_assessments(ctx, city="daegu")}
    for day in sorted({r["assessed_on"] for r in rows}):
        on = date.fromisoformat(day)
        if on in done:
            continue
        items = [r for r in rows if r["assessed_on"] == day]
        a = maturity.record(
            _as(ctx, ADMIN, _at(on.year, on.month, on.day, 17)),
            city="daegu",
            assessed_on=on,
            assessor=items[0]["assessor"],
            items=[
                maturity.ItemEntry(r["item"], int(r["level"]), r["evidence"], r["notes"])
                for r in items
            ],
            notes=ASSESSMENT_NOTE,
        )
        done[on] = a
        report.steps.append(f"daegu: ISO 37106 assessment {day} (mean {a.mean:.2f})")
    latest = done[max(done)]
    issued = {c.assessment_id for c in certificates.list_certificates(ctx, city="daegu")}
    if latest.id not in issued:
        cert = certificates.issue_for_assessment(
            _as(ctx, ADMIN, MATURITY_CERTIFIED_ON), assessment_id=latest.id
        )
        report.steps.append(
            f"daegu: certificate {cert.public_id} (ISO 37106 level {cert.level}; "
            f"인증서 ISO 37106 {cert.level}수준)"
        )


def load_story(ctx: ServiceContext, *, environment: str, data_dir: Path = STORY_DIR) -> StoryReport:
    """Play the demo story on a database holding `load_demo`'s data; skips steps already done."""
    refuse_in_production(environment)
    report = StoryReport()
    ensure_demo_users(ctx)
    ensure_story_users(ctx)
    _run_plans(ctx, data_dir, report)
    _maturity(ctx, data_dir, report)
    return report
