"""Cities and reporting cycles: validated profiles, optimistic concurrency, idempotent opening."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from citycert.services import audit, cities, cycles
from citycert.services.context import ConflictError, NotFoundError, ServiceContext, ValidationFailed
from citycert.store.models import CycleState

DAEGU = {
    "slug": "daegu",
    "name_en": "Daegu",
    "name_ko": "대구광역시",
    "country": "kr",
    "climate_zone": "Cwa",
    "latitude": 35.87,
    "longitude": 128.6,
}


def test_create_city_normalises_and_records_it(ctx: ServiceContext) -> None:
    city = cities.create_city(ctx, data=cities.parse_create(DAEGU))

    assert (city.country, city.version, city.is_sample) == ("KR", 1, False)
    assert city.created_at == ctx.now()
    [entry] = audit.history(ctx, entity_key_prefix="daegu")
    assert (entry.action, entry.actor, entry.new["name_ko"]) == (
        "city.create",
        "editor@daegu",
        "대구광역시",
    )


BAD_FIELDS = [
    ({"country": "XX"}, "country"),
    ({"country": "KOR"}, "country"),
    ({"climate_zone": "Cxx"}, "climate_zone"),
    ({"latitude": 95}, "latitude"),
    ({"slug": "Daegu City"}, "slug"),
    ({"population": -5}, "population"),
    ({"name_ko": ""}, "name_ko"),
]


@pytest.mark.parametrize(("change", "field"), BAD_FIELDS)
def test_a_bad_city_field_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        cities.parse_create({**DAEGU, **change})

    assert [p.where for p in err.value.problems] == [field]
    assert err.value.problems[0].ko


def test_a_taken_slug_is_refused(ctx: ServiceContext) -> None:
    cities.create_city(ctx, data=cities.parse_create(DAEGU))

    with pytest.raises(ValidationFailed) as err:
        cities.create_city(ctx, data=cities.parse_create({**DAEGU, "name_en": "Other"}))

    assert err.value.problems[0].where == "slug"
    assert [c.name_en for c in cities.list_cities(ctx)] == ["Daegu"]


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(
    ctx: ServiceContext, context_for: Callable[[str], ServiceContext]
) -> None:
    cities.create_city(ctx, data=cities.parse_create(DAEGU))
    cities.update_city(
        context_for("admin@kcert"),
        slug="daegu",
        changes=cities.parse_update({"population": 2_380_000}),
        expected_version=1,
    )

    with pytest.raises(ConflictError) as err:
        cities.update_city(
            ctx,
            slug="daegu",
            changes=cities.parse_update({"population": 2_390_000}),
            expected_version=1,
        )

    [conflict] = err.value.conflicts
    assert (conflict.changed_by, conflict.current_version) == ("admin@kcert", 2)
    assert cities.get_city(ctx, slug="daegu").population == 2_380_000


def test_update_with_the_same_values_writes_nothing(ctx: ServiceContext) -> None:
    cities.create_city(ctx, data=cities.parse_create(DAEGU))

    city = cities.update_city(ctx, slug="daegu", changes=cities.parse_update({"name_en": "Daegu"}))

    assert city.version == 1
    assert len(audit.history(ctx, entity_key_prefix="daegu")) == 1


def test_list_cities_filters_by_country_sample_flag_and_name(ctx: ServiceContext) -> None:
    cities.create_city(ctx, data=cities.parse_create(DAEGU))
    cities.create_city(
        ctx,
        data=cities.parse_create(
            {
                "slug": "gangneung",
                "name_en": "Gangneung",
                "name_ko": "강릉시",
                "country": "KR",
                "is_sample": True,
            }
        ),
    )
    cities.create_city(
        ctx,
        data=cities.parse_create(
            {"slug": "boston", "name_en": "Boston", "name_ko": "보스턴", "country": "US"}
        ),
    )

    def slugs(**filters: Any) -> list[str]:
        return [c.slug for c in cities.list_cities(ctx, **filters)]

    assert slugs() == ["boston", "daegu", "gangneung"]
    assert slugs(country="kr") == ["daegu", "gangneung"]
    assert slugs(is_sample=True) == ["gangneung"]
    assert slugs(search="강릉") == ["gangneung"]
    assert slugs(search="BOST") == ["boston"]
    with pytest.raises(NotFoundError):
        cities.get_city(ctx, slug="busan")


def test_open_cycle_is_idempotent_and_state_changes_are_recorded(ctx: ServiceContext) -> None:
    cities.create_city(ctx, data=cities.parse_create(DAEGU))

    first = cycles.open_cycle(ctx, city="daegu", catalog="ISO37120-2018", year=2023)
    again = cycles.open_cycle(ctx, city="daegu", catalog="iso37120-2018", year=2023)
    moved = cycles.set_state(
        ctx, cycle_id=first.id, state=CycleState.submitted, expected_version=1, reason="ready"
    )

    assert again.id == first.id and first.state is CycleState.draft
    assert (moved.state, moved.version) == (CycleState.submitted, 2)
    actions = [e.action for e in audit.history(ctx, entity_key_prefix=first.key)]
    assert actions == ["cycle.open", "cycle.state"]
    assert [c.year for c in cycles.list_cycles(ctx, city="daegu", state=CycleState.submitted)] == [
        2023
    ]
    with pytest.raises(ConflictError):
        cycles.set_state(ctx, cycle_id=first.id, state=CycleState.draft, expected_version=1)


@pytest.mark.parametrize(
    ("catalog", "year", "where"),
    [("iso99999-2030", 2023, "catalog"), ("iso37120-2018", 1200, "year")],
)
def test_open_cycle_refuses_unknown_catalogue_or_year(
    ctx: ServiceContext, catalog: str, year: int, where: str
) -> None:
    cities.create_city(ctx, data=cities.parse_create(DAEGU))

    with pytest.raises(ValidationFailed) as err:
        cycles.open_cycle(ctx, city="daegu", catalog=catalog, year=year)

    assert err.value.problems[0].where == where
    assert cycles.list_cycles(ctx) == []
