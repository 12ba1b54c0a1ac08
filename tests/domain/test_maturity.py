"""ISO 37106 maturity: item levels -> eligibility, level, blockers and plan; the model file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from citycert.domain.maturity import MaturityInputError, score
from citycert.standards.maturity import (
    MATURITY_DIR,
    MaturityModel,
    get_maturity_model,
    load_maturity_model,
)
from citycert.standards.yaml_loader import StandardsFileError

DATA = Path(__file__).parents[1] / "data" / "maturity"
MODEL = get_maturity_model()
BUILTIN = MATURITY_DIR / "bsi-iso37106-reconstruction-1.yaml"


def _cases(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def levels_from(
    spec: list[list[int]], set_: dict[str, Any] | None = None, drop: list[str] | None = None
) -> dict[str, Any]:
    """Fill items in model order from [[level, count], ...], then apply overrides."""
    values = [level for level, count in spec for _ in range(count)]
    out: dict[str, Any] = {it.id: v for it, v in zip(MODEL.items, values, strict=False)}
    out.update(set_ or {})
    for item in drop or []:
        out.pop(item)
    return out


def model_with(scoring: dict[str, Any] | None) -> MaturityModel:
    if not scoring:
        return MODEL
    data = MODEL.model_dump(mode="json")
    data["scoring"].update(scoring)
    return MaturityModel.model_validate(data)


@pytest.mark.parametrize("case", _cases("cases.yaml"), ids=lambda c: c["name"])
def test_item_levels_give_expected_maturity(case: dict[str, Any]) -> None:
    result = score(model_with(case.get("scoring")), levels_from(case["levels"], case.get("set")))
    expect = case["expect"]
    for key in ("eligible", "level", "indicative_level", "target_level"):
        if key in expect:
            assert getattr(result, key) == expect[key], key
    if "mean" in expect:
        assert round(result.mean, 2) == expect["mean"]
    if "blockers" in expect:
        assert [b.item for b in result.blockers] == expect["blockers"]
    if "strengths" in expect:
        assert [s.item for s in result.strengths] == expect["strengths"]
    plan = [f"{s.item}:{s.from_level}->{s.to_level}" for s in result.next_level_plan]
    if "plan" in expect:
        assert plan == expect["plan"]
    if "plan_size" in expect:
        assert len(plan) == expect["plan_size"]
    if "note" in expect:
        assert expect["note"] in [n.code for n in result.notes]


@pytest.mark.parametrize("case", _cases("cases.yaml"), ids=lambda c: c["name"])
def test_following_the_plan_reaches_the_target_without_breaking_the_gate(
    case: dict[str, Any],
) -> None:
    model = model_with(case.get("scoring"))
    levels = levels_from(case["levels"], case.get("set"))
    result = score(model, levels)
    if result.target_level is None:
        return
    raised = levels | {s.item: s.to_level for s in result.next_level_plan}
    after = score(model, raised)
    assert after.eligible
    assert after.level == result.target_level
    # One step less anywhere would miss the target: the plan is no bigger than needed.
    cheapest = sum(s.to_level - s.from_level for s in result.next_level_plan)
    for step in result.next_level_plan:
        if step.to_level - 1 >= model.scoring.gate_min_item:
            fewer = score(model, raised | {step.item: step.to_level - 1})
            assert fewer.level != result.target_level, (step, cheapest)


@pytest.mark.parametrize("case", _cases("cases-with-problems.yaml"), ids=lambda c: c["name"])
def test_bad_levels_list_every_problem(case: dict[str, Any]) -> None:
    levels = levels_from(case["levels"], case.get("set"), case.get("drop"))
    previous = levels_from(case["previous"]) if "previous" in case else None
    with pytest.raises(MaturityInputError) as err:
        score(MODEL, levels, previous)
    got = [[p.where, p.code, p.item] for p in err.value.problems]
    assert got == case["expect"]
    assert all(p.en and p.ko for p in err.value.problems)


def test_blocker_is_named_in_both_languages() -> None:
    result = score(MODEL, levels_from([[4, 22]], {"B03": 2}))
    note = next(n for n in result.notes if n.code == "below_gate")
    assert "B03 Identity and privacy management (2)" in note.en
    assert "B03 신원 및 개인정보 관리(2)" in note.ko


def test_area_means_follow_the_items_of_each_area() -> None:
    result = score(MODEL, levels_from([[5, 12], [3, 4], [4, 5], [2, 1]]))
    assert result.areas == {"A": 5.0, "B": 3.0, "C": 4.0, "D": 2.0}


def test_comparison_with_previous_reports_deltas_per_item_and_area() -> None:
    before = levels_from([[4, 7], [3, 15]])
    after = before | {"D01": 5, "A01": 3}
    result = score(MODEL, after, before)
    assert result.comparison is not None
    c = result.comparison
    assert c.level_before == 3 and c.level_after == 3
    assert c.items["D01"] == 2 and c.items["A01"] == -1 and c.items["B01"] == 0
    assert c.areas["D"] == 2.0
    assert c.areas["A"] == pytest.approx(-1 / 12)
    assert c.mean_delta == pytest.approx(1 / 22)
    assert result.as_dict()["comparison"]["items"] == {"A01": -1, "D01": 2}  # type: ignore[index]


def test_score_as_dict_is_plain_data_with_bilingual_names() -> None:
    data = score(MODEL, levels_from([[4, 22]], {"B03": 2})).as_dict()
    assert data["eligible"] is False and data["level"] is None
    assert data["blockers"] == [
        {
            "item": "B03",
            "area": "B",
            "level": 2,
            "name": {"en": "Identity and privacy management", "ko": "신원 및 개인정보 관리"},
        }
    ]
    assert data["areas"] == {"A": 4.0, "B": 3.5, "C": 4.0, "D": 4.0}


def test_built_in_model_is_a_labelled_reconstruction_with_22_items_in_4_areas() -> None:
    assert MODEL.status == "reconstruction"
    assert "not the official" in MODEL.label.en and MODEL.label.ko
    assert len(MODEL.items) == 22 and list(MODEL.areas) == ["A", "B", "C", "D"]
    assert [len([i for i in MODEL.items if i.area == a]) for a in "ABCD"] == [12, 4, 5, 1]
    assert sorted(MODEL.levels) == [1, 2, 3, 4, 5]
    assert MODEL.scoring.gate_min_item == 3 and MODEL.scoring.award == "floor"
    assert MODEL.scoring.level5_extra_condition is None
    assert BUILTIN.read_text(encoding="utf-8").startswith("# ISO 37106 smart-city operating model")


def test_every_user_facing_string_of_the_model_has_english_and_korean() -> None:
    for lv in MODEL.levels.values():
        assert lv.en and lv.ko and lv.meaning_en and lv.meaning_ko
    for area in MODEL.areas.values():
        assert area.en and area.ko
    for item in MODEL.items:
        assert item.en and item.ko and item.evidence_examples
        assert all(e.en and e.ko for e in item.evidence_examples)
    for rule, cite in MODEL.scoring.citations.items():
        assert cite.source, rule


def test_an_official_item_list_of_the_same_shape_replaces_the_reconstruction() -> None:
    official = load_maturity_model(DATA / "official_like_model.yaml")
    assert official.status == "official"
    result = score(official, {"X01": 4, "X02": 4, "Y01": 3})
    assert result.level == 3 and result.eligible
    assert not any(n.code == "reconstruction" for n in result.notes)
    assert any(n.code == "reconstruction" for n in score(MODEL, levels_from([[3, 22]])).notes)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  - id: D01\n    area: D", "  - id: D01\n    area: E", "unknown area 'E'"),
        ("  - id: B04\n", "  - id: B03\n", "item ids repeat: B03"),
        ("  gate_min_item: 3", "  gate_min_item: 7", "gate_min_item 7 is not one of"),
        ("    award:\n      source", "    awarded:\n      source", "citations missing for: award"),
        ("award: floor", "award: ceiling", "scoring.award"),
    ],
)
def test_bad_model_file_names_file_and_problem(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = BUILTIN.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "model.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(StandardsFileError) as err:
        load_maturity_model(bad)
    assert f"{bad}:" in str(err.value)
    assert message in str(err.value)
