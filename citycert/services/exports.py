"""Use case: export cities, raw inputs and computed indicator values in the exchange formats.

Reads in one read-only transaction (a consistent snapshot on both databases) and streams: the
cycles are iterated with `yield_per`, and only one cycle's rows are held at a time (rows within a
cycle are put in catalogue order, which is how people read them). Filters: city, catalogue,
year; `public_only` keeps published or certified cycles (what the public portal may show).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from citycert.io.datapackage import PackageMeta, write_datapackage
from citycert.io.exchange_write import (
    CITY_COLUMNS,
    CSV_COLUMNS,
    CycleBlock,
    write_csv_file,
    write_json,
    write_xlsx,
)
from citycert.io.sdmx_export import write_sdmx
from citycert.services.cities import load_city
from citycert.services.context import Problem, ServiceContext, ValidationFailed
from citycert.standards.catalog import Catalog, UnknownCatalogError, all_catalogs, get_catalog
from citycert.store.models import City, CycleState, IndicatorValue, InputValue, ReportingCycle

YIELD_PER = 200
Progress = Callable[[int], None]  # called with the number of steps just finished


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    json = "json"
    datapackage = "datapackage"
    sdmx = "sdmx"


# How many passes over the cycles each format makes (for progress bars).
PASSES = {
    ExportFormat.csv: 1,
    ExportFormat.xlsx: 2,
    ExportFormat.json: 1,
    ExportFormat.datapackage: 2,
    ExportFormat.sdmx: 1,
}


@dataclass(frozen=True)
class ExportFilter:
    """Which data to export; None = no restriction."""

    city: str | None = None
    standard: str | None = None  # catalogue key, e.g. iso37120-2018
    year: int | None = None
    public_only: bool = False

    def scope(self) -> str:
        """A short name for what is exported (`all`, `daegu-iso37120-2018-2023`)."""
        parts = [p for p in (self.city, self.standard, self.year) if p is not None]
        name = "-".join(str(p) for p in parts) or "all"
        return ("public-" if self.public_only else "") + re.sub(r"[^a-z0-9._-]", "-", name.lower())


@dataclass
class ExportResult:
    """What an export wrote."""

    format: ExportFormat
    path: Path
    files: list[Path] = field(default_factory=list)
    cities: int = 0
    cycles: int = 0
    inputs: int = 0
    indicators: int = 0


@dataclass(frozen=True)
class _Cycle:
    id: int
    slug: str
    name_en: str
    name_ko: str
    country: str
    catalog: str
    year: int
    state: str


def _normalise(filters: ExportFilter, s: Session) -> ExportFilter:
    """Check the filters (ValidationFailed/NotFoundError) and put them in stored form."""
    standard = filters.standard
    if standard is not None:
        try:
            standard = get_catalog(standard).key
        except UnknownCatalogError as exc:
            raise ValidationFailed(
                [Problem("standard", str(exc), f"알 수 없는 표준입니다: {standard!r}")]
            ) from None
    city = load_city(s, filters.city).slug if filters.city is not None else None
    return ExportFilter(city, standard, filters.year, filters.public_only)


def _c_order(col: Any, s: Session) -> Any:
    # Byte order on both databases (SQLite compares bytes already), so exports do not depend on
    # the server's locale.
    return col.collate("C") if s.get_bind().dialect.name == "postgresql" else col


def _cycle_conditions(f: ExportFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.city is not None:
        conds.append(City.slug == f.city)
    if f.standard is not None:
        conds.append(ReportingCycle.catalog == f.standard)
    if f.year is not None:
        conds.append(ReportingCycle.year == f.year)
    if f.public_only:
        conds.append(
            or_(ReportingCycle.published.is_(True), ReportingCycle.state == CycleState.certified)
        )
    return conds


class _Source:
    """Row iterators over one read session, in the exchange-format shapes."""

    def __init__(self, s: Session, filters: ExportFilter, progress: Progress | None) -> None:
        self.s = s
        self.f = filters
        self.progress = progress
        self.result_counts = {"cities": 0, "inputs": 0, "indicators": 0}

    def _cycles_query(self) -> Select[int, str, str, str, str, str, int, str]:
        return (
            select(
                ReportingCycle.id,
                City.slug,
                City.name_en,
                City.name_ko,
                City.country,
                ReportingCycle.catalog,
                ReportingCycle.year,
                ReportingCycle.state,
            )
            .join(City, City.id == ReportingCycle.city_id)
            .where(*_cycle_conditions(self.f))
            .order_by(
                _c_order(City.slug, self.s),
                _c_order(ReportingCycle.catalog, self.s),
                ReportingCycle.year,
            )
        )

    def count_cycles(self) -> int:
        q = select(func.count()).select_from(self._cycles_query().order_by(None).subquery())
        return int(self.s.execute(q).scalar_one())

    def catalogs(self) -> list[Catalog]:
        keys = self.s.scalars(
            select(ReportingCycle.catalog)
            .join(City, City.id == ReportingCycle.city_id)
            .where(*_cycle_conditions(self.f))
            .distinct()
        ).all()
        known = all_catalogs()
        return [known[k] for k in sorted(keys) if k in known]

    def cycles(self) -> Iterator[_Cycle]:
        result = self.s.execute(self._cycles_query().execution_options(yield_per=YIELD_PER))
        for row in result:
            yield _Cycle(*row)
            if self.progress is not None:
                self.progress(1)

    def cities(self) -> Iterator[dict[str, Any]]:
        q = select(City).order_by(_c_order(City.slug, self.s))
        if self.f.city is not None:
            q = q.where(City.slug == self.f.city)
        if self.f.standard is not None or self.f.year is not None or self.f.public_only:
            # A restricted export lists only the cities it has data for.
            with_data = (
                select(ReportingCycle.city_id)
                .join(City, City.id == ReportingCycle.city_id)
                .where(*_cycle_conditions(self.f))
            )
            q = q.where(City.id.in_(with_data))
        for city in self.s.scalars(q.execution_options(yield_per=YIELD_PER)):
            self.result_counts["cities"] += 1
            yield {c: getattr(city, c) for c in CITY_COLUMNS}

    def inputs_of(self, cy: _Cycle) -> list[dict[str, Any]]:
        q = select(
            InputValue.indicator, InputValue.input, InputValue.value, InputValue.unit,
            InputValue.source, InputValue.comment, InputValue.quality_grade,
        ).where(InputValue.cycle_id == cy.id)  # fmt: skip
        rows = [
            {"city": cy.slug, "catalog": cy.catalog, "year": cy.year, **r._asdict()}
            for r in self.s.execute(q.execution_options(yield_per=YIELD_PER))
        ]
        order = _input_order(cy.catalog)
        rows.sort(key=lambda r: order(r["indicator"], r["input"]))
        self.result_counts["inputs"] += len(rows)
        return rows

    def indicators_of(self, cy: _Cycle) -> list[dict[str, Any]]:
        cat = _catalog_or_none(cy.catalog)
        q = select(
            IndicatorValue.indicator, IndicatorValue.value, IndicatorValue.unit,
            IndicatorValue.status,
        ).where(IndicatorValue.cycle_id == cy.id)  # fmt: skip
        rows = []
        for r in self.s.execute(q.execution_options(yield_per=YIELD_PER)):
            ind = cat.get(r.indicator) if cat else None
            rows.append(
                {
                    "city": cy.slug,
                    "catalog": cy.catalog,
                    "year": cy.year,
                    "indicator": r.indicator,
                    "key": f"{cy.catalog}:{r.indicator}",
                    "name_en": ind.name.en if ind else None,
                    "name_ko": ind.name.ko if ind else None,
                    "value": r.value,
                    "unit": r.unit,
                    "status": r.status,
                }
            )
        order = _input_order(cy.catalog)
        rows.sort(key=lambda r: order(r["indicator"], ""))
        self.result_counts["indicators"] += len(rows)
        return rows

    def all_inputs(self) -> Iterator[dict[str, Any]]:
        for cy in self.cycles():
            yield from self.inputs_of(cy)

    def all_indicators(self) -> Iterator[dict[str, Any]]:
        for cy in self.cycles():
            yield from self.indicators_of(cy)

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        for cy in self.cycles():
            if cy.slug not in seen:
                seen.add(cy.slug)
                self.result_counts["cities"] += 1
            names = {"city_name_en": cy.name_en, "city_name_ko": cy.name_ko, "country": cy.country}
            for row in self.inputs_of(cy):
                yield {**row, **names}

    def json_cycles(self) -> Iterator[CycleBlock]:
        for cy in self.cycles():
            yield CycleBlock(
                cy.slug, cy.catalog, cy.year, cy.state, self.inputs_of(cy), self.indicators_of(cy)
            )


def _catalog_or_none(key: str) -> Catalog | None:
    try:
        return get_catalog(key)
    except UnknownCatalogError:
        return None


def _input_order(catalog: str) -> Callable[[str, str], tuple[int, int, str, str]]:
    """Sort key: catalogue order of indicators and of their inputs; unknown ones last."""
    cat = _catalog_or_none(catalog)
    ind_pos: dict[str, int] = {}
    inp_pos: dict[tuple[str, str], int] = {}
    if cat is not None:
        for i, ind in enumerate(cat.indicators):
            ind_pos[ind.number] = i
            for j, inp in enumerate(ind.formula.inputs if ind.formula else ()):
                inp_pos[(ind.number, inp.name)] = j
    big = 1 << 30

    def key(indicator: str, name: str) -> tuple[int, int, str, str]:
        return (ind_pos.get(indicator, big), inp_pos.get((indicator, name), big), indicator, name)

    return key


def count_steps(ctx: ServiceContext, *, fmt: ExportFormat, filters: ExportFilter) -> int:
    """How many progress steps `export` will report (cycles x passes of the format)."""
    with ctx.db.read() as s:
        return _Source(s, _normalise(filters, s), None).count_cycles() * PASSES[fmt]


def export(
    ctx: ServiceContext,
    *,
    fmt: ExportFormat,
    target: Path,
    filters: ExportFilter = ExportFilter(),
    progress: Progress | None = None,
) -> ExportResult:
    """Write the export to `target`: a file; a folder or .zip (datapackage); a folder (sdmx)."""
    with ctx.db.read() as s:
        if s.get_bind().dialect.name == "postgresql":
            # One snapshot for all queries, so the tables agree with each other.
            s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        f = _normalise(filters, s)
        src = _Source(s, f, progress)
        result = ExportResult(fmt, target, cycles=src.count_cycles())
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt is ExportFormat.csv:
            write_csv_file(target, src.csv_rows(), CSV_COLUMNS)
            result.files = [target]
        elif fmt is ExportFormat.json:
            with target.open("w", encoding="utf-8", newline="\n") as out:
                write_json(out, src.cities(), src.json_cycles())
            result.files = [target]
        elif fmt is ExportFormat.xlsx:
            write_xlsx(
                target, src.cities(), src.all_inputs(), src.all_indicators(), scope=f.scope()
            )
            result.files = [target]
        elif fmt is ExportFormat.datapackage:
            meta = PackageMeta(scope=f.scope(), created=None)
            written = write_datapackage(
                target, src.cities(), src.all_inputs(), src.all_indicators(), meta
            )
            tables = ("cities", "inputs", "indicators")
            result.files = (
                [written]
                if written.suffix == ".zip"
                else [written] + [target / f"{t}.csv" for t in tables]
            )
        else:
            result.files = list(
                write_sdmx(
                    target,
                    src.cities(),
                    src.all_indicators(),
                    catalogs=src.catalogs(),
                    prepared=ctx.now(),
                )
            )
        result.cities = src.result_counts["cities"]
        result.inputs = src.result_counts["inputs"]
        result.indicators = src.result_counts["indicators"]
        return result
