"""Synthetic ISO 37120:2018 data around real cities: names and populations from UNdata.

Cities come from the UN Demographic Yearbook city-proper populations (`data/`, 4,662 cities);
beyond that many, the list repeats with a copy number and a population changed by up to 40 %.
Each city gets a fixed profile (where in each plausible band it sits, see `plausible.py`), and
each year moves a little from it, so the data pass the year-over-year checks as real data
would. The inputs of every indicator are derived from the drawn value so that the catalogue
formula gives it back; inputs shared by several indicators (population, labour force...) hold
one value per city-year. A small share of city-years carry a deliberate fault (a missing input,
a served population above the total) so that validation has something to find.
Everything is deterministic for a given seed.
"""

from __future__ import annotations

import csv
import gzip
import math
import random
import re
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from bench import plausible
from bench.countries import ISO2
from citycert.standards.catalog import Catalog, get_catalog
from citycert.standards.models import Role

UN_FILE = Path(__file__).parent / "data" / "un_city_population.csv.gz"
CATALOG = "iso37120-2018"
FIRST_YEAR = 2015
# The year a city's registered population (the UNdata figure) stands for: the latest year, so
# that earlier years, a little smaller, stay within the validation's tolerance of it.
REFERENCE_YEAR = 2024
COUNT_UNITS = frozenset({"person", "count", "household"})
SEED = 37120


@dataclass(frozen=True)
class UnCity:
    country: str
    iso2: str
    name: str
    year: int
    population: int


@dataclass(frozen=True)
class SynthCity:
    """A city of the synthetic set: identity, base population and its fixed profile seed."""

    slug: str
    name_en: str
    name_ko: str
    country: str
    population: int  # registered population: the UNdata figure, standing for REFERENCE_YEAR
    census_year: int  # the year of the UNdata figure
    land_area_km2: float
    gdp_per_capita_usd: float
    household_size: float
    growth: float
    seed: int

    def population_in(self, year: int) -> int:
        return max(1000, round(self.population * (1 + self.growth) ** (year - REFERENCE_YEAR)))


def _display(name: str) -> str:
    # The yearbook writes capitals in upper case (TIRANA); show them like other names.
    return name.title() if name.isupper() else name


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "city"


@cache
def un_cities() -> tuple[UnCity, ...]:
    """The UNdata cities, in a fixed shuffled order so that any prefix spans many countries."""
    with gzip.open(UN_FILE, "rt", encoding="utf-8") as fh:
        rows = [
            UnCity(r["country"], ISO2[r["country"]], _display(r["city"]), int(r["year"]),
                   int(r["population"]))
            for r in csv.DictReader(fh)
        ]  # fmt: skip
    random.Random(SEED).shuffle(rows)
    return tuple(rows)


def synthetic_cities(count: int, seed: int = SEED) -> list[SynthCity]:
    """`count` cities built on the UNdata list (repeated with a copy number beyond its end)."""
    base = un_cities()
    out: list[SynthCity] = []
    used: set[str] = set()
    for i in range(count):
        un = base[i % len(base)]
        copy = i // len(base)
        rng = random.Random(seed * 1_000_003 + i)
        factor = 1.0 if copy == 0 else rng.uniform(0.6, 1.4)
        name = un.name if copy == 0 else f"{un.name} {copy + 1}"
        slug = f"{_slug(un.name)[:48]}-{un.iso2.lower()}" + (f"-{copy + 1}" if copy else "")
        while slug in used:
            slug += "x"
        used.add(slug)
        population = max(5000, round(un.population * factor))
        density = math.exp(rng.uniform(*map(math.log, plausible.DENSITY_PER_KM2)))
        out.append(
            SynthCity(
                slug=slug,
                name_en=name,
                name_ko=name,  # no Korean exonym for synthetic cities: the name as written
                country=un.iso2,
                population=population,
                census_year=un.year,
                land_area_km2=round(population / density, 2),
                gdp_per_capita_usd=round(
                    math.exp(rng.uniform(*map(math.log, plausible.GDP_PER_CAPITA_USD))), -1
                ),
                household_size=round(rng.uniform(*plausible.HOUSEHOLD_SIZE), 2),
                growth=rng.uniform(*plausible.GROWTH_PER_YEAR),
                seed=zlib.crc32(slug.encode()) ^ seed,
            )
        )
    return out


