"""Validation rule families as data tables: figures in -> exact findings out, with clean twins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from citycert.domain.calculation import RawInput
from citycert.domain.validation import Finding, ValidationContext, validate
from citycert.standards.catalog import Catalog, load_catalog
from citycert.standards.validation import RuleSet, default_rule_paths, load_rules

DATA = Path(__file__).parents[2] / "data" / "validation"
CASES: list[dict[str, Any]] = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DATA / "synthetic_catalog.yaml")


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules([*default_rule_paths(), DATA / "synthetic_groups.yaml"])


def _raw(value: Any) -> RawInput:
    if isinstance(value, list):
        return RawInput(float(value[0]), value[1])
    return RawInput(float(value))


def run_case(case: dict[str, Any], catalog: Catalog, rules: RuleSet) -> list[Finding]:
    inputs = {
        number: {name: _raw(v) for name, v in values.items()}
        for number, values in (case.get("inputs") or {}).items()
    }
    ctx = case.get("context") or {}
    context = ValidationContext(
        city_population=ctx.get("city_population"),
        history={
            k: [(int(y), float(v)) for y, v in pts] for k, pts in ctx.get("history", {}).items()
        },
        peers={k: [float(v) for v in vals] for k, vals in ctx.get("peers", {}).items()},
        year=ctx.get("year"),
    )
    reported = {k: float(v) for k, v in (case.get("reported") or {}).items()}
    return validate(catalog, inputs, reported=reported, context=context, rules=rules)


def test_every_problem_case_has_a_clean_twin() -> None:
    names = {c["name"] for c in CASES}
    clean = {n.removesuffix("_clean") for n in names if n.endswith("_clean")}
    assert clean <= names
    assert len(clean) >= 15
    assert all(c["expect"] == [] for c in CASES if c["name"].endswith("_clean"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_validation_finds_exactly_the_expected_problems(
    case: dict[str, Any], catalog: Catalog, rules: RuleSet
) -> None:
    findings = run_case(case, catalog, rules)
    got = [f"{f.indicator} {f.rule} {f.severity.value}" for f in findings]
    assert got == case["expect"], [f.message.en for f in findings]
    for number, cause in (case.get("causes") or {}).items():
        assert [f.details["cause"] for f in findings if f.indicator == number] == [cause]
