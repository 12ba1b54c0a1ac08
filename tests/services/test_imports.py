"""Importing files into the store: all or nothing, idempotent, conflict-aware, dry runs.

Personas: a Daegu city editor (`ctx`) who fills in templates, and a Daegu statistics analyst
who changes figures in the portal meanwhile. Every failed import is checked against a snapshot
of all tables (and the audit log) taken before it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select

from citycert.io.exchange_write import CSV_COLUMNS, write_csv_file
from citycert.io.workbook.rows import Expect
from citycert.services import cities, cycles, values
from citycert.services.context import ServiceContext
from citycert.services.imports import BULK_MIN_ROWS, ImportReport, import_file
from citycert.services.template import make_template
from citycert.services.values import InputChange
from citycert.standards.catalog import get_catalog
from citycert.store.engine import Database
from citycert.store.models import AuditLog, CycleState
from tests.conftest import FrozenClock
from tests.io.workbook_factory import fill_template, messy_workbook

CATALOG = "iso37120-2018"
KEY = "daegu/iso37120-2018/2023"


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: equal snapshots mean nothing changed."""
    meta = MetaData()
    meta.reflect(db.engine)
    with db.engine.connect() as conn:
        return {
            t.name: sorted((tuple(map(repr, r)) for r in conn.execute(select(t))), key=str)
            for t in meta.sorted_tables
            if t.name != "alembic_version"
        }


