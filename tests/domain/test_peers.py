"""Peer groups and theme scores: the documented comparison method, as data tables."""

from __future__ import annotations

import pytest

from citycert.domain.peers import (
    MAX_PEERS,
    CityFacts,
    GroupKind,
    IndicatorInfo,
    Rank,
    group_of,
    percentiles,
    rank,
    score_group,
    select_peers,
)
from citycert.standards.models import Direction

P, R, C, INC = GroupKind.population, GroupKind.region, GroupKind.climate, GroupKind.income


@pytest.mark.parametrize(
    ("facts", "kind", "expected"),
    [
        (CityFacts("a", "KR", population=249_999), P, "small"),
        (CityFacts("a", "KR", population=250_000), P, "medium"),
        (CityFacts("a", "KR", population=999_999), P, "medium"),
        (CityFacts("a", "KR", population=1_000_000), P, "large"),
        (CityFacts("a", "KR", population=4_999_999), P, "large"),
        (CityFacts("a", "KR", population=5_000_000), P, "mega"),
        (CityFacts("a", "KR", gdp_per_capita_usd=1_145), INC, "low"),
        (CityFacts("a", "KR", gdp_per_capita_usd=1_146), INC, "lower_middle"),
        (CityFacts("a", "KR", gdp_per_capita_usd=14_005), INC, "upper_middle"),
        (CityFacts("a", "KR", gdp_per_capita_usd=14_006), INC, "high"),
        (CityFacts("a", "KR", climate_zone="Cfa"), C, "C"),
        (CityFacts("a", "KR", climate_zone="BSk"), C, "B"),
        (CityFacts("a", "KR", region="Yeongnam"), R, "yeongnam"),
        (CityFacts("a", "KR", region=" "), R, "country:KR"),
        (CityFacts("a", "KR"), R, "country:KR"),
    ],
)
def test_city_falls_in_the_documented_group(
    facts: CityFacts, kind: GroupKind, expected: str
) -> None:
    key = group_of(facts, kind)
    assert key is not None and key.id == expected
    assert key.label.en and key.label.ko


@pytest.mark.parametrize(
    ("facts", "kind"),
    [
        (CityFacts("a", "KR"), P),
        (CityFacts("a", "KR"), INC),
        (CityFacts("a", "KR"), C),
        (CityFacts("a", "KR", climate_zone="X"), C),
    ],
)
def test_city_without_the_needed_fact_has_no_group(facts: CityFacts, kind: GroupKind) -> None:
    assert group_of(facts, kind) is None
    assert select_peers(facts, [CityFacts("b", "KR", population=10)], kind) == []


def test_peer_group_keeps_same_band_only_and_puts_the_city_first() -> None:
    city = CityFacts("mid", "KR", population=2_000_000)
    others = [
        CityFacts("near", "KR", population=2_100_000),
        CityFacts("far", "KR", population=4_900_000),
        CityFacts("tiny", "KR", population=100_000),
        CityFacts("unknown", "KR"),
    ]
    assert [c.slug for c in select_peers(city, [*others, city], P)] == ["mid", "near", "far"]


def test_large_group_is_cut_to_the_closest_in_size() -> None:
    city = CityFacts("c", "KR", population=1_000_000, region="R")
    others = [CityFacts(f"p{i:03d}", "KR", population=1_000_000 + i, region="R") for i in range(80)]
    group = select_peers(city, others, R)
    assert len(group) == MAX_PEERS + 1
    assert group[-1].slug == f"p{MAX_PEERS - 1:03d}"  # the 30 largest, furthest in size, left out


@pytest.mark.parametrize(
    ("values", "direction", "expected"),
    [
        ({"a": 10, "b": 20, "c": 30}, Direction.HIGHER, {"a": 0.0, "b": 0.5, "c": 1.0}),
        ({"a": 10, "b": 20, "c": 30}, Direction.LOWER, {"a": 1.0, "b": 0.5, "c": 0.0}),
        ({"a": 10, "b": 10, "c": 30}, Direction.HIGHER, {"a": 0.25, "b": 0.25, "c": 1.0}),
        ({"a": 5, "b": 5}, Direction.LOWER, {"a": 0.5, "b": 0.5}),
        ({"a": 10, "b": 20}, Direction.NEITHER, {}),
        ({"a": 10}, Direction.HIGHER, {}),
        ({}, Direction.HIGHER, {}),
    ],
)
def test_percentile_respects_direction_and_ties(
    values: dict[str, float], direction: Direction, expected: dict[str, float]
) -> None:
    assert percentiles(values, direction) == pytest.approx(expected)


def test_theme_score_is_mean_percentile_times_100_and_rank_counts_better_members() -> None:
    indicators = [
        IndicatorInfo("1.1", 1, Direction.HIGHER),
        IndicatorInfo("1.2", 1, Direction.LOWER),
        IndicatorInfo("2.1", 2, Direction.HIGHER),
        IndicatorInfo("2.2", 2, Direction.NEITHER),
    ]
    values = {
        "a": {"1.1": 10, "1.2": 1, "2.1": 3, "2.2": 9},
        "b": {"1.1": 20, "1.2": 2, "2.1": 1},
        "c": {"1.1": 30, "1.2": 3},
    }
    scores = score_group(values, indicators)
    # theme 1: a = mean(0, 1) = 50, b = mean(0.5, 0.5) = 50, c = mean(1, 0) = 50
    assert scores.theme[1] == pytest.approx({"a": 50.0, "b": 50.0, "c": 50.0})
    # theme 2: only 2.1 counts (2.2 is `neither`); c has no value there
    assert scores.theme[2] == pytest.approx({"a": 100.0, "b": 0.0})
    assert scores.overall == pytest.approx({"a": 75.0, "b": 25.0, "c": 50.0})
    assert scores.theme_rank(1, "b") == Rank(1, 3)
    assert scores.theme_rank(2, "b") == Rank(2, 2)
    assert scores.theme_rank(2, "c") is None
    assert scores.overall_rank("c") == Rank(2, 3)
    assert "2.2" not in scores.indicator


def test_city_alone_with_its_values_gets_no_scores() -> None:
    scores = score_group({"a": {"1.1": 10}}, [IndicatorInfo("1.1", 1, Direction.HIGHER)])
    assert scores.theme == {} and scores.overall == {}
    assert rank(scores.overall, "a") is None
