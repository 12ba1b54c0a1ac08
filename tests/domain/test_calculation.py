"""Calculation engine: data tables of inputs -> expected values, and bad-input twins."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from citycert.domain.calculation import RawInput, Status, compute, compute_catalog
from citycert.standards.catalog import Catalog, get_catalog, load_catalog

DATA = Path(__file__).parents[1] / "data" / "calculation"


def _catalog(key: str) -> Catalog:
    if key == "synthetic":
        return load_catalog(DATA / "synthetic_catalog.yaml")
    return get_catalog(key)


def _cases(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def _run(case: dict[str, Any]):  # type: ignore[no-untyped-def]
    cat = _catalog(case["catalog"])
    ind = cat.get(case["indicator"])
    assert ind is not None, f"{case['catalog']} has no {case['indicator']}"
    inputs = {
        k: RawInput(float(v[0]), v[1] if len(v) > 1 else None) for k, v in case["inputs"].items()
    }
    return compute(cat, ind, inputs)


@pytest.mark.parametrize("case", _cases("cases.yaml"), ids=lambda c: c["name"])
def test_computes_expected_value(case: dict[str, Any]) -> None:
    result = _run(case)
    assert result.status is Status(case["expect"]["status"]), result.messages
    assert result.value == pytest.approx(case["expect"]["value"], rel=1e-6)
    if "rounded_2" in case["expect"]:
        assert round(result.value, 2) == case["expect"]["rounded_2"]
    assert result.provenance is not None
    assert result.provenance.catalog_version


@pytest.mark.parametrize("case", _cases("cases-with-problems.yaml"), ids=lambda c: c["name"])
def test_bad_input_gives_explicit_status_and_bilingual_message(case: dict[str, Any]) -> None:
    result = _run(case)
    expect = case["expect"]
    assert result.status is Status(expect["status"])
    assert result.value == expect.get("value")
    assert result.value is None or math.isfinite(result.value)
    assert any(expect["message"] in m.en for m in result.messages), result.messages
    assert any(expect["ko"] in m.ko for m in result.messages), result.messages


def test_every_missing_input_is_reported_not_only_the_first() -> None:
    cat = _catalog("synthetic")
    ind = cat.get("1.4")
    assert ind is not None
    result = compute(cat, ind, {})
    assert result.status is Status.missing_input
    assert len(result.messages) == 3


def test_provenance_records_converted_inputs_and_formula() -> None:
    cat = _catalog("synthetic")
    ind = cat.get("1.2")
    assert ind is not None
    result = compute(cat, ind, {"waste_collected": RawInput(500, "kg"), "population": RawInput(2)})
    assert result.provenance is not None
    assert result.provenance.inputs == {"waste_collected": 0.5, "population": 2}
    assert result.provenance.formula == "(waste_collected) / (population)"
    assert result.provenance.catalog == "iso99999-2020"


def test_compute_catalog_keeps_catalogue_order_and_skips_indicators_without_inputs() -> None:
    cat = _catalog("synthetic")
    results = compute_catalog(
        cat,
        {
            "1.3": {"total_energy": RawInput(10), "population": RawInput(5)},
            "1.1": {"green_area": RawInput(1), "population": RawInput(100000)},
        },
    )
    assert [r.number for r in results] == ["1.1", "1.3"]
    assert [r.value for r in results] == [1.0, 2.0]
