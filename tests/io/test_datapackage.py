"""Data Package export: a descriptor and CSV files that the `frictionless` library accepts."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import frictionless
import pytest
from typer.testing import CliRunner

from citycert.cli import app
from citycert.io.datapackage import PackageMeta
from citycert.services import cycles, values
from citycert.services.context import ServiceContext
from citycert.services.exports import ExportFilter, ExportFormat, export

FRICTIONLESS_CLI = Path(sys.executable).parent / "frictionless"
runner = CliRunner()


def _errors(report: frictionless.Report) -> list[list[Any]]:
    return list(report.flatten(["type", "note"]))


def test_exported_package_folder_is_valid_for_frictionless(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    result = export(seeded, fmt=ExportFormat.datapackage, target=tmp_path / "pkg")

    descriptor = tmp_path / "pkg" / "datapackage.json"
    assert result.files[0] == descriptor
    assert sorted(p.name for p in (tmp_path / "pkg").iterdir()) == [
        "cities.csv", "datapackage.json", "indicators.csv", "inputs.csv",
    ]  # fmt: skip
    report = frictionless.validate(str(descriptor))
    assert report.valid, _errors(report)
    assert [task.name for task in report.tasks] == ["cities", "inputs", "indicators"]


def test_exported_zip_package_is_valid_for_frictionless(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    target = tmp_path / "pkg.zip"
    export(seeded, fmt=ExportFormat.datapackage, target=target)

    with zipfile.ZipFile(target) as zf:
        assert sorted(zf.namelist()) == [
            "cities.csv", "datapackage.json", "indicators.csv", "inputs.csv",
        ]  # fmt: skip
    report = frictionless.validate(str(target))
    assert report.valid, _errors(report)


def test_frictionless_command_line_accepts_the_package(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    if not FRICTIONLESS_CLI.exists():
        pytest.fail(f"the frictionless command is part of the dev install: {FRICTIONLESS_CLI}")
    export(seeded, fmt=ExportFormat.datapackage, target=tmp_path / "pkg")
    run = subprocess.run(
        [str(FRICTIONLESS_CLI), "validate", str(tmp_path / "pkg" / "datapackage.json")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr


BREAKAGES = [
    # (what, file, text to replace, replacement, error type frictionless reports)
    ("input of an unknown city", "inputs.csv", "\ndaegu,", "\natlantis,", "foreign-key"),
    ("same input twice", "inputs.csv", "labour_force,1215000", "unemployed_persons,1215000",
     "primary-key"),
    ("text in a number column", "inputs.csv", ",48000,", ",lots,", "type-error"),
    ("year that is not a number", "inputs.csv", ",2022,", ",twenty,", "type-error"),
    ("quality grade outside A-D", "inputs.csv", ",A\n", ",E\n", "constraint-error"),
    ("country not two capitals", "cities.csv", ",KR,", ",Korea,", "constraint-error"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "file", "old", "new", "error"),
    BREAKAGES,
    ids=[b[0] for b in BREAKAGES],
)
def test_a_damaged_package_is_rejected_by_the_same_check(
    seeded: ServiceContext, tmp_path: Path, what: str, file: str, old: str, new: str, error: str
) -> None:
    export(seeded, fmt=ExportFormat.datapackage, target=tmp_path / "pkg")
    path = tmp_path / "pkg" / file
    text = path.read_text(encoding="utf-8")
    assert old in text, what
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

    report = frictionless.validate(str(tmp_path / "pkg" / "datapackage.json"))
    assert not report.valid
    assert error in {e[0] for e in _errors(report)}, _errors(report)


def test_descriptor_names_scope_licence_sources_and_keys(
    seeded: ServiceContext, seed: dict[str, Any], tmp_path: Path
) -> None:
    filters = ExportFilter(city="daegu", standard="iso37120-2014")
    export(seeded, fmt=ExportFormat.datapackage, target=tmp_path / "pkg", filters=filters)
    doc = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))

    assert doc["name"] == "citycert-daegu-iso37120-2014"
    assert doc["licenses"][0]["name"] == "CC-BY-4.0"
    seeded_sources = {
        r["source"]
        for cy in seed["cycles"]
        if cy["city"] == "daegu" and cy["catalog"] == "iso37120-2014"
        for r in cy["inputs"]
        if r.get("source")
    }
    assert {s["title"] for s in doc["sources"]} == {"CityCert", *seeded_sources}
    schemas = {r["name"]: r["schema"] for r in doc["resources"]}
    assert schemas["cities"]["primaryKey"] == ["slug"]
    assert schemas["inputs"]["primaryKey"] == ["city", "catalog", "year", "indicator", "input"]
    assert schemas["indicators"]["foreignKeys"][0]["reference"] == {
        "resource": "cities", "fields": ["slug"],
    }  # fmt: skip
    for schema in schemas.values():
        for f in schema["fields"]:
            en, _, ko = f["description"].partition(" / ")
            assert en and ko, f["name"]


@pytest.mark.parametrize("scope", ["daegu 2023", "대구", "daegu:2023"])
def test_a_package_name_outside_the_allowed_characters_is_refused(scope: str) -> None:
    with pytest.raises(ValueError, match="package name"):
        _ = PackageMeta(scope=scope).name


def test_frictionless_reads_back_the_stored_indicator_values(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    export(seeded, fmt=ExportFormat.datapackage, target=tmp_path / "pkg")
    package = frictionless.Package(str(tmp_path / "pkg" / "datapackage.json"))
    read = {
        (r["city"], r["catalog"], r["year"], r["indicator"]): r
        for r in package.get_resource("indicators").read_rows()
    }
    stored = {
        (cy.city_slug, cy.catalog, cy.year, iv.indicator): iv
        for cy in cycles.list_cycles(seeded)
        for iv in values.list_indicator_values(seeded, cycle_id=cy.id)
    }
    assert set(read) == set(stored)
    for key, iv in stored.items():
        got = read[key]["value"]
        assert (None if got is None else float(got)) == iv.value, key
        assert read[key]["status"] == iv.status


def test_package_csv_files_are_the_exchange_tables(seeded: ServiceContext, tmp_path: Path) -> None:
    export(seeded, fmt=ExportFormat.datapackage, target=tmp_path / "pkg")
    export(seeded, fmt=ExportFormat.csv, target=tmp_path / "all.csv")
    with (tmp_path / "all.csv").open(encoding="utf-8", newline="") as fh:
        single = [
            {k: v for k, v in r.items() if not k.startswith("city_") and k != "country"}
            for r in csv.DictReader(fh)
        ]
    text = (tmp_path / "pkg" / "inputs.csv").read_text(encoding="utf-8")
    assert list(csv.DictReader(io.StringIO(text))) == single


@pytest.mark.slow
def test_demo_data_exports_as_a_package_frictionless_accepts(
    tmp_path: Path, database_url: str
) -> None:
    """`citycert demo` then `citycert export --format datapackage`: a valid, non-empty package."""
    loaded = runner.invoke(app, ["demo", "--database-url", database_url])
    assert loaded.exit_code == 0, loaded.output
    out = tmp_path / "demo-pkg"
    res = runner.invoke(
        app, ["export", "--format", "datapackage", "-o", str(out), "--database-url", database_url]
    )
    assert res.exit_code == 0, res.output

    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, _errors(report)
    package = frictionless.Package(str(out / "datapackage.json"))
    cities = package.get_resource("cities").read_rows()
    inputs = package.get_resource("inputs").read_rows()
    assert len(cities) >= 2 and len(inputs) > 0
    assert {r["city"] for r in inputs} <= {r["slug"] for r in cities}
