"""Real published figures reproduced by the engine from raw inputs (see tests/data/real)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from citycert.domain.calculation import RawInput, Status, compute
from citycert.standards.catalog import get_catalog

REAL = Path(__file__).parents[1] / "data" / "real"


def _la_rows() -> list[dict[str, str]]:
    with (REAL / "la_ghg_per_capita.csv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["population"]]


@pytest.mark.parametrize("row", _la_rows(), ids=lambda r: r["year"])
def test_los_angeles_ghg_per_capita_matches_the_citys_published_figure(row: dict[str, str]) -> None:
    cat = get_catalog("iso37120-2014")
    ind = cat.get("8.3")
    assert ind is not None
    result = compute(
        cat,
        ind,
        {
            "ghg_emissions": RawInput(float(row["ghg_emissions_t"]), "t"),
            "population": RawInput(float(row["population"])),
        },
    )
    assert result.status is Status.ok
    assert result.value is not None
    assert round(result.value, 2) == float(row["published_t_per_capita"])


def test_los_angeles_ghg_given_in_kilotonnes_gives_the_same_value() -> None:
    cat = get_catalog("iso37120-2014")
    ind = cat.get("8.3")
    assert ind is not None
    result = compute(
        cat, ind, {"ghg_emissions": RawInput(38326.199, "kt"), "population": RawInput(3976322)}
    )
    assert result.value is not None
    assert round(result.value, 2) == 9.64


def test_toronto_homicide_rate_carries_to_the_2018_edition() -> None:
    cat = get_catalog("iso37120-2018")
    ind = cat.get("15.5")
    assert ind is not None
    result = compute(cat, ind, {"homicides": RawInput(50), "population": RawInput(2790200)})
    assert result.value is not None
    assert round(result.value, 2) == 1.79
