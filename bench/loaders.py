"""Fill a benchmark database directly: cities, cycles and raw inputs with set-based inserts.

Used where the benchmark is about what happens after loading (whole-database batch, web
portal), so that building 100,000 city-years takes minutes, not hours. Rows are generated in
worker processes (`synthetic.py` is pure CPU work); PostgreSQL receives them through COPY,
SQLite through executemany in one transaction. No audit entries are written: this is
generated benchmark data, not a change anyone made.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from bench.synthetic import CATALOG, FIRST_YEAR, SynthCity, plan, values_matrix
from citycert.store.engine import Database
from citycert.store.models import City, CycleState, InputValue, ReportingCycle

ACTOR = "bench:generator"
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
CHUNK_CITIES = 100
# How SQLAlchemy writes a UTC time into SQLite (naive, with microseconds).
_SQLITE_NOW = NOW.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
_INPUT_COLUMNS = (
    "cycle_id", "indicator", "input", "value", "unit", "original_value", "original_unit",
    "updated_by", "updated_at", "version",
)  # fmt: skip


@dataclass(frozen=True)
class CycleRow:
    cycle_id: int
    city: SynthCity
    year: int


def load_cities(
    db: Database, cities: Sequence[SynthCity], *, is_sample: bool = True
) -> dict[str, int]:
    """Insert the cities; slug -> id."""
    rows = [
        {
            "slug": c.slug, "name_en": c.name_en, "name_ko": c.name_ko, "country": c.country,
            "region": None, "population": c.population,
            "land_area_km2": c.land_area_km2, "climate_zone": None, "latitude": None,
            "longitude": None, "gdp_per_capita_usd": c.gdp_per_capita_usd,
            "is_sample": is_sample, "created_at": NOW, "updated_at": NOW, "version": 1,
        }
        for c in cities
    ]  # fmt: skip
    with db.transaction() as s:
        for i in range(0, len(rows), 2000):
            s.execute(insert(City), rows[i : i + 2000])
        return {slug: cid for slug, cid in s.execute(select(City.slug, City.id)).all()}


def load_cycles(
    db: Database,
    cities: Sequence[SynthCity],
    ids: dict[str, int],
    years: int,
    *,
    state: CycleState = CycleState.draft,
    published: bool = False,
) -> list[CycleRow]:
    """One ISO 37120:2018 cycle per city and year; returned in city, year order."""
    version = plan().catalog.version
    rows = [
        {
            "city_id": ids[c.slug], "catalog": CATALOG, "catalog_version": version, "year": y,
            "state": state.value, "published": published, "created_at": NOW, "updated_at": NOW,
            "version": 1,
        }
        for c in cities
        for y in range(FIRST_YEAR, FIRST_YEAR + years)
    ]  # fmt: skip
    by_id = {ids[c.slug]: c for c in cities}
    with db.transaction() as s:
        for i in range(0, len(rows), 5000):
            s.execute(insert(ReportingCycle), rows[i : i + 5000])
        found = s.execute(
            select(ReportingCycle.id, ReportingCycle.city_id, ReportingCycle.year).order_by(
                ReportingCycle.city_id, ReportingCycle.year
            )
        ).all()
    return [CycleRow(cid, by_id[city_id], year) for cid, city_id, year in found]


@dataclass(frozen=True)
class _Block:
    """Some cities with their cycle ids, one per year from FIRST_YEAR."""

    cities: list[SynthCity]
    cycle_ids: list[list[int]]


def _rows(block: _Block) -> Iterator[tuple[int, str, str, float, str]]:
    p = plan()
    pairs = [(number, name, p.units[name]) for number, name in p.inputs]
    for k in range(len(block.cycle_ids[0])):
        matrix = values_matrix(block.cities, FIRST_YEAR + k).tolist()
        for ids, row in zip(block.cycle_ids, matrix, strict=True):
            cid = ids[k]
            for (number, name, unit), value in zip(pairs, row, strict=True):
                if value == value:  # NaN: not reported
                    yield cid, number, name, value, unit


def _copy_text(block: _Block) -> bytes:
    """COPY text-format lines for the inputs of a block."""
    tail = f"\t{ACTOR}\t{NOW.isoformat()}\t1\n"
    return "".join(
        f"{cid}\t{number}\t{name}\t{value!r}\t{unit}\t{value!r}\t{unit}{tail}"
        for cid, number, name, value, unit in _rows(block)
    ).encode()


def _tuples(block: _Block) -> list[tuple[Any, ...]]:
    return [
        (cid, number, name, value, unit, value, unit, ACTOR, _SQLITE_NOW, 1)
        for cid, number, name, value, unit in _rows(block)
    ]


def _blocks(cycles: Sequence[CycleRow]) -> Iterator[_Block]:
    by_city: dict[str, list[int]] = {}
    cities: dict[str, SynthCity] = {}
    for c in cycles:
        by_city.setdefault(c.city.slug, []).append(c.cycle_id)
        cities[c.city.slug] = c.city
    slugs = list(by_city)
    for i in range(0, len(slugs), CHUNK_CITIES):
        part = slugs[i : i + CHUNK_CITIES]
        yield _Block([cities[s] for s in part], [by_city[s] for s in part])


def _bounded(pool: Any, fn: Any, blocks: Iterator[_Block], workers: int) -> Iterator[Any]:
    """`pool.imap` in waves of a few blocks: generated rows never pile up ahead of the writer."""
    while True:
        wave = list(itertools.islice(blocks, 2 * workers))
        if not wave:
            return
        yield from pool.map(fn, wave)


def load_inputs(db: Database, cycles: Sequence[CycleRow], *, workers: int = 2) -> int:
    """Generate and insert every input of the cycles (each city has one per year from
    FIRST_YEAR, as `load_cycles` makes them); returns the number of rows."""
    total = 0
    blocks = _blocks(cycles)
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        if db.dialect == "postgresql":
            raw = db.engine.raw_connection()
            try:
                conn = raw.driver_connection
                assert conn is not None
                with conn.cursor() as cur:
                    columns = ", ".join(_INPUT_COLUMNS)
                    with cur.copy(f"COPY input_value ({columns}) FROM STDIN") as copy:
                        for block in _bounded(pool, _copy_text, blocks, workers):
                            copy.write(block)
                            total += block.count(b"\n")
                conn.commit()
            finally:
                raw.close()
        else:
            stmt = (
                f"INSERT INTO {InputValue.__tablename__} ({', '.join(_INPUT_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in _INPUT_COLUMNS)})"
            )
            raw = db.engine.raw_connection()
            try:
                dbapi = raw.driver_connection
                assert dbapi is not None
                dbapi.execute("BEGIN")
                for rows in _bounded(pool, _tuples, blocks, workers):
                    dbapi.executemany(stmt, rows)
                    total += len(rows)
                dbapi.execute("COMMIT")
            finally:
                raw.close()
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return total
