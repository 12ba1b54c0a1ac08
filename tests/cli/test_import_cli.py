"""`citycert template` and `citycert import`: files, messages in both languages, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from citycert.cli import app
from citycert.services import cities, cycles, values
from citycert.services.context import ServiceContext
from citycert.services.values import InputChange
from citycert.store.engine import Database
from tests.io.workbook_factory import fill_template, locate

runner = CliRunner()
CATALOG = "iso37120-2018"


def cli(db: Database, *args: str) -> Result:
    return runner.invoke(app, [*args, "--database-url", db.url])


@pytest.fixture
def daegu(ctx: ServiceContext) -> ServiceContext:
    cities.create_city(
        ctx, data=cities.parse_create({"slug": "daegu", "name_en": "Daegu", "name_ko": "대구",
                                        "country": "KR"})
    )  # fmt: skip
    return ctx


def stored(ctx: ServiceContext) -> dict[tuple[str, str], tuple[float | None, str]]:
    cycle = cycles.find_cycle(ctx, city="daegu", catalog=CATALOG, year=2023)
    if cycle is None:
        return {}
    return {
        (r.indicator, r.input): (r.value, r.updated_by)
        for r in values.list_inputs(ctx, cycle_id=cycle.id)
    }


def make(daegu: ServiceContext, path: Path) -> Path:
    result = cli(daegu.db, "template", "--city", "daegu", "--standard", CATALOG, "--year", "2023",
                 "-o", str(path))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "입력 서식" in result.stdout and str(path) in result.stdout
    return path


def test_template_then_dry_run_then_import_with_an_actor(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    path = fill_template(make(daegu, tmp_path / "daegu-2023.xlsx"), {("5.1", "labour_force"): 1000})

    dry = cli(daegu.db, "import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would change 1 new" in dry.stdout and "새 값 1건" in dry.stdout
    assert stored(daegu) == {}

    done = cli(daegu.db, "import", str(path), "--actor", "kim@daegu", "--format", "json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["applied"] and report["counts"]["created"] == 1
    assert report["created"] == ["daegu/iso37120-2018/2023/5.1/labour_force"]
    assert stored(daegu) == {("5.1", "labour_force"): (1000.0, "kim@daegu")}


def test_import_with_problems_lists_place_message_and_fix_in_both_languages(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    path = fill_template(
        make(daegu, tmp_path / "t.xlsx"),
        {("5.1", "labour_force"): "lots", ("5.1", "unemployed_persons"): -3},
    )
    result = cli(daegu.db, "import", str(path))
    assert result.exit_code == 2
    sheet, row = locate(path, "5.1", "labour_force")
    out = result.stdout
    assert (
        f"{path}, sheet '{sheet}', row {row}, column 'E (값 Value)': value 'lots' is not a number"
        in out
    )
    assert "fix: write a plain number" in out
    assert "값 'lots'은(는) 숫자가 아닙니다" in out and "고치는 방법:" in out
    assert "is negative" in out
    assert "nothing was saved" in out and "아무것도 저장하지 않았습니다" in out
    assert stored(daegu) == {}


def test_report_language_can_be_english_only(daegu: ServiceContext, tmp_path: Path) -> None:
    path = fill_template(make(daegu, tmp_path / "t.xlsx"), {("5.1", "labour_force"): "lots"})
    result = cli(daegu.db, "import", str(path), "--lang", "en")
    assert result.exit_code == 2
    assert "is not a number" in result.stdout and "고치는 방법" not in result.stdout


def test_conflict_exits_with_one_and_names_who_changed_the_value(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    path = make(daegu, tmp_path / "t.xlsx")
    cycle = cycles.open_cycle(daegu, city="daegu", catalog=CATALOG, year=2023)
    other = ServiceContext(db=daegu.db, actor="analyst@daegu")
    values.set_inputs(other, cycle.id, [InputChange("5.1", "labour_force", 900)])
    fill_template(path, {("5.1", "labour_force"): 1000})
    result = cli(daegu.db, "import", str(path))
    assert result.exit_code == 1, result.output
    assert "analyst@daegu" in result.stdout and "900" in result.stdout
    assert stored(daegu) == {("5.1", "labour_force"): (900.0, "analyst@daegu")}


def test_file_for_another_city_than_asked_is_refused(daegu: ServiceContext, tmp_path: Path) -> None:
    path = fill_template(make(daegu, tmp_path / "t.xlsx"), {("5.1", "labour_force"): 1})
    result = cli(daegu.db, "import", str(path), "--city", "busan", "--standard", "ISO 37120:2018")
    assert result.exit_code == 2
    assert "the file is for city 'daegu', but 'busan' was asked for" in result.stdout


def test_file_over_the_upload_limit_is_refused(
    daegu: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make(daegu, tmp_path / "t.xlsx")
    monkeypatch.setenv("CITYCERT_MAX_UPLOAD_BYTES", "1000")
    result = cli(daegu.db, "import", str(path))
    assert result.exit_code == 2
    assert "KB; the largest accepted file is 1,000 bytes" in result.stdout


def test_template_for_an_unknown_city_fails_in_both_languages(db: Database, tmp_path: Path) -> None:
    result = cli(db, "template", "--city", "atlantis", "--standard", CATALOG, "--year", "2023",
                 "-o", str(tmp_path / "t.xlsx"))  # fmt: skip
    assert result.exit_code == 2
    assert "no city 'atlantis'" in result.output and "없습니다" in result.output
    assert not (tmp_path / "t.xlsx").exists()
