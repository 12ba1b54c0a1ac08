"""The built-in catalogues: counts per standard, edition and type; bilingual names; provenance."""

from __future__ import annotations

from collections import Counter

import pytest

from citycert.domain.units import parse_unit
from citycert.standards.catalog import all_catalogs, get_catalog, load_crosswalk
from citycert.standards.models import Confidence, IndicatorType, Role

# (catalogue, type) -> count. ISO 37120:2018's core/supporting split follows per-row evidence
# (47/57; public summaries say 45/59), see the catalogue note.
EXPECTED = {
    ("iso37120-2014", IndicatorType.core): 46,
    ("iso37120-2014", IndicatorType.supporting): 54,
    ("iso37120-2014", IndicatorType.profile): 38,
    ("iso37120-2018", IndicatorType.core): 47,
    ("iso37120-2018", IndicatorType.supporting): 57,
    ("iso37120-2018", IndicatorType.profile): 24,
    ("iso37122-2019", IndicatorType.indicator): 80,
    ("iso37123-2019", IndicatorType.indicator): 67,
}
THEMES = {"iso37120-2014": 17, "iso37120-2018": 19}
BUILT_IN = sorted({k for k, _ in EXPECTED})


@pytest.mark.parametrize(("key", "kind"), sorted(EXPECTED), ids=lambda v: str(v))
def test_catalogue_has_expected_count_per_type(key: str, kind: IndicatorType) -> None:
    counts = Counter(i.type for i in get_catalog(key).indicators)
    assert counts[kind] == EXPECTED[(key, kind)]


@pytest.mark.parametrize("key", BUILT_IN)
def test_catalogue_has_no_unexpected_types(key: str) -> None:
    kinds = {i.type for i in get_catalog(key).indicators}
    assert kinds == {k for (c, k) in EXPECTED if c == key}


def test_iso37120_2018_counts_104_core_and_supporting() -> None:
    assert len(get_catalog("iso37120-2018").counted()) == 104
    assert len(get_catalog("iso37120-2014").counted()) == 100


@pytest.mark.parametrize(("key", "n"), sorted(THEMES.items()))
def test_iso37120_theme_count(key: str, n: int) -> None:
    cat = get_catalog(key)
    used = {i.theme for i in cat.counted()}
    assert len(used) == n
    assert len([t for t in cat.themes if not t.profile]) == n


def test_iso37123_declares_what_is_not_yet_catalogued() -> None:
    cat = get_catalog("iso37123-2019")
    assert cat.data.expected_count == 68
    assert cat.data.note


@pytest.mark.parametrize("key", BUILT_IN)
def test_every_theme_and_indicator_has_english_and_korean_names(key: str) -> None:
    cat = get_catalog(key)
    hangul = range(0xAC00, 0xD7A4)
    for theme in cat.themes:
        assert theme.name.en.strip() and any(ord(c) in hangul for c in theme.name.ko), theme
    for ind in cat.indicators:
        assert ind.name.en.strip(), ind.number
        assert any(ord(c) in hangul for c in ind.name.ko), (ind.number, ind.name.ko)
        for inp in ind.formula.inputs if ind.formula else ():
            assert any(ord(c) in hangul for c in inp.label.ko), (ind.number, inp.name)


@pytest.mark.parametrize("key", BUILT_IN)
def test_every_indicator_cites_source_and_confidence(key: str) -> None:
    for ind in get_catalog(key).indicators:
        assert ind.source.strip(), ind.number
        assert ind.confidence in Confidence


@pytest.mark.parametrize("key", BUILT_IN)
def test_every_input_unit_is_understood_by_the_units_library(key: str) -> None:
    for ind in get_catalog(key).indicators:
        for inp in ind.formula.inputs if ind.formula else ():
            parse_unit(inp.unit)


@pytest.mark.parametrize("key", BUILT_IN)
def test_per_100000_indicators_divide_by_population_with_multiplier(key: str) -> None:
    for ind in get_catalog(key).indicators:
        if "per 100 000 population" not in ind.unit or ind.formula is None:
            continue
        assert ind.formula.multiplier == 100000, ind.number
        dens = ind.formula.by_role(Role.denominator)
        assert [d.name for d in dens] == ["population"], ind.number


@pytest.mark.parametrize("key", BUILT_IN)
def test_percent_indicators_multiply_by_100(key: str) -> None:
    for ind in get_catalog(key).indicators:
        if ind.unit.strip() == "%" and ind.formula is not None and ind.formula.is_ratio:
            assert ind.formula.multiplier == 100, ind.number


def test_indicator_keys_are_stable_and_unique() -> None:
    keys = [c.indicator_key(i) for c in all_catalogs().values() for i in c.indicators]
    assert len(keys) == len(set(keys))
    assert "iso37120-2018:5.1" in keys


def test_crosswalk_pairs_exist_in_both_editions() -> None:
    cw = load_crosswalk()
    old, new = get_catalog(cw.old_catalog), get_catalog(cw.new_catalog)
    assert len(cw.pairs) >= 80
    for pair in cw.pairs:
        assert old.get(pair.old) is not None, pair
        assert new.get(pair.new) is not None, pair
    olds = [p.old for p in cw.pairs]
    assert len(olds) == len(set(olds))
    homicides = next(p for p in cw.pairs if p.old == "14.2")
    assert homicides.new == "15.5"
    assert homicides.relation == "same"
