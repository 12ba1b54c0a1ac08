"""SDMX-ML export: the `sdmx1` library reads back the structure and the observations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sdmx

from citycert.io.sdmx_export import DSD_ID, KEY_ANNOTATION, sdmx_id
from citycert.services import cycles, values
from citycert.services.context import ServiceContext
from citycert.services.exports import ExportFilter, ExportFormat, export
from citycert.standards.catalog import all_catalogs, get_catalog

SDMX_ID = re.compile(r"^[A-Za-z0-9_@$-]+$")


def _export(ctx: ServiceContext, target: Path, filters: ExportFilter | None = None) -> Any:
    export(ctx, fmt=ExportFormat.sdmx, target=target, filters=filters or ExportFilter())
    structure = sdmx.read_sdmx(target / "structure.xml")
    dsd = structure.structure[DSD_ID]
    data = sdmx.read_sdmx(target / "data.xml", structure=dsd)
    return structure, dsd, data


def _key_of(code: Any) -> str:
    notes = [a for a in code.annotations if a.type == KEY_ANNOTATION]
    assert len(notes) == 1, code.id
    return str(notes[0].title)


def test_structure_has_the_agreed_dimensions_measure_and_attributes(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    _, dsd, _ = _export(seeded, tmp_path / "sdmx")

    assert [d.id for d in dsd.dimensions.components] == [
        "REF_AREA", "STANDARD", "INDICATOR", "TIME_PERIOD",
    ]  # fmt: skip
    assert [m.id for m in dsd.measures.components] == ["OBS_VALUE"]
    assert [a.id for a in dsd.attributes.components] == ["UNIT_MEASURE", "OBS_STATUS"]
    assert dsd.name.localizations["ko"] and dsd.name.localizations["en"]


def test_codelists_name_cities_and_indicators_in_english_and_korean(
    seeded: ServiceContext, seed: dict[str, Any], tmp_path: Path
) -> None:
    _, dsd, _ = _export(seeded, tmp_path / "sdmx")
    areas = dsd.dimensions.get("REF_AREA").local_representation.enumerated
    indicators = dsd.dimensions.get("INDICATOR").local_representation.enumerated
    standards = dsd.dimensions.get("STANDARD").local_representation.enumerated

    for city in seed["cities"]:
        code = areas[sdmx_id(city["slug"])]
        assert code.name.localizations == {"en": city["name_en"], "ko": city["name_ko"]}
        assert _key_of(code) == city["slug"]
    exported = {c["catalog"] for c in seed["cycles"]}
    assert {_key_of(c) for c in standards} == exported
    for key in exported:
        cat = get_catalog(key)
        for ind in cat.indicators:
            code = indicators[sdmx_id(cat.indicator_key(ind))]
            assert code.name.localizations == {"en": ind.name.en, "ko": ind.name.ko}
            assert _key_of(code) == cat.indicator_key(ind)


def _stored_values(ctx: ServiceContext) -> dict[tuple[str, str, str, str], Any]:
    out = {}
    for cy in cycles.list_cycles(ctx):
        for iv in values.list_indicator_values(ctx, cycle_id=cy.id):
            if iv.value is not None:
                key = (cy.city_slug, cy.catalog, f"{cy.catalog}:{iv.indicator}", str(cy.year))
                out[key] = iv
    return out


def _observations(data: Any) -> dict[tuple[str, str, str, str], Any]:
    out = {}
    for obs in data.data[0].obs:
        k = obs.key.order().get_values()
        out[(str(k[0]), str(k[1]), str(k[2]), str(k[3]))] = obs
    return out


def test_observations_are_the_stored_indicator_values_with_unit_and_status(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    _, _, data = _export(seeded, tmp_path / "sdmx")
    stored = _stored_values(seeded)
    got = _observations(data)

    assert set(got) == {(sdmx_id(c), sdmx_id(s), sdmx_id(i), y) for c, s, i, y in stored}
    for (city, std, key, year), iv in stored.items():
        obs = got[(sdmx_id(city), sdmx_id(std), sdmx_id(key), year)]
        assert float(obs.value) == iv.value
        assert obs.attrib["UNIT_MEASURE"].value == iv.unit
        assert obs.attrib["OBS_STATUS"].value == iv.status


def test_values_that_could_not_be_computed_are_left_out(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    _, _, data = _export(seeded, tmp_path / "sdmx")
    without_value = {
        (sdmx_id(cy.city_slug), sdmx_id(f"{cy.catalog}:{iv.indicator}"), str(cy.year))
        for cy in cycles.list_cycles(seeded)
        for iv in values.list_indicator_values(seeded, cycle_id=cy.id)
        if iv.value is None
    }
    assert without_value, "the seed has indicators without a value"
    got = {(c, i, y) for c, _, i, y in _observations(data)}
    assert not got & without_value
    assert all(obs.value not in (None, "", "NaN") for obs in data.data[0].obs)


def test_a_city_filter_exports_only_that_citys_series(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    _, _, data = _export(seeded, tmp_path / "sdmx", ExportFilter(city="testville"))
    areas = {str(obs.key.order().get_values()[0]) for obs in data.data[0].obs}
    assert areas == {"testville"}


def test_indicator_codes_are_valid_sdmx_ids_and_unique_across_all_catalogues() -> None:
    keys = [cat.indicator_key(ind) for cat in all_catalogs().values() for ind in cat.indicators]
    codes = [sdmx_id(k) for k in keys]
    assert all(SDMX_ID.match(c) for c in codes)
    assert len(set(codes)) == len(set(keys))


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("iso37120-2018:5.1", "iso37120-2018_5_1"),
        ("iso37120-2014:P.9", "iso37120-2014_P_9"),
        ("iso37120-2018:5.9.1", "iso37120-2018_5_9_1"),
        ("new york", "new_york"),
    ],
)
def test_sdmx_id_replaces_characters_sdmx_does_not_allow(key: str, code: str) -> None:
    assert sdmx_id(key) == code
