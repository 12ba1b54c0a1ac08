"""`citycert validate`: findings as JSON and table, exit codes, clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citycert.cli import app

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data" / "validation"
INPUTS = DATA / "la_2015_inputs.csv"


def _validate(*args: str) -> object:
    return runner.invoke(app, ["validate", "--standard", "iso37120-2014", *args])


def _csv(tmp_path: Path, text: str, name: str = "reported.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_la_homicide_count_reported_as_rate_fails_with_exit_1_and_bilingual_json() -> None:
    result = _validate(
        "--inputs",
        str(INPUTS),
        "--reported",
        str(DATA / "la_2015_reported_with_problems.csv"),
        "--format",
        "json",
    )
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)
    assert [(f["indicator"], f["rule"], f["severity"]) for f in findings] == [
        ("14.2", "rate_equals_count", "error")
    ]
    assert "282" in findings[0]["message"]["en"] and "282" in findings[0]["message"]["ko"]
    assert set(findings[0]["hint"]) == {"en", "ko"}


def test_la_clean_twin_passes_with_exit_0_and_an_empty_list() -> None:
    result = _validate(
        "--inputs",
        str(INPUTS),
        "--reported",
        str(DATA / "la_2015_reported.csv"),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_warnings_alone_exit_0_and_population_option_is_the_registered_population() -> None:
    # The 2000 census population of the Los Angeles urban agglomeration, not the city proper.
    result = _validate("--inputs", str(INPUTS), "--population", "11789487", "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    assert [(f["rule"], f["severity"]) for f in findings] == [("registered_population", "warning")]


def test_table_output_in_korean_lists_findings_and_a_summary() -> None:
    result = _validate(
        "--inputs",
        str(INPUTS),
        "--reported",
        str(DATA / "la_2015_reported_with_problems.csv"),
        "--lang",
        "ko",
    )
    assert result.exit_code == 1
    assert "살인" in result.stdout
    assert "1 error(s), 0 warning(s)" in result.stdout


def test_bad_reported_file_names_every_bad_row_and_column_and_exits_2(tmp_path: Path) -> None:
    bad = _csv(tmp_path, "indicator,value\n14.2,7.1\n99.9,1\n8.3,ten\n14.2,7.2\n5.1,\n")
    result = _validate("--inputs", str(INPUTS), "--reported", str(bad))
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "row 3, column 'indicator': unknown indicator '99.9'" in out
    assert "row 4, column 'value': value 'ten' is not a number" in out
    assert "row 5, column 'indicator': 14.2 is given twice (first on row 2)" in out
    assert "row 6, column 'value': value is empty" in out
    assert "nothing was validated" in out


def test_reported_file_without_value_column_exits_2(tmp_path: Path) -> None:
    bad = _csv(tmp_path, "indicator,amount\n14.2,7.1\n")
    result = _validate("--inputs", str(INPUTS), "--reported", str(bad))
    assert result.exit_code == 2
    assert "missing column(s) value" in result.output


def test_bad_inputs_and_bad_reported_files_are_reported_together(tmp_path: Path) -> None:
    inputs = _csv(tmp_path, "indicator,input,value\n14.2,homicide,282\n", "inputs.csv")
    bad = _csv(tmp_path, "indicator,value\n14.2,x\n")
    result = _validate("--inputs", str(inputs), "--reported", str(bad))
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "has no input 'homicide'" in out
    assert "value 'x' is not a number" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--standard", "iso00000-1999", "--inputs", str(INPUTS)], "unknown standard"),
        (["--standard", "iso37120-2014", "--inputs", "missing.csv"], "file not found"),
        (
            ["--standard", "iso37120-2014", "--inputs", str(INPUTS), "--population", "0"],
            "--population",
        ),
    ],
)
def test_bad_options_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["validate", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_help_documents_the_exit_codes() -> None:
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "0 when no finding is an error" in text
    assert "1 when at least one error-severity finding blocks submission" in text
