"""Exchange round trip: export -> import into an empty database -> export again, byte-identical."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import MetaData, delete

from citycert.services.context import ServiceContext
from citycert.services.exports import ExportFormat, export
from citycert.services.imports import import_file


def _empty(ctx: ServiceContext) -> None:
    """Remove every row (a fresh database of the same schema, on either backend)."""
    meta = MetaData()
    meta.reflect(ctx.db.engine)
    with ctx.db.engine.begin() as conn:
        for table in reversed(meta.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(delete(table))


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


@pytest.mark.parametrize("fmt", [ExportFormat.csv, ExportFormat.json, ExportFormat.xlsx])
def test_export_import_export_gives_the_same_file(
    seeded: ServiceContext, tmp_path: Path, fmt: ExportFormat
) -> None:
    first = tmp_path / f"first.{fmt.value}"
    export(seeded, fmt=fmt, target=first)
    _empty(seeded)

    report = import_file(seeded, first, restore_states=True)
    assert report.ok and report.applied, report.problems

    second = tmp_path / f"second.{fmt.value}"
    export(seeded, fmt=fmt, target=second)
    if fmt is ExportFormat.xlsx:
        assert _cells(second) == _cells(first)
    else:
        assert second.read_bytes() == first.read_bytes()


def test_importing_an_export_into_the_database_it_came_from_changes_nothing(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "all.json"
    export(seeded, fmt=ExportFormat.json, target=path)
    report = import_file(seeded, path)
    assert report.applied and report.created == report.updated == report.erased == []
    assert report.cities_created == report.cycles_opened == []
