"""Validation rule files: strict loading, every template implemented, selectors, real catalogues."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from citycert.domain.calculation import Status
from citycert.domain.validation.registry import CHECKERS
from citycert.standards.catalog import all_catalogs, get_catalog
from citycert.standards.models import Indicator
from citycert.standards.validation import (
    CalculationStatusName,
    GroupSumRule,
    Selector,
    Template,
    check_rules_against_catalog,
    default_rule_paths,
    load_rules,
    template_fields,
)
from citycert.standards.yaml_loader import StandardsFileError

GOOD_RULE = """\
ruleset: custom
version: "1"
title: {en: Custom, ko: 사용자 규칙}
source: tests
rules:
  - id: custom_range
    template: percent_range
    selector: {unit_matches: "^%"}
    params: {min: 0, max: 50}
    severity: warning
    message: {en: "{indicator}: {value} % above {max}", ko: "{indicator}: {value}%가 {max}% 초과"}
    hint: {en: "Check it.", ko: "확인하십시오."}
    source: tests
    confidence: low
"""


def _write(tmp_path: Path, text: str, name: str = "custom.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_built_in_rule_files_load_with_unique_ids_and_sources() -> None:
    rules = load_rules()
    ids = [r.id for r in rules.rules]
    assert len(ids) == len(set(ids)) >= 15
    assert all(r.source.strip() and r.confidence for r in rules.rules)
    assert {Template(r.template) for r in rules.rules} == set(Template)


def test_every_template_has_a_checker() -> None:
    assert set(CHECKERS) == set(Template)


def test_calculation_status_names_match_the_calculation_engine() -> None:
    names = set(typing.get_args(CalculationStatusName))
    assert names == {s.value for s in Status if s is not Status.ok}
    covered = {r.params.status for r in load_rules().rules if r.template == "calculation_status"}
    assert covered == names


def test_every_user_facing_text_is_bilingual_and_uses_known_placeholders() -> None:
    def hangul(text: str) -> bool:
        return any("\uac00" <= ch <= "\ud7a3" for ch in text)

    for rule in load_rules().rules:
        for text in (rule.message, rule.hint):
            assert template_fields(text.en) == template_fields(text.ko), rule.id
            words = re.sub(r"\{[a-z_]+\}", "", text.ko)
            assert hangul(words) or not re.search(r"[A-Za-z]", words), rule.id
        assert hangul(rule.hint.ko), rule.id


def test_a_user_rule_file_loads_alongside_the_built_in_ones(tmp_path: Path) -> None:
    custom = _write(tmp_path, GOOD_RULE)
    rules = load_rules([*default_rule_paths(), custom])
    assert rules.rules[-1].id == "custom_range"
    assert rules.position("custom_range") == len(rules.rules) - 1


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        ("{value} % above", "{valeu} % above", "message:", "unknown placeholder"),
        ("template: percent_range", "template: percent_ranges", "template:", "template"),
        ("{min: 0, max: 50}", "{min: 60, max: 50}", "params:", "min must be below max"),
        ("{min: 0, max: 50}", "{min: 0, max: 50, step: 1}", "params:", "Extra inputs"),
        ('unit_matches: "^%"', 'unit_matches: "^(%"', "selector:", "regular expression"),
        ("severity: warning", "severity: fatal", "severity:", "severity"),
        ("id: custom_range", "id: Custom Range", "id: ", "snake_case"),
    ],
)
def test_bad_rule_file_names_file_and_line(
    tmp_path: Path, old: str, new: str, fragment: str, message: str
) -> None:
    text = GOOD_RULE.replace(old, new)
    assert text != GOOD_RULE
    path = _write(tmp_path, text)
    with pytest.raises(StandardsFileError) as err:
        load_rules([path])
    assert str(path) in str(err.value)
    assert message in str(err.value)
    lines = [line for line, _ in err.value.problems]
    assert _line_of(text, fragment) in lines


def test_rule_id_defined_twice_across_files_is_rejected(tmp_path: Path) -> None:
    a = _write(tmp_path, GOOD_RULE, "a.yaml")
    b = _write(tmp_path, GOOD_RULE.replace("ruleset: custom", "ruleset: other"), "b.yaml")
    with pytest.raises(StandardsFileError, match="already defined"):
        load_rules([a, b])


def test_supersedes_must_name_known_rules_without_cycles(tmp_path: Path) -> None:
    unknown = _write(tmp_path, GOOD_RULE.replace("severity:", "supersedes: [nope]\n    severity:"))
    with pytest.raises(StandardsFileError, match="unknown rule"):
        load_rules([unknown])
    looped = _write(
        tmp_path,
        GOOD_RULE.replace("severity:", "supersedes: [custom_range]\n    severity:"),
        "loop.yaml",
    )
    with pytest.raises(StandardsFileError, match="cycle"):
        load_rules([looped])


def test_supersession_is_transitive() -> None:
    rules = load_rules()
    assert {"numerator_le_denominator", "percent_range", "calc.over_100_percent"} <= (
        rules.superseded_by("served_exceeds_total")
    )
    assert "served_exceeds_total" not in rules.superseded_by("numerator_le_denominator")


def _indicator(
    unit: str, bounded: bool, num_unit: str = "person", den: str = "population"
) -> Indicator:
    return Indicator.model_validate(
        {
            "number": "1.1",
            "theme": 1,
            "type": "core",
            "name": {"en": "x", "ko": "엑스"},
            "unit": unit,
            "formula": {
                "multiplier": 100,
                "bounded": bounded,
                "inputs": [
                    {
                        "name": "part",
                        "role": "numerator",
                        "unit": num_unit,
                        "label": {"en": "p", "ko": "부분"},
                    },
                    {
                        "name": den,
                        "role": "denominator",
                        "unit": "person",
                        "label": {"en": "w", "ko": "전체"},
                    },
                ],
            },
            "source": "t",
            "confidence": "high",
        }
    )


@pytest.mark.parametrize(
    ("selector", "indicator", "matches"),
    [
        ({}, _indicator("%", True), True),
        ({"unit_matches": "^%", "bounded": True}, _indicator("%", True), True),
        ({"unit_matches": "^%", "bounded": True}, _indicator("%", False), False),
        ({"unit_matches": "^%"}, _indicator("per 100 000 population", False), False),
        ({"catalogs": ["iso37120-2018"]}, _indicator("%", True), False),
        ({"numbers": ["1.1"]}, _indicator("%", True), True),
        ({"multipliers": [100000, 1000]}, _indicator("%", True), False),
        ({"denominator_input": "population"}, _indicator("%", True), True),
        ({"denominator_input": "population"}, _indicator("%", True, den="labour_force"), False),
        ({"numerator_unit": "person"}, _indicator("%", True, num_unit="t"), False),
        ({"types": ["supporting"]}, _indicator("%", True), False),
    ],
)
def test_selector_matches_by_catalogue_properties(
    selector: dict[str, object], indicator: Indicator, matches: bool
) -> None:
    assert Selector.model_validate(selector).matches("iso37120-2014", indicator) is matches


@pytest.mark.parametrize("key", sorted(all_catalogs()))
def test_rules_fit_every_built_in_catalogue(key: str) -> None:
    assert check_rules_against_catalog(load_rules(), get_catalog(key)) == []


def test_sum_groups_exist_for_both_iso37120_editions_and_cover_percent_shares() -> None:
    groups = [g for r in load_rules().rules if isinstance(r, GroupSumRule) for g in r.params.groups]
    assert {g.catalog for g in groups} >= {"iso37120-2014", "iso37120-2018"}
    for g in groups:
        cat = get_catalog(g.catalog)
        members = [cat.get(n) for n in g.members]
        assert all(m is not None and m.formula is not None and m.formula.bounded for m in members)
        # One whole: every member divides by the same denominator input.
        dens = {m.formula.inputs[-1].name for m in members if m is not None and m.formula}
        assert len(dens) == 1, (g.catalog, g.id, dens)


def test_check_against_catalogue_reports_a_group_member_it_lacks(tmp_path: Path) -> None:
    text = (default_rule_paths()[0].parent / "sum_groups.yaml").read_text(encoding="utf-8")
    broken = _write(tmp_path, text.replace('"16.8"]', '"16.99"]', 1))
    problems = check_rules_against_catalog(load_rules([broken]), get_catalog("iso37120-2014"))
    assert problems == ["shares_sum_to_total/solid_waste_destinations: iso37120-2014 has no 16.99"]


@pytest.mark.parametrize(
    ("file", "old", "new", "where"),
    [
        ("sum_groups.yaml", "not yet given: {missing}", "{missin}", "message_partial"),
        ("consistency.yaml", "close to {denominator_names}", "{denominator_nam}", "causes"),
    ],
)
def test_unknown_placeholder_in_a_message_variant_is_rejected(
    tmp_path: Path, file: str, old: str, new: str, where: str
) -> None:
    text = (default_rule_paths()[0].parent / file).read_text(encoding="utf-8")
    assert old in text
    broken = _write(tmp_path, text.replace(old, new))
    with pytest.raises(StandardsFileError, match=f"{where}.*unknown placeholder") as err:
        load_rules([broken])
    assert _line_of(text, old) in [line for line, _ in err.value.problems]
