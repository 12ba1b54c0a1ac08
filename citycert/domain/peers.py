"""Peer groups of cities and theme scores within a group: the documented comparison method.

Method (shown on the comparison page as well):

1. Peer group. Cities are compared on one catalogue and one data year, among cities whose data
   for that year is public. A group is one of:
   - `population`: the same population band: under 250 000; 250 000 to under 1 million;
     1 million to under 5 million; 5 million and over (band edges are our own choice, in the
     spirit of common city-size classes; confidence medium);
   - `region`: the same region as recorded for the city (cities without a region: the same
     country);
   - `climate`: the same main Köppen climate group (first letter: A tropical, B arid,
     C temperate, D continental, E polar);
   - `income`: the same income band of GDP per capita in US dollars, using the World Bank's
     income thresholds for fiscal year 2025 (low up to 1 145; lower-middle up to 4 515;
     upper-middle up to 14 005; high above), which are defined on GNI per capita; applying them
     to GDP per capita is an approximation (confidence medium).
   When more than `MAX_PEERS` other cities qualify, the `MAX_PEERS` closest in population
   (smallest difference of the logarithm; ties by slug) form the group, so that each city is
   compared with cities of a similar size.
2. Indicator percentile. For each indicator whose catalogue direction is `higher` or `lower`
   (indicators marked `neither` are left out), among the n group members that report a value,
   a member's percentile is (number of members doing worse + half the number of other members
   with the same value) / (n - 1): 1 is the best in the group, 0 the worst. With fewer than two
   values there is no percentile.
3. Theme score = 100 x the mean of the member's indicator percentiles in that theme. Overall
   score = the mean of the member's theme scores.
4. Rank k/n: k = 1 + the number of members with a strictly higher score, n = the number of
   members with a score.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from citycert.standards.models import Confidence, Direction, Text

MAX_PEERS = 50


class GroupKind(StrEnum):
    population = "population"
    region = "region"
    climate = "climate"
    income = "income"


@dataclass(frozen=True)
class Band:
    """A half-open interval [low, high) of a number, with its label."""

    id: str
    low: float
    high: float
    label: Text

    def holds(self, value: float) -> bool:
        return self.low <= value < self.high


@dataclass(frozen=True)
class BandSet:
    bands: tuple[Band, ...]
    source: str
    confidence: Confidence

    def of(self, value: float | None) -> Band | None:
        """The band holding `value`; None when the value is unknown."""
        if value is None:
            return None
        return next((b for b in self.bands if b.holds(value)), None)


POPULATION_BANDS = BandSet(
    bands=(
        Band("small", 0, 250_000, Text(en="under 250,000", ko="25만 명 미만")),
        Band("medium", 250_000, 1_000_000, Text(en="250,000 to 1 million", ko="25만~100만 명")),
        Band("large", 1_000_000, 5_000_000, Text(en="1 to 5 million", ko="100만~500만 명")),
        Band("mega", 5_000_000, math.inf, Text(en="5 million and over", ko="500만 명 이상")),
    ),
    source="CityCert's own size classes, after common small/medium/large/mega city classes",
    confidence=Confidence.medium,
)

INCOME_BANDS = BandSet(
    bands=(
        Band("low", 0, 1_146, Text(en="low income", ko="저소득")),
        Band("lower_middle", 1_146, 4_516, Text(en="lower-middle income", ko="중저소득")),
        Band("upper_middle", 4_516, 14_006, Text(en="upper-middle income", ko="중고소득")),
        Band("high", 14_006, math.inf, Text(en="high income", ko="고소득")),
    ),
    source="World Bank country income classifications, FY2025 thresholds (GNI per capita, "
    "Atlas method; https://datahelpdesk.worldbank.org), applied to GDP per capita",
    confidence=Confidence.medium,
)

CLIMATE_GROUPS: Mapping[str, Text] = {
    "A": Text(en="tropical (A)", ko="열대 기후(A)"),
    "B": Text(en="arid (B)", ko="건조 기후(B)"),
    "C": Text(en="temperate (C)", ko="온대 기후(C)"),
    "D": Text(en="continental (D)", ko="냉대 기후(D)"),
    "E": Text(en="polar (E)", ko="한대 기후(E)"),
}


@dataclass(frozen=True)
class CityFacts:
    """What grouping looks at; `region` None falls back to the country."""

    slug: str
    country: str
    population: int | None = None
    region: str | None = None
    climate_zone: str | None = None
    gdp_per_capita_usd: float | None = None


@dataclass(frozen=True)
class GroupKey:
    """Which group a city falls in under one kind: a stable id and a label."""

    kind: GroupKind
    id: str
    label: Text


def group_id(city: CityFacts, kind: GroupKind) -> str | None:
    """The id of the city's group of this kind (cheap; no label); None when a fact is unknown."""
    if kind is GroupKind.population:
        band = POPULATION_BANDS.of(city.population)
        return None if band is None else band.id
    if kind is GroupKind.income:
        band = INCOME_BANDS.of(city.gdp_per_capita_usd)
        return None if band is None else band.id
    if kind is GroupKind.climate:
        letter = (city.climate_zone or "")[:1].upper()
        return letter if letter in CLIMATE_GROUPS else None
    if city.region and city.region.strip():
        return city.region.strip().casefold()
    return f"country:{city.country}"


