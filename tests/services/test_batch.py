"""Whole-database batch: recompute, validate and certify every cycle, writing only differences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from citycert.cli import app
from citycert.domain.authz import Grant, Role
from citycert.domain.calculation import Message, Provenance, Result, Status
from citycert.domain.certification import assess
from citycert.services import batch, cities, cycles, values
from citycert.services.context import ServiceContext
from citycert.services.data_quality import run_validation
from citycert.services.principal import PermissionDenied, Principal
from citycert.services.values import InputChange
from citycert.standards.catalog import get_catalog
from citycert.standards.levels import get_level_rules
from citycert.standards.validation import Severity
from citycert.store.models import AuditLog, City, IndicatorValue, ReportingCycle

CATALOG = "iso37120-2018"
CITIES = {"daegu": 2_400_000, "busan": 3_300_000, "ulsan": 1_100_000}
YEARS = (2021, 2022, 2023)


def figures(population: int, year: int) -> dict[tuple[str, str], float]:
    """A small clean cycle of figures for a city of `population` (a little growth each year)."""
    p = round(population * (1 + 0.004 * (year - YEARS[-1])))
    return {
        ("5.1", "unemployed_persons"): round(p * 0.02),
        ("5.1", "labour_force"): round(p * 0.5),
        ("5.5", "businesses"): round(p * 0.04),
        ("5.5", "population"): p,
        ("15.5", "homicides"): round(p * 0.00002) + year - 2000,
        ("15.5", "population"): p,
        ("23.1", "population_with_potable_water"): round(p * 0.98),
        ("23.1", "population"): p,
        ("12.5.2", "population"): p,
        ("12.5.2", "households"): round(p / 2.4),
    }


@pytest.fixture
def cycle_ids(ctx: ServiceContext) -> list[int]:
    """Three cities x three years saved through the services; Ulsan 2022 serves too many."""
    ids = []
    for slug, population in CITIES.items():
        cities.create_city(
            ctx,
            data=cities.parse_create(
                {"slug": slug, "name_en": slug.title(), "name_ko": slug, "country": "KR",
                 "population": population}
            ),
        )  # fmt: skip
        for year in YEARS:
            cid = cycles.open_cycle(ctx, city=slug, catalog=CATALOG, year=year).id
            data = figures(population, year)
            if (slug, year) == ("ulsan", 2022):
                data[("23.1", "population_with_potable_water")] = population * 1.2
            changes = [InputChange(n, i, v) for (n, i), v in data.items()]
            values.set_inputs(ctx, cid, changes)
            ids.append(cid)
    return ids


def audit_count(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def stored_values(ctx: ServiceContext) -> dict[tuple[int, str], tuple[object, ...]]:
    with ctx.db.read() as s:
        rows = s.execute(
            select(IndicatorValue.cycle_id, IndicatorValue.indicator, IndicatorValue.value,
                   IndicatorValue.status, IndicatorValue.messages, IndicatorValue.provenance)
        ).all()  # fmt: skip
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def test_batch_leaves_values_saved_through_the_services_unchanged(
    ctx: ServiceContext, cycle_ids: list[int]
) -> None:
    before, audits = stored_values(ctx), audit_count(ctx)

    report = batch.run_batch(ctx)

    assert (report.cycles, report.cities) == (len(cycle_ids), len(CITIES))
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == report.indicators == len(before)
    assert stored_values(ctx) == before
    assert audit_count(ctx) == audits


def test_batch_repairs_stale_and_missing_values_with_one_audit_entry_then_changes_nothing(
    ctx: ServiceContext, cycle_ids: list[int]
) -> None:
    expected, audits = stored_values(ctx), audit_count(ctx)
    with ctx.db.transaction() as s:
        s.execute(
            update(IndicatorValue)
            .where(IndicatorValue.cycle_id == cycle_ids[0], IndicatorValue.indicator == "5.1")
            .values(value=99.0)
        )
        s.execute(
            delete(IndicatorValue).where(
                IndicatorValue.cycle_id == cycle_ids[4], IndicatorValue.indicator == "15.5"
            )
        )

    first = batch.run_batch(ctx)
    second = batch.run_batch(ctx)

    assert (first.created, first.updated) == (1, 1)
    assert stored_values(ctx) == expected
    assert audit_count(ctx) == audits + 1
    with ctx.db.read() as s:
        action, new = s.execute(
            select(AuditLog.action, AuditLog.new).order_by(AuditLog.seq.desc()).limit(1)
        ).one()
    assert action == "batch.recompute"
    assert new["values"] == 2
    assert (second.created, second.updated, second.unchanged) == (0, 0, second.indicators)


def test_batch_findings_and_levels_are_those_of_the_single_cycle_services(
    ctx: ServiceContext, cycle_ids: list[int]
) -> None:
    outcomes: list[batch.CycleOutcome] = []
    report = batch.run_batch(ctx, on_chunk=lambda _total, part: outcomes.extend(part))

    catalog, rules = get_catalog(CATALOG), get_level_rules(CATALOG)
    by_key = {o.key: o for o in outcomes}
    assert len(by_key) == len(cycle_ids)
    with ctx.db.read() as s:
        for cid in cycle_ids:
            cycle, slug = s.execute(
                select(ReportingCycle, City.slug)
                .join(City, City.id == ReportingCycle.city_id)
                .where(ReportingCycle.id == cid)
            ).one()
            outcome = by_key[f"{slug}/{CATALOG}/{cycle.year}"]
            findings = run_validation(s, cycle)
            errors = [f for f in findings if f.severity is Severity.error]
            assert (outcome.errors, outcome.warnings) == (len(errors), len(findings) - len(errors))
            ok = s.scalars(
                select(IndicatorValue.indicator).where(
                    IndicatorValue.cycle_id == cid, IndicatorValue.status == "ok"
                )
            ).all()
            level = assess(
                catalog, rules, [n for n in ok if n not in {f.indicator for f in errors}]
            )
            assert outcome.level == (level.level.id if level.level else None)
    assert report.cycles_with_errors == 1  # Ulsan 2022 serves more people than it has
    assert by_key[f"ulsan/{CATALOG}/2022"].errors >= 1


def test_batch_limit_takes_the_first_cycles_in_city_and_year_order(
    ctx: ServiceContext, cycle_ids: list[int]
) -> None:
    outcomes: list[batch.CycleOutcome] = []
    report = batch.run_batch(
        ctx, limit=4, chunk_cycles=2, on_chunk=lambda _t, part: outcomes.extend(part)
    )

    assert report.cycles == 4
    assert [o.key for o in outcomes] == [
        f"daegu/{CATALOG}/2021", f"daegu/{CATALOG}/2022", f"daegu/{CATALOG}/2023",
        f"busan/{CATALOG}/2021",
    ]  # fmt: skip


def test_two_worker_processes_give_the_same_report_and_values_as_one(
    ctx: ServiceContext, cycle_ids: list[int]
) -> None:
    expected = stored_values(ctx)
    with ctx.db.transaction() as s:
        s.execute(delete(IndicatorValue).where(IndicatorValue.indicator.in_(["5.5", "23.1"])))
    one = batch.run_batch(ctx, chunk_cycles=2, limit=5)

    two = batch.run_batch(ctx, workers=2, chunk_cycles=2)

    assert stored_values(ctx) == expected
    assert two.workers == 2 and two.cycles == len(cycle_ids)
    assert one.created + two.created == 2 * len(cycle_ids)
    assert two.findings == batch.run_batch(ctx).findings


def test_batch_refuses_anyone_but_an_administrator_and_writes_nothing(
    ctx: ServiceContext, cycle_ids: list[int]
) -> None:
    with ctx.db.transaction() as s:
        s.execute(delete(IndicatorValue))
    editor = Principal(user_id=7, login="editor@daegu", grants=(Grant(Role.city_editor, 1),))

    with pytest.raises(PermissionDenied):
        batch.run_batch(ServiceContext(db=ctx.db, actor="editor@daegu", principal=editor))

    assert stored_values(ctx) == {}


def _result(inputs: dict[str, float], messages: tuple[Message, ...] = ()) -> Result:
    prov = Provenance("iso37120-2018", "2026.11", "100 x (a) / (b)", inputs)
    return Result("iso37120-2018:5.1", "5.1", 1.5, "%", Status.ok, messages, prov)


@pytest.mark.parametrize(
    "inputs",
    [
        {"unemployed_persons": 48000.0, "labour_force": 1200000.0},
        {"a": 1e-05, "b": 1e16, "c": 0.1 + 0.2},
        {"persons": 3, "km²": 2.5e-300},
        {"명": -0.0, "x": 123456789012345678.0},
    ],
)
def test_stored_text_of_a_result_is_what_json_dumps_writes(inputs: dict[str, float]) -> None:
    res = _result(inputs)
    assert res.provenance is not None
    expected = {
        "formula": res.provenance.formula,
        "inputs": inputs,
        "catalog": res.provenance.catalog,
        "catalog_version": res.provenance.catalog_version,
    }
    assert batch.provenance_text(res) == json.dumps(expected)
    assert batch.messages_text(res) == "[]"
    with_message = _result(inputs, (Message("over_100_percent", "above 100 %", "100% 초과"),))
    assert batch.messages_text(with_message) == json.dumps(
        [{"code": "over_100_percent", "en": "above 100 %", "ko": "100% 초과"}]
    )


def test_stored_text_of_a_result_without_provenance_is_null() -> None:
    res = Result("k:1", "1", None, "%", Status.no_formula)
    assert batch.provenance_text(res) is None


def test_cli_batch_run_prints_the_report_and_writes_one_line_per_cycle(
    ctx: ServiceContext, cycle_ids: list[int], tmp_path: Path
) -> None:
    lines = tmp_path / "cycles.jsonl"
    url = ctx.db.url
    ctx.db.dispose()

    result = CliRunner().invoke(
        app,
        ["batch", "run", "--workers", "1", "--format", "json", "--report", str(lines),
         "--database-url", url],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["cycles"] == len(cycle_ids) and data["updated"] == 0
    rows = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
    assert [r["cycle"] for r in rows][:3] == [f"daegu/{CATALOG}/{y}" for y in YEARS]
    assert sum(r["errors"] for r in rows) == data["findings"].get("error", 0)