@dataclass(frozen=True)
class _Step:
    number: str
    multiplier: float
    numerators: tuple[str, ...]
    denominators: tuple[str, ...]
    value: str | None  # the single input of a value formula


@dataclass(frozen=True)
class Plan:
    """A catalogue worked out once: the steps in order and each input's unit."""

    catalog: Catalog
    steps: tuple[_Step, ...]
    units: dict[str, str]  # input name -> catalogue unit
    inputs: tuple[tuple[str, str], ...]  # (indicator, input) in catalogue order


@cache
def plan(catalog_key: str = CATALOG) -> Plan:
    cat = get_catalog(catalog_key)
    steps: list[_Step] = []
    units: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    for ind in cat.indicators:
        f = ind.formula
        if f is None:
            continue
        for i in f.inputs:
            units[i.name] = i.unit
            pairs.append((ind.number, i.name))
        steps.append(
            _Step(
                number=ind.number,
                multiplier=f.multiplier,
                numerators=tuple(i.name for i in f.by_role(Role.numerator)),
                denominators=tuple(i.name for i in f.by_role(Role.denominator)),
                value=None if f.is_ratio else f.inputs[0].name,
            )
        )
    return Plan(cat, tuple(steps), units, tuple(pairs))


def _band(lo: float, hi: float, u: np.ndarray) -> np.ndarray:
    """The point at `u` (0-1) of a band: log scale for positive bands, linear otherwise."""
    if lo > 0:
        return np.asarray(lo * (hi / lo) ** u)
    return np.asarray(lo + (hi - lo) * u)


