"""What a cell means: numbers as people type them, percentages, dates, errors, and problems."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from citycert.io.workbook.cells import read_indicator, read_number, read_quality
from citycert.io.workbook.units_text import ValueRule, resolve_unit, value_rule
from citycert.standards.models import Input, Role, Text

COUNT = ValueRule(percent=False, low=0.0, high=None)
SHARE = ValueRule(percent=True, low=0.0, high=100.0)
CHANGE = ValueRule(percent=True, low=-100.0, high=None)
SIGNED = ValueRule(percent=False, low=None, high=None)


@pytest.mark.parametrize(
    ("raw", "number_format", "rule", "expected"),
    [
        (1234, "General", COUNT, 1234.0),
        (12.5, "General", COUNT, 12.5),
        ("1,234,567", None, COUNT, 1234567.0),
        ("1 234 567", None, COUNT, 1234567.0),
        ("1\u00a0234\u00a0567", None, COUNT, 1234567.0),
        ("  42 \u200b", None, COUNT, 42.0),
        ("0", None, COUNT, 0.0),
        (0.125, "0.0%", SHARE, 12.5),
        (0.07, "0%", SHARE, 7.0),
        ("12.5%", None, SHARE, 12.5),
        ("12.5 %", None, SHARE, 12.5),
        (-0.0053, "0.00%", CHANGE, -0.53),
        ("−1.2", None, SIGNED, -1.2),
        ("-3.5%", None, CHANGE, -3.5),
        (None, "General", COUNT, None),
        ("   ", None, COUNT, None),
    ],
)
def test_read_number_accepts_what_people_type(
    raw: object, number_format: str | None, rule: ValueRule, expected: float | None
) -> None:
    reading = read_number(raw, number_format, rule)
    assert reading.problem is None
    assert reading.value == expected


@pytest.mark.parametrize(
    ("raw", "number_format", "rule", "code"),
    [
        ("abc", None, COUNT, "not_a_number"),
        ("1.234.567", None, COUNT, "not_a_number"),
        ("n/a", None, COUNT, "not_a_number"),
        ("1,5", None, COUNT, "not_a_number"),
        (datetime(2023, 5, 1), "yyyy-mm-dd", COUNT, "date_value"),
        (date(2023, 5, 1), None, COUNT, "date_value"),
        (True, None, COUNT, "boolean_value"),
        ("#DIV/0!", None, COUNT, "formula_error"),
        ("#REF!", None, COUNT, "formula_error"),
        (-5, None, COUNT, "negative_value"),
        ("-5", None, COUNT, "negative_value"),
        (float("inf"), None, COUNT, "not_finite"),
        ("nan", None, COUNT, "not_finite"),
        (0.125, "0.0%", COUNT, "percent_not_expected"),
        ("12%", None, COUNT, "percent_not_expected"),
        (150, None, SHARE, "percent_above"),
        (-1, None, SHARE, "percent_below"),
        (-150, None, CHANGE, "percent_below"),
    ],
)
def test_read_number_with_problems_names_the_problem(
    raw: object, number_format: str | None, rule: ValueRule, code: str
) -> None:
    reading = read_number(raw, number_format, rule)
    assert reading.value is None
    assert reading.problem == code


def test_a_percent_format_marks_the_value_as_an_unambiguous_percentage() -> None:
    assert read_number(0.125, "0.0%", SHARE).as_percent
    assert read_number("12.5%", None, SHARE).as_percent
    assert not read_number(0.125, "General", SHARE).as_percent


def _input(unit: str, *, signed: bool = False) -> Input:
    return Input(name="x", role=Role.value, unit=unit, signed=signed, label=Text(en="x", ko="엑스"))


@pytest.mark.parametrize(
    ("unit", "signed", "rule"),
    [
        ("person", False, COUNT),
        ("percent", False, SHARE),
        ("%", False, SHARE),
        ("percent", True, CHANGE),
        ("degC", True, SIGNED),
        ("count", True, SIGNED),
    ],
)
def test_value_rule_follows_unit_and_signedness(unit: str, signed: bool, rule: ValueRule) -> None:
    assert value_rule(_input(unit, signed=signed)) == rule


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("A", "A"), ("b", "B"), (" C ", "C"), ("D등급", "D"), ("A (official)", "A"), (None, None)],
)
def test_read_quality_accepts_grades_in_any_case(raw: object, expected: str | None) -> None:
    assert read_quality(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["E", "AB", "good", "1"])
def test_read_quality_with_problems(raw: object) -> None:
    assert read_quality(raw) == (None, "bad_quality")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5.1", "5.1"),
        (5.1, "5.1"),
        (14.2, "14.2"),
        ("5.1 실업률 Unemployment rate", "5.1"),
        ("\u200b13.4.1 ", "13.4.1"),
        ("p.12 population", "P.12"),
        ("Economy", "Economy"),
        (None, None),
    ],
)
def test_read_indicator_finds_the_number(raw: object, expected: str | None) -> None:
    assert read_indicator(raw) == expected


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        (None, "person", (None, True)),
        ("명 person", "person", (None, True)),
        ("명", "person", (None, True)),
        ("persons", "person", (None, True)),
        ("km²", "km**2", (None, True)),
        ("ha", "km**2", ("ha", True)),
        ("kg", "person", ("kg", False)),
        ("furlongs per fortnight", "km", ("furlongs per fortnight", False)),
    ],
)
def test_resolve_unit_maps_the_templates_words_and_checks_conversions(
    text: str | None, unit: str, expected: tuple[str | None, bool]
) -> None:
    assert resolve_unit(text, unit) == expected
