"""A small, fixed set of public and private data for the portal tests, made through the services.

Personas: the public sees Daegu, Busan, Ulsan, Seoul, Suwon, Jeonju and a city whose names are
script tags (escaping); Hidden Town has only a draft, and Daegu's 2024 draft holds the tell-tale
value `DRAFT_VALUE`, which must never reach a public page or download.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from citycert.services import cities, cycles, values
from citycert.services.certificate_snapshot import snapshot_hash
from citycert.services.context import ServiceContext
from citycert.store.models import CycleState
from citycert.store.models_cert import Certificate

CATALOG = "iso37120-2018"
DRAFT_VALUE = 987.654
XSS_EN = "<script>alert(1)</script>"
XSS_KO = '<script>alert("ko")</script>'

# slug, English, Korean, region, population, climate, latitude, longitude, GDP per capita
CITIES = [
    ("daegu", "Daegu", "대구", "Yeongnam", 2_380_000, "Cfa", 35.87, 128.60, 24_000),
    ("busan", "Busan", "부산", "Yeongnam", 3_350_000, "Cfa", 35.18, 129.08, 28_000),
    ("ulsan", "Ulsan", "울산", "Yeongnam", 1_110_000, "Cfa", 35.54, 129.31, 60_000),
    ("seoul", "Seoul", "서울", "Sudogwon", 9_400_000, "Dwa", 37.57, 126.98, 40_000),
    ("suwon", "Suwon", "수원", "Sudogwon", 1_190_000, "Dwa", 37.26, 127.03, 30_000),
    ("jeonju", "Jeonju", "전주", "Honam", 650_000, "Cfa", 35.82, 127.15, 22_000),
    ("script-city", XSS_EN, XSS_KO, "<b>Region</b>", 1_500_000, "Cfa", 36.0, 128.0, 20_000),
]
PUBLIC_YEARS = (2021, 2022, 2023)


@dataclass(frozen=True)
class Sample:
    public_cities: tuple[str, ...]
    hidden_city: str
    draft_cycle_id: int
    certificate_ids: tuple[str, ...]
    revoked_certificate_id: str


def _figures(i: int, year: int, pm25: float | None = None) -> list[values.InputChange]:
    """Plausible figures that differ by city (`i`) and year."""
    k = year - 2020
    pop = 1_000_000 + 100_000 * i
    return [
        values.InputChange("8.1", "pm25_concentration", pm25 or 30.0 - 2 * i - k),
        values.InputChange("11.1", "life_expectancy", 80.0 + 0.5 * i + 0.1 * k),
        values.InputChange("15.7", "emergency_response_time", 8.0 + i - 0.2 * k),
        values.InputChange("5.1", "unemployed_persons", 30_000 + 2_000 * i - 500 * k),
        values.InputChange("5.1", "labour_force", 600_000 + 10_000 * i),
        values.InputChange("15.5", "homicides", 20 + 3 * i + k),
        values.InputChange("15.5", "population", pop),
        values.InputChange("7.2", "renewable_energy", 1_000 + 300 * i + 50 * k),
        values.InputChange("7.2", "total_energy", 20_000),
    ]


def _certificate(
    ctx: ServiceContext,
    city_id: int,
    cycle_id: int,
    public_id: str,
    level: tuple[str, str, str],
    year: int,
    revoked: bool = False,
) -> None:
    snapshot = {
        "public_id": public_id,
        "level": level[0],
        "counts": {"verified": 40, "counted_total": 104, "core_verified": 30, "core_total": 47},
    }
    digest = snapshot_hash(snapshot)
    with ctx.transaction() as s:
        s.add(
            Certificate(
                public_id=public_id,
                city_id=city_id,
                cycle_id=cycle_id,
                assessment_id=None,
                standard=CATALOG,
                family="iso37120",
                rules="iso37120-2018-levels",
                rules_version="1",
                data_year=year,
                level=level[0],
                level_en=level[1],
                level_ko=level[2],
                streak=1,
                issued_on=date(2024, 2, 1),
                valid_until=date(2027, 1, 31),
                surveillance_due=["2025-02-01", "2026-02-01"],
                snapshot=snapshot,
                snapshot_sha256=digest,
                issued_by="admin",
                issued_at=ctx.now(),
                revoked_at=ctx.now() if revoked else None,
                revoked_by="admin" if revoked else None,
                revoked_reason="figures withdrawn" if revoked else None,
            )
        )


def load_sample(ctx: ServiceContext) -> Sample:
    """Create the sample cities, cycles, values and certificates (see module docstring)."""
    cycle_of: dict[tuple[str, int], int] = {}
    city_id: dict[str, int] = {}
    for i, (slug, en, ko, region, pop, climate, lat, lon, gdp) in enumerate(CITIES):
        city = cities.create_city(
            ctx,
            data=cities.parse_create(
                {
                    "slug": slug,
                    "name_en": en,
                    "name_ko": ko,
                    "country": "KR",
                    "region": region,
                    "population": pop,
                    "climate_zone": climate,
                    "latitude": lat,
                    "longitude": lon,
                    "gdp_per_capita_usd": gdp,
                    "land_area_km2": 500.0 + i,
                    "is_sample": True,
                }
            ),
        )
        city_id[slug] = city.id
        for year in PUBLIC_YEARS:
            cy = cycles.open_cycle(ctx, city=slug, catalog=CATALOG, year=year)
            values.set_inputs(ctx, cy.id, _figures(i, year))
            cycles.set_state(ctx, cycle_id=cy.id, state=CycleState.verified)
            cycles.set_published(ctx, cycle_id=cy.id, published=True)
            cycle_of[(slug, year)] = cy.id
    # Daegu 2023 certified (and so public even without the published flag).
    cycles.set_published(ctx, cycle_id=cycle_of[("daegu", 2023)], published=False)
    cycles.set_state(ctx, cycle_id=cycle_of[("daegu", 2023)], state=CycleState.certified)
    draft = cycles.open_cycle(ctx, city="daegu", catalog=CATALOG, year=2024)
    values.set_inputs(ctx, draft.id, _figures(0, 2024, pm25=DRAFT_VALUE))
    cities.create_city(
        ctx,
        data=cities.parse_create(
            {
                "slug": "hidden-town",
                "name_en": "Hidden Town",
                "name_ko": "비공개시",
                "country": "KR",
                "population": 300_000,
                "latitude": 36.5,
                "longitude": 127.5,
            }
        ),
    )
    hidden = cycles.open_cycle(ctx, city="hidden-town", catalog=CATALOG, year=2023)
    values.set_inputs(ctx, hidden.id, _figures(9, 2023, pm25=DRAFT_VALUE))
    gold = ("gold", "Gold", "골드")
    silver = ("silver", "Silver", "실버")
    _certificate(
        ctx, city_id["daegu"], cycle_of[("daegu", 2023)], "CC-2024-DAEGU-37120-0001", gold, 2023
    )
    _certificate(
        ctx, city_id["busan"], cycle_of[("busan", 2022)], "CC-2024-BUSAN-37120-0001", silver, 2022
    )
    _certificate(
        ctx,
        city_id["ulsan"],
        cycle_of[("ulsan", 2022)],
        "CC-2024-ULSAN-37120-0001",
        gold,
        2022,
        revoked=True,
    )
    return Sample(
        public_cities=tuple(c[0] for c in CITIES),
        hidden_city="hidden-town",
        draft_cycle_id=draft.id,
        certificate_ids=("CC-2024-DAEGU-37120-0001", "CC-2024-BUSAN-37120-0001"),
        revoked_certificate_id="CC-2024-ULSAN-37120-0001",
    )
