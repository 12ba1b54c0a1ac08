"""Round trip: export, import into an empty database, export again -> the same files.

Byte-identical for csv, json and the Data Package; cell by cell for xlsx (a workbook zip holds
timestamps). The data is the export seed (tests/data/exports/seed.yaml): several cities and
cycles, a value reported as not available, a cycle with no figures, and texts a spreadsheet
would run as formulas.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from citycert.services import cities, cycles, values
from citycert.services.context import ServiceContext
from citycert.services.exports import ExportFilter, ExportFormat, export
from citycert.services.imports import import_file
from citycert.store import migrate
from citycert.store.engine import Database
from tests.support.seed import load_seed, seed_data

POSTGRES_ENV = "CITYCERT_TEST_POSTGRES_URL"


@pytest.fixture
def seeded(ctx: ServiceContext) -> ServiceContext:
    # Published flags stay unset: no export format carries them.
    load_seed(ctx, seed_data(), publish=False)
    return ctx


@pytest.fixture
def empty(backend: str, tmp_path: Path, ctx: ServiceContext) -> Iterator[ServiceContext]:
    """A second, migrated and empty database on the same backend, with an administrator."""
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'second.sqlite3'}"
    else:
        admin = os.environ[POSTGRES_ENV]
        name = f"citycert_rt_{secrets.token_hex(6)}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()

    db = Database.from_url(url)
    migrate.upgrade(db)
    try:
        yield ServiceContext(db=db, actor="admin@citycert", clock=ctx.clock)
    finally:
        db.dispose()
        drop()


def _import(ctx: ServiceContext, path: Path) -> None:
    report = import_file(ctx, path, restore_states=True)
    refused = [f"{p.column}: {p.message_en}" for p in [*report.problems, *report.conflicts]]
    assert report.ok and report.applied, refused


FILE_FORMATS = [
    # (format, file name)
    (ExportFormat.csv, "export.csv"),
    (ExportFormat.json, "export.json"),
]


@pytest.mark.parametrize(("fmt", "name"), FILE_FORMATS, ids=[f[1] for f in FILE_FORMATS])
def test_export_import_export_gives_byte_identical_files(
    seeded: ServiceContext, empty: ServiceContext, tmp_path: Path, fmt: ExportFormat, name: str
) -> None:
    first, second = tmp_path / "first" / name, tmp_path / "second" / name
    export(seeded, fmt=fmt, target=first)
    _import(empty, first)
    export(empty, fmt=fmt, target=second)

    assert second.read_bytes() == first.read_bytes()


def test_round_trip_keeps_formula_like_text_as_the_city_typed_it(
    seeded: ServiceContext, empty: ServiceContext, tmp_path: Path
) -> None:
    export(seeded, fmt=ExportFormat.csv, target=tmp_path / "export.csv")
    _import(empty, tmp_path / "export.csv")

    stored = {
        (r.indicator, r.input): r
        for cy in cycles.list_cycles(empty)
        for r in values.list_inputs(empty, cycle_id=cy.id)
    }
    assert stored[("8.8", "native_species_change")].comment == "-5 species since the 2010 survey"
    assert stored[("8.8", "native_species_change")].value == -5
    assert stored[("P.9", "annual_population_change")].comment == "=1+1"
    assert stored[("5.5", "businesses")].source == "'quoted in the source"
    testville = cities.get_city(empty, slug="testville")
    assert testville.name_en.startswith("=HYPERLINK(")


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_xlsx_round_trip_gives_the_same_cells(
    seeded: ServiceContext, empty: ServiceContext, tmp_path: Path
) -> None:
    export(seeded, fmt=ExportFormat.xlsx, target=tmp_path / "first.xlsx")
    _import(empty, tmp_path / "first.xlsx")
    export(empty, fmt=ExportFormat.xlsx, target=tmp_path / "second.xlsx")

    first, second = _cells(tmp_path / "first.xlsx"), _cells(tmp_path / "second.xlsx")
    assert list(second) == list(first)
    for sheet in first:
        assert second[sheet] == first[sheet], sheet


def test_datapackage_from_a_restored_json_export_is_byte_identical(
    seeded: ServiceContext, empty: ServiceContext, tmp_path: Path
) -> None:
    export(seeded, fmt=ExportFormat.datapackage, target=tmp_path / "first")
    export(seeded, fmt=ExportFormat.json, target=tmp_path / "all.json")
    _import(empty, tmp_path / "all.json")
    export(empty, fmt=ExportFormat.datapackage, target=tmp_path / "second")

    for name in ("cities.csv", "inputs.csv", "indicators.csv", "datapackage.json"):
        assert (tmp_path / "second" / name).read_bytes() == (
            tmp_path / "first" / name
        ).read_bytes(), name


def test_a_filtered_export_round_trips_into_just_that_part(
    seeded: ServiceContext, empty: ServiceContext, tmp_path: Path
) -> None:
    only = ExportFilter(city="daegu", standard="iso37120-2014")
    export(seeded, fmt=ExportFormat.json, target=tmp_path / "first.json", filters=only)
    _import(empty, tmp_path / "first.json")
    export(empty, fmt=ExportFormat.json, target=tmp_path / "second.json")

    assert (tmp_path / "second.json").read_bytes() == (tmp_path / "first.json").read_bytes()
    assert [c.slug for c in cities.list_cities(empty)] == ["daegu"]
