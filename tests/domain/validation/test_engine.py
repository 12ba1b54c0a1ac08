"""The validation engine's contract: all findings, fixed order, bilingual text, JSON shape."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from citycert.domain.calculation import RawInput, compute_catalog
from citycert.domain.validation import ValidationContext, has_errors, validate
from citycert.domain.validation.findings import fmt, fmt_change
from citycert.standards.catalog import Catalog, load_catalog
from citycert.standards.validation import RuleSet, Severity, default_rule_paths, load_rules

DATA = Path(__file__).parents[2] / "data" / "validation"

MESSY = {
    "1.1": {"unemployed_persons": RawInput(200000), "labour_force": RawInput(150000)},
    "1.3": {"unemployed_youth": RawInput(9000), "labour_force": RawInput(140000)},
    "2.1": {"homicides": RawInput(50), "population": RawInput(1_000_000)},
    "3.1": {"ghg_emissions": RawInput(9.5), "population": RawInput(1_000_000)},
    "3.2": {
        "population_served_wastewater": RawInput(1_300_000),
        "population": RawInput(1_200_000),
    },
    "4.1": {"waste_recycled": RawInput(30), "waste_total": RawInput(100)},
    "4.2": {"waste_landfilled": RawInput(50), "waste_total": RawInput(100)},
    "4.3": {"waste_other": RawInput(5), "waste_total": RawInput(100)},
}
REPORTED = {"2.1": 50.0, "3.1": 9.5, "3.3": 12000.0}
CONTEXT = ValidationContext(city_population=1_000_000, peers={"3.3": [10, 11, 12, 13, 14]})


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DATA / "synthetic_catalog.yaml")


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules([*default_rule_paths(), DATA / "synthetic_groups.yaml"])


def test_order_is_catalogue_then_rule_order_whatever_the_input_order(
    catalog: Catalog, rules: RuleSet
) -> None:
    first = validate(catalog, MESSY, reported=REPORTED, context=CONTEXT, rules=rules)
    items = list(MESSY.items())
    random.Random(7).shuffle(items)
    again = validate(catalog, dict(items), reported=REPORTED, context=CONTEXT, rules=rules)
    assert [f.as_dict() for f in again] == [f.as_dict() for f in first]
    numbers = [ind.number for ind in catalog.indicators]
    keys = [(numbers.index(f.indicator), rules.position(f.rule)) for f in first]
    assert keys == sorted(keys)
    assert len({f.indicator for f in first}) >= 6  # every indicator's problems, not the first


def test_every_message_is_filled_in_both_languages(catalog: Catalog, rules: RuleSet) -> None:
    findings = validate(catalog, MESSY, reported=REPORTED, context=CONTEXT, rules=rules)
    assert findings
    for f in findings:
        for text in (f.message.en, f.message.ko, f.hint.en, f.hint.ko):
            assert "{" not in text and "}" not in text, text
        assert f.message.en != f.message.ko
        assert any("\uac00" <= ch <= "\ud7a3" for ch in f.message.ko)
        # Korean messages carry the Korean indicator name, English ones the English name.
        ind = catalog.get(f.indicator)
        assert ind is not None
        assert ind.name.ko in f.message.ko or f.rule == "test_waste_shares"


def test_findings_serialise_to_json_with_bilingual_message_and_hint(
    catalog: Catalog, rules: RuleSet
) -> None:
    findings = validate(catalog, MESSY, reported=REPORTED, context=CONTEXT, rules=rules)
    data = json.loads(json.dumps([f.as_dict() for f in findings]))
    for item in data:
        assert set(item) >= {"indicator", "rule", "severity", "message", "hint"}
        assert set(item["message"]) == set(item["hint"]) == {"en", "ko"}
        assert item["severity"] in {"error", "warning"}


def test_given_results_are_used_as_computed(catalog: Catalog, rules: RuleSet) -> None:
    results = compute_catalog(catalog, MESSY)
    given = validate(catalog, MESSY, results, REPORTED, CONTEXT, rules)
    computed_here = validate(catalog, MESSY, None, REPORTED, CONTEXT, rules)
    assert [f.as_dict() for f in given] == [f.as_dict() for f in computed_here]


def test_more_specific_finding_replaces_the_generic_ones_on_the_same_indicator(
    catalog: Catalog, rules: RuleSet
) -> None:
    inputs = {
        "3.2": {
            "population_served_wastewater": RawInput(1_300_000),
            "population": RawInput(1_000_000),
        }
    }
    findings = validate(catalog, inputs, context=CONTEXT, rules=rules)
    assert [f.rule for f in findings] == ["served_exceeds_total"]
    # Without the specific rule the generic ones speak.
    generic = RuleSet(tuple(r for r in rules.rules if not r.id.startswith("served_")))
    assert [f.rule for f in validate(catalog, inputs, rules=generic)] == [
        "numerator_le_denominator"
    ]


def test_unknown_indicator_and_non_finite_reported_value_are_errors(
    catalog: Catalog, rules: RuleSet
) -> None:
    findings = validate(catalog, {}, reported={"9.9": 1.0, "3.3": math.nan}, rules=rules)
    assert [(f.indicator, f.rule) for f in findings] == [
        ("9.9", "engine.unknown_indicator"),
        ("3.3", "engine.invalid_reported"),
    ]
    assert has_errors(findings)
    assert all(f.message.ko and f.hint.ko for f in findings)


def test_nothing_to_check_gives_no_findings(catalog: Catalog) -> None:
    assert validate(catalog, {}) == []


def test_warnings_alone_do_not_block_submission(catalog: Catalog, rules: RuleSet) -> None:
    inputs = {"2.1": {"homicides": RawInput(50), "population": RawInput(2_500_000)}}
    findings = validate(catalog, inputs, context=CONTEXT, rules=rules)
    assert [f.severity for f in findings] == [Severity.warning]
    assert not has_errors(findings)
    assert not findings[0].blocks_submission


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (38326199, "38,326,199"),
        (9.64, "9.64"),
        (7.09990702, "7.1"),
        (2.4245e-06, "2.42e-06"),
        (0, "0"),
    ],
)
def test_numbers_in_messages_read_naturally(x: float, text: str) -> None:
    assert fmt(x) == text


@pytest.mark.parametrize(
    ("ratio", "text"), [(1.153, "+15.3 %"), (0.9, "-10.0 %"), (2.53, "×2.53"), (0.001, "÷1,000")]
)
def test_changes_read_as_percent_or_factor(ratio: float, text: str) -> None:
    assert fmt_change(ratio) == text
