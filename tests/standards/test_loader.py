"""Strict loading of standards files: errors name file and line; user catalogues work alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citycert.standards import catalog as catalog_mod
from citycert.standards.catalog import get_catalog, load_catalog
from citycert.standards.yaml_loader import StandardsFileError

DATA = Path(__file__).parents[1] / "data" / "calculation"
GOOD = (DATA / "synthetic_catalog.yaml").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "catalogue.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(
    ("broken", "fragment", "marker", "message"),
    [
        ("confidence: medium", "confidence: sure", "sure", "Input should be 'high', 'medium'"),
        (
            "type: supporting\n    name: {en: Energy",
            "type: optional\n    name: {en: Energy",
            "optional",
            "Input should be",
        ),
        (
            "unit: GJ per capita",
            "unit: GJ per capita\n    colour: blue",
            "colour",
            "Extra inputs are not permitted",
        ),
        ("- {name: total_energy,", "- {name: Total-Energy,", "Total-Energy", "must be snake_case"),
    ],
    ids=["bad_confidence", "bad_type", "unknown_key", "bad_input_name"],
)
def test_invalid_catalogue_names_file_and_line(
    tmp_path: Path, broken: str, fragment: str, marker: str, message: str
) -> None:
    assert broken in GOOD
    text = GOOD.replace(broken, fragment, 1)
    path = _write(tmp_path, text)
    with pytest.raises(StandardsFileError) as err:
        load_catalog(path)
    line = _line_of(text, marker)
    assert f"{path}:{line}:" in str(err.value)
    assert message in str(err.value)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "catalog: x\nthemes: [\n  - broken\n")
    with pytest.raises(StandardsFileError) as err:
        load_catalog(path)
    assert str(path) in str(err.value)
    assert "YAML syntax" in str(err.value)


def test_duplicate_key_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace('version: "test"', 'version: "test"\nversion: "2"', 1))
    with pytest.raises(StandardsFileError) as err:
        load_catalog(path)
    assert f"{path}:{_line_of(GOOD, 'version:') + 1}: duplicate key 'version'" in str(err.value)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("confidence: high", "confidence: certain")
    with pytest.raises(StandardsFileError) as err:
        load_catalog(_write(tmp_path, text))
    assert len(err.value.problems) == text.count("confidence: certain")


def test_duplicate_indicator_numbers_are_rejected(tmp_path: Path) -> None:
    text = GOOD.replace('number: "1.3"', 'number: "1.2"')
    with pytest.raises(StandardsFileError, match=r"indicator number 1\.2 repeats"):
        load_catalog(_write(tmp_path, text))


def test_user_supplied_catalogue_folder_is_loaded_like_a_built_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "licensed"
    folder.mkdir()
    shutil.copy(DATA / "synthetic_catalog.yaml", folder / "iso99999-2020.yaml")
    monkeypatch.setenv("CITYCERT_CATALOG_DIRS", str(folder))
    cat = get_catalog("ISO 99999:2020")
    assert cat.key == "iso99999-2020"
    assert cat.get("1.1") is not None
    assert "iso37120-2014" in catalog_mod.all_catalogs()