def audit_length(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def stored(ctx: ServiceContext, year: int = 2023) -> dict[tuple[str, str], float | None]:
    cycle = cycles.find_cycle(ctx, city="daegu", catalog=CATALOG, year=year)
    if cycle is None:
        return {}
    return {(r.indicator, r.input): r.value for r in values.list_inputs(ctx, cycle_id=cycle.id)}


def save(ctx: ServiceContext, figures: dict[tuple[str, str], float], year: int = 2023) -> None:
    cycle = cycles.open_cycle(ctx, city="daegu", catalog=CATALOG, year=year)
    values.set_inputs(ctx, cycle.id, [InputChange(i, n, v) for (i, n), v in figures.items()])


@pytest.fixture
def daegu(ctx: ServiceContext) -> ServiceContext:
    cities.create_city(
        ctx, data=cities.parse_create({"slug": "daegu", "name_en": "Daegu", "name_ko": "대구",
                                        "country": "KR"})
    )  # fmt: skip
    return ctx


@pytest.fixture
def analyst(daegu: ServiceContext, context_for: Callable[[str], ServiceContext]) -> ServiceContext:
    return context_for("analyst@daegu")


def template(ctx: ServiceContext, path: Path, year: int = 2023) -> Path:
    make_template(ctx, city="daegu", catalog=CATALOG, year=year, path=path)
    return path


def assert_nothing_changed(
    db: Database, before: dict[str, list[tuple[Any, ...]]], report: ImportReport
) -> None:
    assert not report.applied
    assert snapshot(db) == before


def test_template_import_saves_figures_and_a_second_import_changes_nothing(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    path = fill_template(
        template(daegu, tmp_path / "t.xlsx"),
        {("5.1", "unemployed_persons"): 48000, ("5.1", "labour_force"): "1,215,000"},
    )
    audit_before = audit_length(daegu.db)

    first = import_file(daegu, path)

    assert first.ok and first.applied
    assert sorted(first.created) == [f"{KEY}/5.1/labour_force", f"{KEY}/5.1/unemployed_persons"]
    assert stored(daegu) == {
        ("5.1", "unemployed_persons"): 48000.0,
        ("5.1", "labour_force"): 1215000.0,
    }
    # One entry for opening the cycle, one per saved figure, same transaction.
    assert audit_length(daegu.db) == audit_before + 3
    assert first.cycles_opened == [KEY]
    assert first.blank == first.counts()["blank"] > 200

    before = snapshot(daegu.db)
    second = import_file(daegu, path)
    assert second.applied and second.created == second.updated == []
    assert sorted(second.unchanged) == sorted(first.created)
    assert snapshot(daegu.db) == before


def test_import_into_an_existing_cycle_updates_and_records_who(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    save(daegu, {("5.1", "labour_force"): 1_000_000})
    path = fill_template(template(daegu, tmp_path / "t.xlsx"), {("5.1", "labour_force"): 1_100_000})
    report = import_file(daegu, path)
    assert report.updated == [f"{KEY}/5.1/labour_force"] and report.created == []
    cycle = cycles.find_cycle(daegu, city="daegu", catalog=CATALOG, year=2023)
    assert cycle is not None
    (row,) = [r for r in values.list_inputs(daegu, cycle_id=cycle.id) if r.input == "labour_force"]
    assert (row.value, row.version, row.updated_by) == (1_100_000, 2, "editor@daegu")


def test_failed_template_import_changes_nothing(daegu: ServiceContext, tmp_path: Path) -> None:
    save(daegu, {("5.1", "labour_force"): 1_000_000})
    path = fill_template(
        template(daegu, tmp_path / "t.xlsx"),
        {("5.1", "unemployed_persons"): 48000, ("15.1", "firefighters"): "many"},
    )
    before = snapshot(daegu.db)
    report = import_file(daegu, path)
    assert [p.code for p in report.problems] == ["not_a_number"]
    assert_nothing_changed(daegu.db, before, report)


def test_import_for_an_unregistered_city_changes_nothing(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = messy_workbook(
        tmp_path / "w.xlsx", ["지표", "입력값", "값"], [["5.1", "labour_force", 1]]
    )
    before = snapshot(ctx.db)
    report = import_file(ctx, path, expect=Expect("busan", CATALOG, 2023))
    assert [(p.code, p.sheet, p.row) for p in report.problems] == [("unknown_city", "자료", 2)]
    assert_nothing_changed(ctx.db, before, report)


def test_exchange_csv_creates_cities_and_cycles_in_one_transaction(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    row = {"catalog": CATALOG, "year": 2023, "indicator": "5.1", "input": "labour_force",
           "value": 1000}  # fmt: skip
    good = [
        {**row, "city": "daegu", "city_name_en": "Daegu", "city_name_ko": "대구", "country": "KR"},
        {**row, "city": "busan", "city_name_en": "Busan", "city_name_ko": "부산", "country": "KR",
         "year": 2022},
    ]  # fmt: skip
    path = tmp_path / "e.csv"
    write_csv_file(path, good, CSV_COLUMNS)
    report = import_file(ctx, path)
    assert report.applied
    assert report.cities_created == ["busan", "daegu"]
    assert report.cycles_opened == ["busan/iso37120-2018/2022", f"{KEY}"]
    assert [c.slug for c in cities.list_cities(ctx)] == ["busan", "daegu"]


def test_exchange_csv_with_a_city_that_cannot_be_created_changes_nothing(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    row = {"catalog": CATALOG, "year": 2023, "indicator": "5.1", "input": "labour_force",
           "value": 1000}  # fmt: skip
    rows = [
        {**row, "city": "daegu", "city_name_en": "Daegu", "city_name_ko": "대구", "country": "KR"},
        {**row, "city": "atlantis", "city_name_en": "Atlantis", "city_name_ko": "아틀란티스",
         "country": "XX"},
    ]  # fmt: skip
    path = tmp_path / "e.csv"
    write_csv_file(path, rows, CSV_COLUMNS)
    before = snapshot(ctx.db)
    report = import_file(ctx, path)
    assert [(p.code, p.row) for p in report.problems] == [("city_rejected", 3)]
    assert "XX" in report.problems[0].message_en and "KR" in report.problems[0].hint_en
    assert_nothing_changed(ctx.db, before, report)


def test_conflict_with_a_later_change_is_reported_and_nothing_is_applied(
    daegu: ServiceContext, analyst: ServiceContext, clock: FrozenClock, tmp_path: Path
) -> None:
    save(daegu, {("5.1", "labour_force"): 1_000_000})
    path = template(daegu, tmp_path / "t.xlsx")
    clock.advance(hours=2)
    save(analyst, {("5.1", "labour_force"): 1_100_000})
    fill_template(path, {("5.1", "labour_force"): 1_200_000, ("5.1", "unemployed_persons"): 50})
    before = snapshot(daegu.db)

    report = import_file(daegu, path)

    assert report.problems == []
    assert [p.code for p in report.conflicts] == ["conflict"]
    conflict = report.conflicts[0]
    for part in ("analyst@daegu", "2024-03-01T11:00", "1,100,000", "1,200,000", "5.1"):
        assert part in conflict.message_en and part in conflict.message_ko
    assert conflict.sheet == "5 경제 Economy" and conflict.column == "E (값 Value)"
    assert_nothing_changed(daegu.db, before, report)
    assert stored(daegu)[("5.1", "labour_force")] == 1_100_000


def test_row_left_untouched_keeps_the_newer_value_someone_else_saved(
    daegu: ServiceContext, analyst: ServiceContext, tmp_path: Path
) -> None:
    save(daegu, {("5.1", "labour_force"): 1_000_000})
    path = template(daegu, tmp_path / "t.xlsx")
    save(analyst, {("5.1", "labour_force"): 1_100_000})
    fill_template(path, {("5.1", "unemployed_persons"): 50})

    report = import_file(daegu, path)

    assert report.applied and report.conflicts == []
    assert report.kept == [f"{KEY}/5.1/labour_force"]
    assert [w.code for w in report.warnings] == ["kept_newer"]
    assert stored(daegu) == {("5.1", "labour_force"): 1_100_000, ("5.1", "unemployed_persons"): 50}


def test_dry_run_reports_what_would_change_and_writes_nothing(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    save(daegu, {("5.1", "labour_force"): 1_000_000})
    path = fill_template(
        template(daegu, tmp_path / "t.xlsx"),
        {("5.1", "labour_force"): 1_000_001, ("5.1", "unemployed_persons"): 50},
    )
    before = snapshot(daegu.db)
    report = import_file(daegu, path, dry_run=True)
    assert report.ok and not report.applied
    assert report.created == [f"{KEY}/5.1/unemployed_persons"]
    assert report.updated == [f"{KEY}/5.1/labour_force"]
    assert snapshot(daegu.db) == before


def test_blank_cell_never_erases_unless_allowed(daegu: ServiceContext, tmp_path: Path) -> None:
    save(daegu, {("5.1", "labour_force"): 1_000_000, ("5.1", "unemployed_persons"): 50})
    path = fill_template(template(daegu, tmp_path / "t.xlsx"), {("5.1", "labour_force"): None})

    kept = import_file(daegu, path)
    assert kept.applied and kept.erased == [] and kept.updated == []
    assert stored(daegu)[("5.1", "labour_force")] == 1_000_000

    erased = import_file(daegu, path, allow_erase=True)
    assert erased.applied and erased.erased == [f"{KEY}/5.1/labour_force"]
    assert stored(daegu) == {("5.1", "labour_force"): None, ("5.1", "unemployed_persons"): 50}


def test_comment_on_a_blank_figure_records_it_as_not_available(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    path = fill_template(
        template(daegu, tmp_path / "t.xlsx"), {("15.1", "firefighters"): "not collected"},
        column="G",
    )  # fmt: skip
    report = import_file(daegu, path)
    assert report.created == [f"{KEY}/15.1/firefighters"]
    assert stored(daegu) == {("15.1", "firefighters"): None}


def test_import_into_a_submitted_cycle_is_refused_and_changes_nothing(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    save(daegu, {("5.1", "labour_force"): 1_000_000})
    cycle = cycles.find_cycle(daegu, city="daegu", catalog=CATALOG, year=2023)
    assert cycle is not None
    cycles.set_state(daegu, cycle_id=cycle.id, state=CycleState.submitted)
    path = fill_template(template(daegu, tmp_path / "t.xlsx"), {("5.1", "labour_force"): 1})
    before = snapshot(daegu.db)
    report = import_file(daegu, path)
    assert [(p.code, p.sheet) for p in report.problems] == [("store_rejected", "5 경제 Economy")]
    assert "submitted" in report.problems[0].message_en
    assert_nothing_changed(daegu.db, before, report)


def test_template_shows_last_years_values_and_current_ones(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    save(daegu, {("5.1", "labour_force"): 990_000}, year=2022)
    save(daegu, {("5.1", "labour_force"): 1_000_000})
    info = make_template(daegu, city="daegu", catalog=CATALOG, year=2023, path=tmp_path / "t.xlsx")
    assert (info.prefilled, info.last_year, info.cycle) == (1, 1, KEY)
    report = import_file(daegu, info.path, dry_run=True)
    assert report.unchanged == [f"{KEY}/5.1/labour_force"] and report.created == []


def _big_csv(path: Path, years: range, value: float = 7.0) -> list[str]:
    """An exchange CSV with every 2018 input for several years: a large import."""
    cat = get_catalog(CATALOG)
    names = {"city": "daegu", "city_name_en": "Daegu", "city_name_ko": "대구", "country": "KR"}
    rows = [
        {**names, "catalog": CATALOG, "year": y, "indicator": i.number, "input": x.name,
         "value": value, "unit": x.unit}
        for y in years
        for i in cat
        for x in (i.formula.inputs if i.formula else ())
    ]  # fmt: skip
    write_csv_file(path, rows, CSV_COLUMNS)
    return [f"daegu/{CATALOG}/{r['year']}/{r['indicator']}/{r['input']}" for r in rows]


def test_large_exchange_file_is_saved_in_batches_and_keeps_stored_notes(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    cycle = cycles.open_cycle(daegu, city="daegu", catalog=CATALOG, year=2023)
    values.set_inputs(daegu, cycle.id, [InputChange("5.1", "labour_force", 1, source="KOSIS")])
    keys = _big_csv(tmp_path / "big.csv", range(2019, 2024))
    assert len(keys) >= BULK_MIN_ROWS
    audit_before = audit_length(daegu.db)

    report = import_file(daegu, tmp_path / "big.csv")

    assert report.applied and report.ok
    assert sorted(report.created + report.updated) == sorted(keys)
    assert report.updated == [f"{KEY}/5.1/labour_force"]
    # A few batch entries and cycle openings, not one audit entry per figure.
    assert audit_length(daegu.db) - audit_before < 20
    rows = values.list_inputs(daegu, cycle_id=cycle.id)
    (labour,) = [r for r in rows if r.input == "labour_force" and r.indicator == "5.1"]
    assert (labour.value, labour.source) == (7.0, "KOSIS")
    assert {r.value for r in rows} == {7.0}

    before = snapshot(daegu.db)
    again = import_file(daegu, tmp_path / "big.csv")
    assert again.applied and sorted(again.unchanged) == sorted(keys)
    assert snapshot(daegu.db) == before


def test_large_exchange_file_touching_a_submitted_cycle_changes_nothing(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    _big_csv(tmp_path / "big.csv", range(2019, 2024))
    assert import_file(daegu, tmp_path / "big.csv").applied
    cycle = cycles.find_cycle(daegu, city="daegu", catalog=CATALOG, year=2021)
    assert cycle is not None
    cycles.set_state(daegu, cycle_id=cycle.id, state=CycleState.submitted)
    _big_csv(tmp_path / "big2.csv", range(2019, 2024), value=8.0)
    before = snapshot(daegu.db)

    report = import_file(daegu, tmp_path / "big2.csv")

    assert report.problems and {p.code for p in report.problems} == {"store_rejected"}
    assert all("submitted" in p.message_en for p in report.problems)
    assert_nothing_changed(daegu.db, before, report)
