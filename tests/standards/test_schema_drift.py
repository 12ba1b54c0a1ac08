"""The shipped JSON Schema files follow the pydantic models and accept the shipped data files."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel, ConfigDict
from typer.testing import CliRunner

from citycert.cli import app
from citycert.standards import schema
from citycert.standards.catalog import CATALOG_DIR, CROSSWALK_DIR
from citycert.standards.models import CatalogFile, CrosswalkFile
from citycert.standards.schema import (
    SCHEMA_DIR,
    DriftKind,
    SchemaDrift,
    check_schemas,
    render_schema,
    write_schemas,
)
from citycert.standards.yaml_loader import StandardsFileError, load_model

runner = CliRunner()
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _validator(filename: str) -> jsonschema.Draft202012Validator:
    doc = yaml.safe_load((SCHEMA_DIR / filename).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(doc)


def test_committed_schema_files_match_the_models() -> None:
    assert check_schemas() == []


def test_every_registered_model_has_a_schema_file_that_is_valid_json_schema() -> None:
    names = [filename for _, filename in schema.SCHEMA_REGISTRY]
    assert {"catalog.schema.json", "crosswalk.schema.json"} <= set(names)
    for filename in names:
        _validator(filename)


def test_check_reports_every_kind_of_drift_at_once(tmp_path: Path) -> None:
    write_schemas(tmp_path)
    (tmp_path / "catalog.schema.json").unlink()
    crosswalk = tmp_path / "crosswalk.schema.json"
    crosswalk.write_text(crosswalk.read_text().replace('"pairs"', '"pears"'), encoding="utf-8")
    (tmp_path / "leftover.schema.json").write_text("{}\n", encoding="utf-8")

    assert check_schemas(tmp_path) == [
        SchemaDrift("catalog.schema.json", DriftKind.missing),
        SchemaDrift("crosswalk.schema.json", DriftKind.changed),
        SchemaDrift("leftover.schema.json", DriftKind.unexpected),
    ]


def test_write_repairs_drift_and_removes_schema_files_no_model_owns(tmp_path: Path) -> None:
    (tmp_path / "leftover.schema.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "catalog.schema.json").write_text("{}\n", encoding="utf-8")
    write_schemas(tmp_path)
    assert check_schemas(tmp_path) == []
    assert sorted(p.name for p in tmp_path.glob("*.json")) == sorted(
        filename for _, filename in schema.SCHEMA_REGISTRY
    )


class _CatalogFileWithExtraKey(CatalogFile):
    model_config = ConfigDict(extra="forbid", frozen=True)
    publisher: str | None = None


def test_a_changed_model_is_detected_as_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        schema,
        "SCHEMA_REGISTRY",
        [
            (_CatalogFileWithExtraKey if model is CatalogFile else model, filename)
            for model, filename in schema.SCHEMA_REGISTRY
        ],
    )
    assert check_schemas() == [SchemaDrift("catalog.schema.json", DriftKind.changed)]


def test_a_new_registry_entry_without_its_file_is_detected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class LevelRules(BaseModel):
        model_config = ConfigDict(extra="forbid")
        levels: list[str]

    monkeypatch.setattr(
        schema, "SCHEMA_REGISTRY", [*schema.SCHEMA_REGISTRY, (LevelRules, "x.json")]
    )
    assert check_schemas() == [SchemaDrift("x.json", DriftKind.missing)]


def test_a_file_name_registered_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        schema,
        "SCHEMA_REGISTRY",
        [(CatalogFile, "catalog.schema.json"), (CrosswalkFile, "catalog.schema.json")],
    )
    with pytest.raises(ValueError, match="registered twice"):
        check_schemas()


def test_rendering_is_stable_and_names_the_json_schema_dialect() -> None:
    first = render_schema(CatalogFile)
    assert first == render_schema(CatalogFile)
    assert first.endswith("}\n")
    assert yaml.safe_load(first)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _data_files() -> list[tuple[Path, str]]:
    found = [(p, "catalog.schema.json") for p in sorted(CATALOG_DIR.glob("*.yaml"))]
    found += [(p, "crosswalk.schema.json") for p in sorted(CROSSWALK_DIR.glob("*.yaml"))]
    rules = CATALOG_DIR.parent / "rules"
    for folder, filename in [
        ("levels", "level-rules.schema.json"),
        ("validation", "validation-rules.schema.json"),
        ("maturity", "maturity-model.schema.json"),
        ("certificates", "certificate-terms.schema.json"),
    ]:
        files = sorted((rules / folder).glob("*.yaml"))
        assert files, folder
        found += [(p, filename) for p in files]
    return found


@pytest.mark.parametrize(("path", "filename"), _data_files(), ids=lambda v: getattr(v, "name", v))
def test_shipped_data_files_validate_against_their_schema(path: Path, filename: str) -> None:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    errors = [e.message for e in _validator(filename).iter_errors(data)]
    assert errors == []


@cache
def _shipped_catalog() -> dict[str, Any]:
    path = CATALOG_DIR / "iso37120-2014.yaml"
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return data


def _catalog_example() -> dict[str, Any]:
    """The shipped 2014 catalogue cut to its first two indicators (keeps the loader quick)."""
    data = copy.deepcopy(_shipped_catalog())
    data["indicators"] = data["indicators"][:2]
    themes = {i["theme"] for i in data["indicators"]}
    data["themes"] = [t for t in data["themes"] if t["number"] in themes]
    return data


def _set(data: dict[str, Any], where: tuple[str | int, ...], value: Any) -> None:
    node: Any = data
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value


def _drop(data: dict[str, Any], where: tuple[str | int, ...], _: Any) -> None:
    node: Any = data
    for part in where[:-1]:
        node = node[part]
    del node[where[-1]]


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


BROKEN_CATALOGUES = [
    # (what is wrong, edit, path, value)
    ("misspelled top-level key", _set, ("titel",), {"en": "x", "ko": "x"}),
    ("unknown indicator key", _set, ("indicators", 0, "nmae"), "x"),
    ("confidence outside the scale", _set, ("indicators", 0, "confidence"), "certain"),
    ("indicator type unknown", _set, ("indicators", 0, "type"), "main"),
    ("missing source", _drop, ("indicators", 0, "source"), None),
    ("Korean name missing", _drop, ("indicators", 0, "name", "ko"), None),
    ("input role unknown", _set, ("indicators", 0, "formula", "inputs", 0, "role"), "top"),
]


@pytest.mark.parametrize(
    ("problem", "edit", "where", "value"), BROKEN_CATALOGUES, ids=[b[0] for b in BROKEN_CATALOGUES]
)
def test_schema_and_loader_both_reject_a_broken_catalogue(
    tmp_path: Path, problem: str, edit: Any, where: tuple[str | int, ...], value: Any
) -> None:
    data = _catalog_example()
    load_model(_write(tmp_path / "sound.yaml", data), CatalogFile)  # the example itself loads
    edit(data, where, value)
    assert list(_validator("catalog.schema.json").iter_errors(data)), problem
    with pytest.raises(StandardsFileError):
        load_model(_write(tmp_path / "broken.yaml", data), CatalogFile)


def test_cli_check_exits_1_on_drift_and_0_once_written(tmp_path: Path) -> None:
    (tmp_path / "catalog.schema.json").write_text("{}\n", encoding="utf-8")
    drift = runner.invoke(app, ["schema", "check", "--dir", str(tmp_path)])
    assert drift.exit_code == 1
    assert "catalog.schema.json" in drift.output
    assert "crosswalk.schema.json" in drift.output

    written = runner.invoke(app, ["schema", "write", "--dir", str(tmp_path)])
    assert written.exit_code == 0
    clean = runner.invoke(app, ["schema", "check", "--dir", str(tmp_path), "--lang", "ko"])
    assert clean.exit_code == 0, clean.output
    assert "최신" in clean.output
