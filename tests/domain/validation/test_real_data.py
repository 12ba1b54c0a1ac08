"""Validation catches real reporting mistakes built from real published city figures.

Figures: Los Angeles (LAPD homicides and the city's GHG inventory via LA Open SDG data; UNdata
city populations) and US cities of a million or more (FiveThirtyEight / FBI murders 2015). See
tests/data/validation/ATTRIBUTION.md. Each mistake has a clean twin that must pass.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from citycert.domain.calculation import RawInput
from citycert.domain.validation import Finding, ValidationContext, has_errors, validate
from citycert.standards.catalog import Catalog, get_catalog

DATA = Path(__file__).parents[2] / "data" / "validation"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


HOMICIDES = {int(r["year"]): int(r["homicides"]) for r in _rows("la_homicides_lapd.csv")}
GHG = {int(r["year"]): r for r in _rows("la_ghg_emissions.csv")}
POPULATION = {
    (int(r["year"]), r["city_type"]): int(r["population"])
    for r in _rows("la_population_undata.csv")
}
PEERS = [r for r in _rows("us_large_cities_homicides_2015.csv") if r["city"] != "Los Angeles"]
PEER_RATES = [int(r["murders_2015"]) / int(r["population_2015"]) * 100_000 for r in PEERS]
CITY = "City proper"


@pytest.fixture(scope="module")
def iso2014() -> Catalog:
    return get_catalog("iso37120-2014")


def _rules(findings: list[Finding]) -> list[str]:
    return [f"{f.indicator} {f.rule} {f.severity.value}" for f in findings]


def test_lapd_and_fbi_agree_on_282_homicides_in_2015() -> None:
    fbi = next(r for r in _rows("us_large_cities_homicides_2015.csv") if r["city"] == "Los Angeles")
    assert HOMICIDES[2015] == int(fbi["murders_2015"]) == 282


# (a) A rate that equals its raw count: 282 homicides reported as "282 per 100 000".
@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        (float(HOMICIDES[2015]), ["14.2 rate_equals_count error"]),
        (round(HOMICIDES[2015] / POPULATION[(2015, CITY)] * 100_000, 1), []),  # 7.1, clean twin
    ],
)
def test_la_homicide_count_reported_as_rate_is_an_error(
    iso2014: Catalog, reported: float, expected: list[str]
) -> None:
    inputs = {
        "14.2": {
            "homicides": RawInput(HOMICIDES[2015]),
            "population": RawInput(POPULATION[(2015, CITY)]),
        }
    }
    findings = validate(iso2014, inputs, reported={"14.2": reported})
    assert _rules(findings) == expected
    assert has_errors(findings) is bool(expected)
    if expected:
        assert "282" in findings[0].message.en and "7.1" in findings[0].message.en
        assert "282" in findings[0].message.ko


@pytest.mark.parametrize(
    ("reported", "expected"),
    [(282.0, ["14.2 peer_outlier warning"]), (7.1, [])],
)
def test_la_count_as_rate_stands_out_among_us_cities_of_a_million(
    iso2014: Catalog, reported: float, expected: list[str]
) -> None:
    context = ValidationContext(peers={"14.2": PEER_RATES})
    findings = validate(iso2014, {}, reported={"14.2": reported}, context=context)
    assert _rules(findings) == expected


# (b) A served population exceeding the total: the Los Angeles urban agglomeration (11.8 M,
# census 2000) entered as the population served by wastewater collection of the city proper
# (3.7 M) -- a utility reporting its whole service area.
@pytest.mark.parametrize(
    ("served", "population", "expected"),
    [
        (
            POPULATION[(2000, "Urban agglomeration")],
            POPULATION[(2000, CITY)],
            ["20.1 served_exceeds_total error"],
        ),
        (
            # Both figures for the agglomeration: the ratio looks fine, the boundary does not.
            POPULATION[(2000, "Urban agglomeration")],
            POPULATION[(2000, "Urban agglomeration")],
            ["20.1 registered_population warning", "20.1 served_exceeds_registered error"],
        ),
        (POPULATION[(2000, CITY)], POPULATION[(2000, CITY)], []),  # clean twin
    ],
)
def test_la_served_population_above_city_population_is_an_error(
    iso2014: Catalog, served: int, population: int, expected: list[str]
) -> None:
    inputs = {
        "20.1": {
            "population_with_wastewater_collection": RawInput(served),
            "population": RawInput(population),
        }
    }
    context = ValidationContext(city_population=POPULATION[(2000, CITY)])
    assert _rules(validate(iso2014, inputs, context=context)) == expected


# (c) A per-capita value in a total field: LA's 2016 GHG total is 38,326,199 t and its own
# published per-capita figure 9.64 t; typing 9.64 as the total gives 2.4e-06 t per person.
def _ghg_history_before(year: int) -> dict[str, list[tuple[int, float]]]:
    return {"8.3": [(y, float(r["per_capita_t_co2e"])) for y, r in GHG.items() if y < year]}


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (
            float(GHG[2016]["per_capita_t_co2e"]),
            ["8.3 reported_vs_computed error", "8.3 year_over_year warning"],
        ),
        (float(GHG[2016]["total_t_co2e"]), []),  # clean twin
    ],
)
def test_la_per_capita_ghg_typed_into_total_field_is_an_error(
    iso2014: Catalog, total: float, expected: list[str]
) -> None:
    inputs = {
        "8.3": {"ghg_emissions": RawInput(total), "population": RawInput(POPULATION[(2016, CITY)])}
    }
    context = ValidationContext(year=2016, history=_ghg_history_before(2016))
    reported = {"8.3": float(GHG[2016]["per_capita_t_co2e"])}
    findings = validate(iso2014, inputs, reported=reported, context=context)
    assert _rules(findings) == expected
    if expected:
        assert findings[0].details["cause"] == "equals_raw_total"
        assert "9.64" in findings[0].message.en


def test_la_ghg_total_reported_as_the_per_capita_value_is_an_error(iso2014: Catalog) -> None:
    inputs = {
        "8.3": {
            "ghg_emissions": RawInput(float(GHG[2016]["total_t_co2e"])),
            "population": RawInput(POPULATION[(2016, CITY)]),
        }
    }
    reported = {"8.3": float(GHG[2016]["total_t_co2e"])}  # the total, not divided
    findings = validate(iso2014, inputs, reported=reported)
    assert _rules(findings) == ["8.3 reported_vs_computed error"]
    assert findings[0].details["cause"] == "equals_raw_total"


def test_la_published_per_capita_ghg_matches_total_over_undata_population() -> None:
    # Cross-source check behind the clean twin: the city's 9.64 t agrees with 38.3 Mt / UNdata.
    computed = float(GHG[2016]["total_t_co2e"]) / POPULATION[(2016, CITY)]
    assert computed == pytest.approx(float(GHG[2016]["per_capita_t_co2e"]), rel=0.01)


def test_one_la_cycle_with_all_three_mistakes_reports_all_of_them(iso2014: Catalog) -> None:
    pop_2016 = POPULATION[(2016, CITY)]
    inputs = {
        "8.3": {"ghg_emissions": RawInput(9.64), "population": RawInput(pop_2016)},
        "14.2": {"homicides": RawInput(HOMICIDES[2016]), "population": RawInput(pop_2016)},
        "20.1": {
            "population_with_wastewater_collection": RawInput(
                POPULATION[(2000, "Urban agglomeration")]
            ),
            "population": RawInput(pop_2016),
        },
    }
    reported = {"8.3": 9.64, "14.2": float(HOMICIDES[2016])}
    findings = validate(iso2014, inputs, reported=reported)
    assert _rules(findings) == [
        "8.3 reported_vs_computed error",
        "14.2 rate_equals_count error",
        "20.1 served_exceeds_total error",
    ]
