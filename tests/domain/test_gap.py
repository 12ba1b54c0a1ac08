"""Gap analysis: the fewest indicators to verify next, and readiness by theme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from citycert.domain.certification import UnknownIndicatorsError
from citycert.domain.gap import ProgressError, plan_gap
from citycert.standards.catalog import get_catalog, load_catalog
from citycert.standards.levels import UnknownLevelRulesError, get_level_rules, load_level_rules
from citycert.standards.models import IndicatorType

DATA = Path(__file__).parents[1] / "data" / "certify"
SYNTHETIC = load_catalog(DATA / "synthetic_catalog.yaml")
TINY = load_level_rules(DATA / "tiny_rules.yaml")


def _cases(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def _progress(case: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {n: (c, t) for n, (c, t) in case["progress"].items()}


@pytest.mark.parametrize("case", _cases("gap-cases.yaml"), ids=lambda c: c["name"])
def test_gap_plan_picks_the_fewest_indicators_in_the_expected_order(case: dict[str, Any]) -> None:
    plan = plan_gap(SYNTHETIC, TINY, case["verified"], _progress(case), case.get("target"))
    expect = case["expect"]
    assert (plan.target.id if plan.target else None) == expect["target"]
    assert [p.number for p in plan.picks] == expect["picks"]
    if "why" in expect:
        assert [p.why for p in plan.picks] == expect["why"]
    assert plan.reachable
    if plan.target is not None and plan.target == plan.outcome.next_level:
        assert len(plan.picks) == plan.outcome.missing_for_next


@pytest.mark.parametrize("case", _cases("gap-cases-with-problems.yaml"), ids=lambda c: c["name"])
def test_bad_gap_input_names_every_problem(case: dict[str, Any]) -> None:
    kinds = {
        "unknown": UnknownIndicatorsError,
        "progress": ProgressError,
        "level": UnknownLevelRulesError,
    }
    expect = case["expect"]
    with pytest.raises(kinds[expect["error"]]) as err:
        plan_gap(SYNTHETIC, TINY, case["verified"], _progress(case), case.get("target"))
    if isinstance(err.value, UnknownIndicatorsError):
        assert list(err.value.numbers) == expect["numbers"]
    for number in expect["numbers"]:
        assert number in str(err.value)


def test_plan_marks_an_unreachable_target_and_offers_everything_left() -> None:
    data = yaml.safe_load((DATA / "tiny_rules.yaml").read_text(encoding="utf-8"))
    data["levels"][1]["min_count"] = 9
    rules = type(TINY).model_validate(data)
    plan = plan_gap(SYNTHETIC, rules, ["1.1", "2.1"], {})
    assert plan.target is not None and plan.target.id == "bronze"
    assert not plan.reachable
    assert [p.number for p in plan.picks] == ["1.2", "1.3", "2.2", "2.3", "2.4"]


def test_readiness_by_theme_counts_verified_of_counted_and_skips_profile_themes() -> None:
    plan = plan_gap(SYNTHETIC, TINY, ["1.1", "2.1", "2.3", "P.1"], {})
    assert [(r.theme, r.verified, r.total) for r in plan.themes] == [(1, 1, 3), (2, 2, 4)]
    assert plan.themes[0].name.ko == "핵심 주제"


def test_daegu_gold_needs_two_more_for_platinum_and_gets_the_most_complete() -> None:
    cat = get_catalog("iso37120-2018")
    counted = cat.counted()
    core = [i.number for i in counted if i.type is IndicatorType.core]
    others = [i.number for i in counted if i.type is not IndicatorType.core]
    verified = set(core) | set(others[:41])
    open_ = others[41:]
    progress = {open_[-1]: (2, 2), open_[-2]: (1, 2), open_[0]: (0, 2)}
    plan = plan_gap(cat, get_level_rules("iso37120-2018"), verified, progress)
    assert plan.outcome.level is not None and plan.outcome.level.id == "gold"
    assert plan.target is not None and plan.target.id == "platinum"
    assert [p.number for p in plan.picks] == [open_[-1], open_[-2]]
    assert sum(r.total for r in plan.themes) == 104
    assert sum(r.verified for r in plan.themes) == 88


def test_plan_as_dict_carries_bilingual_names_and_the_outcome() -> None:
    data = plan_gap(SYNTHETIC, TINY, ["2.1"], {"1.2": (1, 2)}).as_dict()
    assert data["target"] == "entry"
    assert data["picks"] == [
        {
            "number": "1.2",
            "name": {"en": "Indicator 1.2", "ko": "지표 1.2"},
            "type": "core",
            "collected": 1,
            "total": 2,
            "why": "count",
        },
    ]
    assert data["outcome"]["verified_count"] == 1  # type: ignore[index]
