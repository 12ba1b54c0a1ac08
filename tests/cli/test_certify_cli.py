"""`citycert certify`: file formats, output shapes, messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from citycert.cli import app
from citycert.standards.catalog import get_catalog
from citycert.standards.models import IndicatorType

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data" / "certify"


def _certify(*args: str) -> Result:
    """Run `citycert certify --standard iso37120-2018 ARGS`."""
    return runner.invoke(app, ["certify", "--standard", "iso37120-2018", *args])


def _first(n_supporting: int, drop_core: int = 0) -> list[str]:
    counted = get_catalog("iso37120-2018").counted()
    core = [i.number for i in counted if i.type is IndicatorType.core]
    others = [i.number for i in counted if i.type is not IndicatorType.core]
    return core[: len(core) - drop_core] + others[:n_supporting]


def test_json_for_88_verified_with_all_core_is_gold(tmp_path: Path) -> None:
    path = tmp_path / "verified.txt"
    path.write_text("\n".join(_first(41)) + "\n", encoding="utf-8")
    result = _certify("--verified", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("standard", "verified_count", "core_verified", "core_total")} == {
        "standard": "iso37120-2018",
        "verified_count": 88,
        "core_verified": 47,
        "core_total": 47,
    }
    assert data["level"] == "gold"
    assert data["level_name"] == {"en": "Gold", "ko": "골드"}
    assert data["next_level"] == "platinum"
    assert data["next_level_name"] == {"en": "Platinum", "ko": "플래티넘"}
    assert data["missing_for_next"] == 2
    assert [r["code"] for r in data["reasons"]][:2] == ["count", "level_met"]


def test_csv_with_an_indicator_column_is_read_like_a_list(tmp_path: Path) -> None:
    rows = "".join(f"{n},auditor A\n" for n in _first(43))
    path = tmp_path / "verified.csv"
    path.write_text("Indicator,verified_by\n" + rows, encoding="utf-8")
    result = _certify("--verified", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["verified_count"], data["level"], data["next_level"]) == (90, "platinum", None)


@pytest.mark.parametrize(
    ("name", "count"),
    [("verified-list.txt", 3), ("verified-with-comments.txt", 3), ("verified.csv", 3)],
)
def test_comments_blank_lines_repeats_and_profile_items_do_not_count(name: str, count: int) -> None:
    result = _certify("--verified", str(DATA / name), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verified_count"] == count
    assert data["level"] is None and data["next_level"] == "aspirational"
    assert data["missing_for_next"] == 27


def test_one_core_missing_is_held_at_aspirational_and_the_table_names_it(tmp_path: Path) -> None:
    path = tmp_path / "verified.txt"
    numbers = _first(42, drop_core=1)
    path.write_text("\n".join(numbers) + "\n", encoding="utf-8")
    counted = get_catalog("iso37120-2018").counted()
    missing = [i.number for i in counted if i.type is IndicatorType.core][-1]
    result = _certify("--verified", str(path))
    assert result.exit_code == 0, result.output
    assert "Aspirational" in result.stdout
    assert f"not verified: {missing}" in result.stdout
    ko = _certify("--verified", str(path), "--lang", "ko")
    assert "입문" in ko.stdout and f"미검증 핵심 지표: {missing}" in ko.stdout


def test_unknown_numbers_and_bad_lines_are_all_named_with_exit_code_2() -> None:
    path = DATA / "verified-with-problems.txt"
    result = _certify("--verified", str(path), "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr
    assert f"{path}, row 2: unknown indicator '99.9' in iso37120-2018" in err
    assert f"{path}, row 3: expected one indicator number, got '5.2, 6.1'" in err
    assert f"{path}, row 4: unknown indicator 'banana'" in err
    assert "3 problem(s)" in err and "nothing was assessed" in err


def test_unknown_numbers_in_a_csv_name_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "verified.csv"
    path.write_text("indicator\n5.1\n6.7\n", encoding="utf-8")
    result = _certify("--verified", str(path), "--lang", "ko")
    assert result.exit_code == 2
    assert (
        f"{path}, row 3, column 'indicator': iso37120-2018에 없는 지표 번호 '6.7'" in result.stderr
    )
    assert "아무것도 평가하지 않았습니다" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--standard", "iso99999-2020", "--verified", "x.txt"], "unknown standard"),
        (["--standard", "iso37120-2018", "--verified", "/nonexistent/v.txt"], "file not found"),
        (["--standard", "iso37120-2018"], "give --standard KEY and --verified FILE"),
    ],
)
def test_bad_options_end_with_exit_code_2_and_a_message(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["certify", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_own_rules_file_sets_the_early_adopter_threshold(tmp_path: Path) -> None:
    builtin = Path(__file__).parents[2] / "citycert/standards/rules/levels/iso37122-2019.yaml"
    rules = tmp_path / "body.yaml"
    rules.write_text(builtin.read_text(encoding="utf-8").replace("min_count: 30", "min_count: 3"))
    numbers = [i.number for i in get_catalog("iso37122-2019").counted()][:3]
    verified = tmp_path / "verified.txt"
    verified.write_text("\n".join(numbers), encoding="utf-8")
    base = ["certify", "--standard", "iso37122-2019", "--verified", str(verified)]
    default = json.loads(runner.invoke(app, [*base, "--format", "json"]).stdout)
    assert default["level"] is None and default["missing_for_next"] == 27
    own = runner.invoke(app, [*base, "--rules", str(rules), "--format", "json"])
    assert own.exit_code == 0, own.output
    assert json.loads(own.stdout)["level_name"] == {"en": "Early Adopter", "ko": "얼리 어답터"}


def test_rules_for_another_edition_are_refused(tmp_path: Path) -> None:
    rules = Path(__file__).parents[2] / "citycert/standards/rules/levels/iso37120-2014.yaml"
    result = _certify("--verified", str(DATA / "verified-list.txt"), "--rules", str(rules))
    assert result.exit_code == 2
    assert "are for iso37120-2014, not iso37120-2018" in result.stderr


def test_plan_lists_the_indicators_with_inputs_collected_first(tmp_path: Path) -> None:
    cat = get_catalog("iso37120-2018")
    verified = tmp_path / "verified.txt"
    verified.write_text("\n".join(_first(41)), encoding="utf-8")
    open_ = [i for i in cat.counted() if i.number not in set(_first(41))]
    target = next(i for i in reversed(open_) if i.formula and len(i.formula.inputs) >= 2)
    first_input = target.formula.inputs[0].name  # type: ignore[union-attr]
    inputs = tmp_path / "inputs.csv"
    inputs.write_text(f"indicator,input,value\n{target.number},{first_input},5\n")
    result = _certify("--verified", str(verified), "--inputs", str(inputs), "--format", "json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)["plan"]
    assert plan["target"] == "platinum" and plan["reachable"]
    assert len(plan["picks"]) == 2
    assert plan["picks"][0]["number"] == target.number
    assert plan["picks"][0]["collected"] == 1
    assert sum(t["verified"] for t in plan["themes"]) == 88
