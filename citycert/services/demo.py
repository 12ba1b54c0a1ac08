"""Load the bundled demo data: real open data for US cities and Los Angeles, Korean census counts,
and two clearly marked sample cities (Daegu, Gangneung) with illustrative ISO 37120:2018 figures.

Files and their origin: `citycert/data/demo/ATTRIBUTION.md`. Loading is idempotent: a second
run finds everything in place and writes nothing (no audit entries either). Figures whose
indicator or input is not in the installed catalogue are skipped and reported, not guessed.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from citycert.domain.authz import Role
from citycert.services import cities, cycles, users, values
from citycert.services.context import NotFoundError, ServiceContext
from citycert.services.values import InputChange, input_spec
from citycert.standards.catalog import UnknownCatalogError, get_catalog

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
VALUE_FILES = ("values.csv", "sample_values.csv")
DEMO_REASON = "demo data (citycert demo)"
# Sample cycles the demo story (demo_story.py) keeps as unpublished drafts.
UNPUBLISHED = frozenset({("gangneung", "iso37120-2018", 2023)})


@dataclass
class DemoReport:
    """What a demo load did; `skipped` names figures the installed catalogues do not define."""

    cities_created: int = 0
    cycles: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.cities_created or self.created or self.updated)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def _city_fields(row: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = {k: v for k, v in row.items() if v != ""}
    out["is_sample"] = row.get("is_sample", "").lower() == "true"
    return out


def _ensure_cities(ctx: ServiceContext, data_dir: Path, report: DemoReport) -> None:
    for row in _rows(data_dir / "cities.csv"):
        try:
            cities.get_city(ctx, slug=row["slug"])
        except NotFoundError:
            data = cities.parse_create(_city_fields(row))
            cities.create_city(ctx, data=data, reason=DEMO_REASON)
            report.cities_created += 1


def _group(data_dir: Path) -> dict[tuple[str, str, int], list[dict[str, str]]]:
    groups: dict[tuple[str, str, int], list[dict[str, str]]] = defaultdict(list)
    for name in VALUE_FILES:
        path = data_dir / name
        if path.exists():
            for row in _rows(path):
                groups[(row["city"], row["catalog"], int(row["year"]))].append(row)
    return groups


def load_demo(
    ctx: ServiceContext, *, data_dir: Path = DEMO_DIR, publish: bool = True
) -> DemoReport:
    """Load (or top up) the demo cities and figures; publishes the demo cycles when asked."""
    report = DemoReport()
    _ensure_cities(ctx, data_dir, report)
    for (slug, catalog, year), rows in sorted(_group(data_dir).items()):
        try:
            cat = get_catalog(catalog)
        except UnknownCatalogError:
            report.skipped.extend(f"{slug}/{catalog}/{year}: no catalogue" for _ in rows[:1])
            continue
        changes = []
        for r in rows:
            if input_spec(cat, r["indicator"], r["input"]) is None:
                report.skipped.append(f"{slug}/{catalog}/{year}/{r['indicator']}/{r['input']}")
                continue
            changes.append(
                InputChange(
                    indicator=r["indicator"],
                    input=r["input"],
                    value=float(r["value"]) if r["value"] else None,
                    unit=r["unit"] or None,
                    source=r["source"] or None,
                    comment=r["comment"] or None,
                    quality_grade=r["quality_grade"] or None,
                )
            )
        if not changes:
            continue
        cycle = cycles.open_cycle(ctx, city=slug, catalog=catalog, year=year)
        report.cycles += 1
        summary = values.set_inputs(ctx, cycle.id, changes, reason=DEMO_REASON)
        report.created += summary.created
        report.updated += summary.updated
        report.unchanged += summary.unchanged
        if publish and (slug, catalog, year) not in UNPUBLISHED:
            cycles.set_published(ctx, cycle_id=cycle.id, published=True, reason=DEMO_REASON)
    return report


@dataclass(frozen=True)
class DemoUser:
    """A demo login with a published password; `cycles` are (city, standard, year) to verify."""

    login: str
    name: str
    password: str
    role: Role
    city: str | None = None
    cycles: tuple[tuple[str, str, int], ...] = ()


# Demo logins only: `citycert demo` refuses to create them in production (see demo_cmd).
DEMO_USERS = (
    DemoUser("editor@daegu", "Daegu data editor (demo)", "demo-editor-daegu", Role.city_editor,
             city="daegu"),
    DemoUser("coordinator@daegu", "Daegu coordinator (demo)", "demo-coordinator-daegu",
             Role.city_coordinator, city="daegu"),
    DemoUser("verifier@citycert", "Verifier (demo)", "demo-verifier-citycert", Role.verifier,
             cycles=(("daegu", "iso37120-2018", 2022), ("daegu", "iso37120-2018", 2023))),
    DemoUser("admin@citycert", "Administrator (demo)", "demo-admin-citycert", Role.administrator),
)  # fmt: skip


def ensure_demo_users(ctx: ServiceContext) -> list[DemoUser]:
    """Create the demo logins and their roles that are missing (idempotent); returns new ones."""
    created = []
    for u in DEMO_USERS:
        try:
            users.get_user(ctx, login=u.login)
        except NotFoundError:
            users.add_user(ctx, login=u.login, name=u.name, password=u.password)
            created.append(u)
        if u.role is Role.verifier:
            for slug, catalog, year in u.cycles:
                cycle = cycles.find_cycle(ctx, city=slug, catalog=catalog, year=year)
                if cycle is not None:
                    users.grant_role(ctx, login=u.login, role=u.role, cycle_id=cycle.id)
        else:
            users.grant_role(ctx, login=u.login, role=u.role, city=u.city)
    return created
