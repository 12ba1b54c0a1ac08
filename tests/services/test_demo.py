"""The bundled demo: real open data and two sample cities, loaded idempotently."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from citycert.cli import app
from citycert.services import audit, cities, cycles, values
from citycert.services.context import ServiceContext
from citycert.services.demo import DEMO_DIR, load_demo
from citycert.store.engine import Database
from citycert.store.models import AuditLog


def _indicator(ctx: ServiceContext, slug: str, catalog: str, year: int, number: str) -> float:
    cycle = cycles.find_cycle(ctx, city=slug, catalog=catalog, year=year)
    assert cycle is not None
    [iv] = [
        v for v in values.list_indicator_values(ctx, cycle_id=cycle.id) if v.indicator == number
    ]
    assert iv.value is not None, iv.messages
    return iv.value


def test_demo_holds_real_cities_and_clearly_marked_sample_cities(ctx: ServiceContext) -> None:
    report = load_demo(ctx)

    assert report.cities_created == len(list(csv.DictReader((DEMO_DIR / "cities.csv").open())))
    daegu = cities.get_city(ctx, slug="daegu")
    assert (daegu.is_sample, daegu.name_ko, daegu.climate_zone) == (True, "대구광역시", "Cwa")
    assert not cities.get_city(ctx, slug="los-angeles").is_sample
    # Los Angeles published 9.64 t CO2e per person for 2016; our inputs reproduce it.
    assert _indicator(ctx, "los-angeles", "iso37120-2014", 2016, "8.3") == pytest.approx(
        9.64, abs=0.005
    )
    # Chicago 2015: 478 murders (FBI UCR via FiveThirtyEight), 2,720,546 residents (UNdata).
    assert _indicator(ctx, "chicago", "iso37120-2014", 2015, "14.2") == pytest.approx(
        478 / 2_720_546 * 100_000
    )
    assert _indicator(ctx, "gangneung", "iso37120-2014", 2010, "P.1") == 217_481
    sample = cycles.find_cycle(ctx, city="daegu", catalog="iso37120-2018", year=2023)
    assert sample is not None and sample.published
    sample_inputs = values.list_inputs(ctx, cycle_id=sample.id)
    assert sample_inputs and all("illustrative" in (r.source or "") for r in sample_inputs)
    assert audit.verify(ctx).ok


def test_demo_files_whose_figures_the_catalogue_lacks_are_skipped_and_reported(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    shutil.copy(DEMO_DIR / "cities.csv", tmp_path / "cities.csv")
    (tmp_path / "values.csv").write_text(
        "city,catalog,year,indicator,input,value,unit,source,comment,quality_grade\n"
        "boston,iso37120-2014,2015,14.2,homicides,38,count,test,,\n"
        "boston,iso37120-2014,2015,14.2,stolen_bikes,9,count,test,,\n"
        "boston,iso37120-2014,2015,99.1,anything,1,,test,,\n",
        encoding="utf-8",
    )

    report = load_demo(ctx, data_dir=tmp_path)

    assert report.created == 1
    assert report.skipped == [
        "boston/iso37120-2014/2015/14.2/stolen_bikes",
        "boston/iso37120-2014/2015/99.1/anything",
    ]


def test_cli_demo_migrates_loads_and_changes_nothing_the_second_time(database_url: str) -> None:
    runner = CliRunner()

    first = runner.invoke(app, ["demo", "--database-url", database_url])
    assert first.exit_code == 0, first.output
    assert "demo data loaded" in first.output
    db = Database.from_url(database_url)
    try:
        with db.read() as s:
            entries = s.scalar(select(func.count()).select_from(AuditLog))

        second = runner.invoke(app, ["demo", "--database-url", database_url])

        assert second.exit_code == 0, second.output
        assert "nothing changed" in second.output
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(AuditLog)) == entries
    finally:
        db.dispose()