_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64: a well-spread 64-bit hash of each element."""
    with np.errstate(over="ignore"):
        x = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK
        x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK
        x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK
        return x ^ (x >> np.uint64(31))


def _uniform(seeds: np.ndarray, label: str, year: int = 0) -> np.ndarray:
    """A uniform draw in [0, 1) per city, fixed by (city, label, year): chunking never matters."""
    salt = np.uint64(zlib.crc32(label.encode()) * 1_000_003 + year)
    return (_mix(seeds ^ _mix(np.full_like(seeds, salt))) >> np.uint64(11)) / float(2**53)


def _normal(seeds: np.ndarray, label: str, year: int) -> np.ndarray:
    u1 = np.maximum(_uniform(seeds, label + ":a", year), 1e-12)
    u2 = _uniform(seeds, label + ":b", year)
    return np.asarray(np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * u2))


def _rounded(values: np.ndarray, unit: str) -> np.ndarray:
    """Counts to whole numbers; other figures to 6 significant digits, as a statistic office."""
    if unit in COUNT_UNITS:
        return np.round(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        exp = np.floor(np.log10(np.abs(values))) - 5
    exp = np.where(np.isfinite(exp), exp, 0)
    up = exp < 0  # scale by an exact power of ten in the direction that keeps it exact
    scale = 10.0 ** np.abs(exp)
    return np.where(up, np.round(values * scale) / scale, np.round(values / scale) * scale)


def values_matrix(cities: Sequence[SynthCity], year: int, fault_rate: float = 0.02) -> np.ndarray:
    """Values of every (indicator, input) of `plan().inputs` (columns) for each city (rows) in
    `year`; NaN where a city did not report the figure."""
    p = plan()
    seeds = np.array([c.seed for c in cities], dtype=np.uint64)
    registered = np.array([c.population for c in cities], dtype=float)
    growth = np.array([c.growth for c in cities])
    hh_size = np.array([c.household_size for c in cities])
    land = np.array([c.land_area_km2 for c in cities])
    gdp = np.array([c.gdp_per_capita_usd for c in cities])
    pop = np.maximum(1000.0, np.round(registered * (1 + growth) ** (year - REFERENCE_YEAR)))
    households = pop / hh_size
    v: dict[str, np.ndarray] = {
        "population": pop,
        "households": households,
        "dwelling_units": households * 1.08,
        "city_area": land * pop / registered,
        "non_green_city_area": land * 1e6 * 0.7,
        "average_household_income": gdp * hh_size * 0.55,
        "annual_population_change": growth * 100,
    }
    scale = {"population": pop, "economy": pop * gdp, "fixed": np.ones_like(pop)}
    waste = {
        n: _band(lo, hi, _uniform(seeds, f"waste:{n}"))
        for n, (lo, hi) in plausible.WASTE_SPLIT.items()
    }
    waste_total = sum(waste.values())
    for step in p.steps:
        drift = np.exp(0.03 * _normal(seeds, f"drift:{step.number}", year))
        if step.number in waste:
            target = 100 * waste[step.number] / waste_total
        else:
            lo, hi = plausible.TARGETS.get(step.number, (1.0, 10.0))
            target = _band(lo, hi, _uniform(seeds, f"target:{step.number}")) * drift
            if hi <= 100 and lo >= 0:
                target = np.minimum(target, hi)
        if step.value is not None:
            v.setdefault(step.value, target)
            continue
        missing_dens = [d for d in step.denominators if d not in v]
        missing_nums = [n for n in step.numerators if n not in v]
        if missing_dens and not missing_nums:
            # Numerators already fixed by another indicator: size the whole to match.
            den_total = sum(v[n] for n in step.numerators) * step.multiplier / target
            rest = den_total - sum((v[d] for d in step.denominators if d in v), np.zeros_like(pop))
            for d in missing_dens:
                v[d] = np.maximum(rest, 1.0) / len(missing_dens)
            continue
        for d in missing_dens:
            basis, lo, hi = plausible.SHARES.get(d, ("population", 0.01, 0.05))
            share = _band(lo, hi, _uniform(seeds, f"share:{d}"))
            v[d] = np.maximum(1.0, scale[basis] * share * drift)
        if not missing_nums:
            continue
        den = sum(v[d] for d in step.denominators)
        given = sum((v[n] for n in step.numerators if n in v), np.zeros_like(pop))
        rest = np.maximum(target * den / step.multiplier - given, 0.0)
        weights = [_uniform(seeds, f"weight:{step.number}:{n}") + 0.5 for n in missing_nums]
        for n, w in zip(missing_nums, weights, strict=True):
            v[n] = rest * w / sum(weights)
    out = {name: _rounded(value, p.units[name]) for name, value in v.items()}
    faulty = _uniform(seeds, "fault", year) < fault_rate
    drop = faulty & (_uniform(seeds, "fault-kind", year) < 0.5)
    names = sorted(out)
    dropped = np.floor(_uniform(seeds, "fault-input", year) * len(names)).astype(int)
    for k, name in enumerate(names):
        out[name] = np.where(drop & (dropped == k), np.nan, out[name])  # a figure not collected
    out["population_with_potable_water"] = np.where(
        faulty & ~drop, np.round(out["population"] * 1.12), out["population_with_potable_water"]
    )
    return np.column_stack([out[name] for _, name in p.inputs])


def city_year_rows(
    city: SynthCity, year: int, fault_rate: float = 0.02
) -> Iterator[tuple[str, str, float, str]]:
    """(indicator, input, value, unit) for every input one city reported in `year`."""
    p = plan()
    row = values_matrix([city], year, fault_rate)[0].tolist()
    for (number, name), value in zip(p.inputs, row, strict=True):
        if value == value:  # not NaN
            yield number, name, value, p.units[name]


def city_years(cities: int, years: int) -> Iterator[tuple[SynthCity, int]]:
    """Every (city, year) of `cities` cities over `years` years from FIRST_YEAR, city by city."""
    for city in synthetic_cities(cities):
        for year in range(FIRST_YEAR, FIRST_YEAR + years):
            yield city, year
