"""`citycert compute` and `citycert catalog`: output shapes, messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citycert.cli import app

runner = CliRunner()


def _csv(tmp_path: Path, text: str, name: str = "inputs.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_compute_json_gives_one_object_per_indicator(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        'indicator,input,value\n14.2,homicides,50\n14.2,population,"2,790,200"\n',
    )
    result = runner.invoke(
        app, ["compute", "--standard", "iso37120-2014", "--inputs", str(path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["indicator"] for d in data] == ["14.2"]
    (row,) = data
    assert set(row) == {"indicator", "key", "value", "unit", "status", "messages"}
    assert row["key"] == "iso37120-2014:14.2"
    assert round(row["value"], 2) == 1.79
    assert row["status"] == "ok"


def test_compute_table_shows_names_in_korean(tmp_path: Path) -> None:
    path = _csv(tmp_path, "indicator,input,value\n14.2,homicides,50\n14.2,population,2790200\n")
    result = runner.invoke(
        app, ["compute", "--standard", "iso37120-2014", "--inputs", str(path), "--lang", "ko"]
    )
    assert result.exit_code == 0, result.output
    assert "살인" in result.stdout
    assert "1.79" in result.stdout


def test_compute_reports_status_for_bad_values_without_crashing(tmp_path: Path) -> None:
    path = _csv(tmp_path, "indicator,input,value\n14.2,homicides,50\n14.2,population,0\n")
    result = runner.invoke(
        app, ["compute", "--standard", "iso37120-2014", "--inputs", str(path), "--format", "json"]
    )
    assert result.exit_code == 0
    (row,) = json.loads(result.stdout)
    assert row["status"] == "zero_denominator"
    assert row["value"] is None
    assert "denominator (population) is zero" in row["messages"][0]["en"]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("indicator,value\n14.2,5\n", ["row 1", "column 'input'", "missing column(s) input"]),
        ("indicator,input,value\n99.9,homicides,5\n", ["row 2", "column 'indicator'", "'99.9'"]),
        ("indicator,input,value\n14.2,murders,5\n", ["row 2", "column 'input'", "homicides"]),
        ("indicator,input,value\n14.2,homicides,lots\n", ["row 2", "column 'value'", "'lots'"]),
        (
            "indicator,input,value\n14.2,homicides,5\n14.2,homicides,6\n",
            ["row 3", "given twice (first on row 2)"],
        ),
    ],
    ids=["missing_column", "unknown_indicator", "unknown_input", "not_a_number", "duplicate"],
)
def test_malformed_file_names_row_and_column_and_exits_nonzero(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = _csv(tmp_path, text)
    result = runner.invoke(app, ["compute", "--standard", "iso37120-2014", "--inputs", str(path)])
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in out, out
    assert str(path.name) in out


def test_every_problem_in_a_file_is_reported(tmp_path: Path) -> None:
    path = _csv(tmp_path, "indicator,input,value\n99.9,x,1\n14.2,murders,5\n14.2,homicides,abc\n")
    result = runner.invoke(app, ["compute", "--standard", "iso37120-2014", "--inputs", str(path)])
    assert result.exit_code == 2
    assert "3 problem(s)" in " ".join(result.output.split())


def test_unknown_standard_lists_available_ones(tmp_path: Path) -> None:
    path = _csv(tmp_path, "indicator,input,value\n")
    result = runner.invoke(app, ["compute", "--standard", "iso1-2000", "--inputs", str(path)])
    assert result.exit_code == 2
    assert "iso37120-2014" in result.output


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["compute", "--standard", "iso37120-2014", "--inputs", str(tmp_path / "nope.csv")]
    )
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_catalog_export_json_has_the_documented_fields() -> None:
    result = runner.invoke(
        app, ["catalog", "export", "--format", "json", "--standard", "iso37120-2014"]
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    required = {"key", "standard", "edition", "number", "theme", "type", "unit", "name", "inputs",
                "multiplier", "direction", "confidence"}  # fmt: skip
    assert records
    for rec in records:
        assert required <= set(rec)
        assert set(rec["name"]) == {"en", "ko"}
        for inp in rec["inputs"]:
            assert {"name", "role", "unit"} <= set(inp)


def test_catalog_export_csv_has_one_row_per_indicator() -> None:
    result = runner.invoke(
        app, ["catalog", "export", "--format", "csv", "--standard", "iso37120-2014"]
    )
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("key,standard,edition,number")
    exported = runner.invoke(app, ["catalog", "export", "--standard", "iso37120-2014"])
    assert len(lines) - 1 == len(json.loads(exported.stdout))


def test_catalog_show_in_korean_and_unknown_key() -> None:
    ok = runner.invoke(app, ["catalog", "show", "iso37120-2014:14.2", "--lang", "ko"])
    assert ok.exit_code == 0
    assert "이름" in ok.stdout
    bad = runner.invoke(app, ["catalog", "show", "iso37120-2014:99.9"])
    assert bad.exit_code == 2
    assert "no indicator '99.9'" in bad.output


def test_catalog_list_filters_by_theme() -> None:
    result = runner.invoke(app, ["catalog", "list", "--standard", "iso37120-2014", "--theme", "14"])
    assert result.exit_code == 0
    assert "iso37120-2014:14.2" in result.stdout
    assert "iso37120-2014:5.1" not in result.stdout
