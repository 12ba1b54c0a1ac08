"""`citycert maturity score`: output shapes, messages naming rows and columns, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from citycert.cli import app

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data" / "maturity"


def _score(*args: str) -> Result:
    return runner.invoke(app, ["maturity", "score", *args])


@pytest.mark.parametrize(
    ("name", "eligible", "level", "mean", "plan_size"),
    [
        ("daegu-2020.csv", True, 3, 3.32, 15),
        ("seocho-2023.csv", True, 4, 4.0, 17),
        ("one-item-at-2.csv", False, None, 3.91, 1),
    ],
)
def test_json_gives_eligibility_level_mean_areas_blockers_and_plan(
    name: str, eligible: bool, level: int | None, mean: float, plan_size: int
) -> None:
    result = _score(str(DATA / name), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"eligible", "level", "mean", "areas", "blockers", "next_level_plan"} <= set(data)
    assert (data["eligible"], data["level"], data["mean"]) == (eligible, level, mean)
    assert set(data["areas"]) == {"A", "B", "C", "D"}
    assert len(data["next_level_plan"]) == plan_size
    assert [b["item"] for b in data["blockers"]] == ([] if eligible else ["B03"])


def test_table_names_the_blocker_in_korean() -> None:
    result = _score(str(DATA / "one-item-at-2.csv"), "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert "기준 미달 항목: B03 신원 및 개인정보 관리 (2)" in result.stdout
    assert "인증 불가" in result.stdout
    assert "BSI 공식 평가 항목 목록이 아닙니다" in result.stdout


def test_table_shows_level_name_and_plan() -> None:
    result = _score(str(DATA / "daegu-2020.csv"))
    assert result.exit_code == 0, result.output
    assert "3 Competent" in result.stdout
    assert "plan for level 4" in result.stdout


def test_previous_assessment_adds_a_comparison() -> None:
    result = _score(
        str(DATA / "seocho-2023.csv"),
        "--previous",
        str(DATA / "daegu-2020.csv"),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    comparison = json.loads(result.stdout)["comparison"]
    assert (comparison["level_before"], comparison["level_after"]) == (3, 4)
    assert comparison["mean_delta"] == round(88 / 22 - 73 / 22, 2)
    assert comparison["items"]["D01"] == 2


def test_bad_rows_are_all_named_by_row_and_column_and_nothing_is_scored() -> None:
    path = DATA / "levels-with-problems.csv"
    result = _score(str(path), "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    expected = [
        f"{path}, row 4, column 'level': item A03 has level 'three'",
        f"{path}, row 5, column 'level': item A04 has level 6",
        f"{path}, row 21, column 'level': item C04 has level 3.5",
        f"{path}, row 22, column 'item': unknown item 'Z99'",
        f"{path}, row 23, column 'item': item A02 is given twice (first on row 3)",
        f"{path}, row 24, column 'item': the item is empty",
        f"{path}: item C05 (Interoperability, common terminology and reference model) has no level",
        f"{path}: item D01 (Benefits realisation) has no level",
    ]
    assert len(lines) == len(expected) + 1
    for line, start in zip(lines, expected, strict=False):
        assert line.startswith(start), (line, start)
    assert "8 problem(s)" in result.stderr


def test_problems_in_both_files_are_reported_together(tmp_path: Path) -> None:
    previous = tmp_path / "previous.csv"
    previous.write_text("item,level\nA01,3\n", encoding="utf-8")
    result = _score(str(DATA / "levels-with-problems.csv"), "--previous", str(previous))
    assert result.exit_code == 2
    assert f"{previous}: item A02 (Smart city roadmap) has no level" in result.stderr
    assert "29 problem(s)" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("item,score\nA01,3\n", "row 1, column 'level': missing column(s) level"),
        (None, "file not found"),
    ],
)
def test_unreadable_files_end_with_exit_code_2(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "levels.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = _score(str(path))
    assert result.exit_code == 2
    assert message in result.stderr


def test_own_model_file_is_used_and_a_bad_one_is_named(tmp_path: Path) -> None:
    levels = tmp_path / "levels.csv"
    levels.write_text("item,level\nX01,5\nX02,5\nY01,4\n", encoding="utf-8")
    model = DATA / "official_like_model.yaml"
    result = _score(str(levels), "--model", str(model), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["level"] == 4
    bad = tmp_path / "model.yaml"
    bad.write_text(
        model.read_text(encoding="utf-8").replace("gate_min_item: 3", "gate_min_item: 9")
    )
    result = _score(str(levels), "--model", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:" in result.stderr and "gate_min_item 9" in result.stderr