def group_of(city: CityFacts, kind: GroupKind) -> GroupKey | None:
    """The city's group of this kind with its label; None when the needed fact is unknown."""
    gid = group_id(city, kind)
    if gid is None:
        return None
    if kind is GroupKind.population:
        return GroupKey(kind, gid, _band(POPULATION_BANDS, gid).label)
    if kind is GroupKind.income:
        return GroupKey(kind, gid, _band(INCOME_BANDS, gid).label)
    if kind is GroupKind.climate:
        return GroupKey(kind, gid, CLIMATE_GROUPS[gid])
    name = (city.region or "").strip() or city.country
    return GroupKey(kind, gid, Text(en=name, ko=name))


def _band(bands: BandSet, band_id: str) -> Band:
    return next(b for b in bands.bands if b.id == band_id)


def _size_distance(a: CityFacts, b: CityFacts) -> float:
    if not a.population or not b.population:
        return math.inf
    return abs(math.log(a.population) - math.log(b.population))


def select_peers(
    city: CityFacts, candidates: Iterable[CityFacts], kind: GroupKind, max_peers: int = MAX_PEERS
) -> list[CityFacts]:
    """The city's peer group (the city first, then its peers by closeness); [] without a group."""
    key = group_id(city, kind)
    if key is None:
        return []
    same = [c for c in candidates if c.slug != city.slug and group_id(c, kind) == key]
    same.sort(key=lambda c: (_size_distance(city, c), c.slug))
    return [city, *same[:max_peers]]


def percentiles(values: Mapping[str, float], direction: Direction) -> dict[str, float]:
    """Each member's percentile in 0..1 (1 best) for one indicator; {} for `neither` or n < 2."""
    if direction is Direction.NEITHER or len(values) < 2:
        return {}
    ordered = sorted(values.values())
    n = len(ordered)
    out: dict[str, float] = {}
    for member, v in values.items():
        below = _count_below(ordered, v)
        equal = _count_below(ordered, v, inclusive=True) - below
        worse = below if direction is Direction.HIGHER else n - below - equal
        out[member] = (worse + 0.5 * (equal - 1)) / (n - 1)
    return out


def _count_below(ordered: Sequence[float], v: float, inclusive: bool = False) -> int:
    """How many of the sorted values are below `v` (or at most `v`): a binary search in C."""
    return bisect.bisect_right(ordered, v) if inclusive else bisect.bisect_left(ordered, v)


@dataclass(frozen=True)
class IndicatorInfo:
    """What scoring needs of a catalogue indicator."""

    number: str
    theme: int
    direction: Direction


@dataclass(frozen=True)
class Rank:
    k: int
    n: int


@dataclass(frozen=True)
class Scores:
    """Percentiles per indicator, theme scores (0..100) and overall score, for every member."""

    indicator: Mapping[str, Mapping[str, float]]  # indicator -> member -> percentile
    theme: Mapping[int, Mapping[str, float]]  # theme -> member -> score
    overall: Mapping[str, float]  # member -> score

    def theme_rank(self, theme: int, member: str) -> Rank | None:
        return rank(self.theme.get(theme, {}), member)

    def overall_rank(self, member: str) -> Rank | None:
        return rank(self.overall, member)


def rank(scores: Mapping[str, float], member: str) -> Rank | None:
    """k/n of `member` (1 = best); None when it has no score."""
    if member not in scores:
        return None
    mine = scores[member]
    return Rank(1 + sum(1 for s in scores.values() if s > mine), len(scores))


def score_group(
    values: Mapping[str, Mapping[str, float]], indicators: Iterable[IndicatorInfo]
) -> Scores:
    """Scores of every member from `values[member][indicator number]` (see the module method)."""
    per_indicator: dict[str, dict[str, float]] = {}
    by_theme: dict[int, dict[str, list[float]]] = {}
    for ind in indicators:
        column = {m: row[ind.number] for m, row in values.items() if ind.number in row}
        pct = percentiles(column, ind.direction)
        if not pct:
            continue
        per_indicator[ind.number] = pct
        theme = by_theme.setdefault(ind.theme, {})
        for member, p in pct.items():
            theme.setdefault(member, []).append(p)
    themes = {
        number: {m: 100.0 * sum(ps) / len(ps) for m, ps in members.items()}
        for number, members in sorted(by_theme.items())
    }
    overall: dict[str, list[float]] = {}
    for members in themes.values():
        for m, s in members.items():
            overall.setdefault(m, []).append(s)
    return Scores(
        indicator=per_indicator,
        theme=themes,
        overall={m: sum(ss) / len(ss) for m, ss in overall.items()},
    )
