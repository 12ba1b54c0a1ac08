"""Certification levels: verified sets -> level, next level and shortfall (real catalogues)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from citycert.domain.certification import (
    RulesMismatchError,
    UnknownIndicatorsError,
    assess,
    streak,
)
from citycert.standards.catalog import Catalog, get_catalog, load_catalog
from citycert.standards.levels import (
    LevelRulesFile,
    UnknownLevelRulesError,
    all_level_rules,
    get_level_rules,
    load_level_rules,
)
from citycert.standards.models import IndicatorType
from citycert.standards.yaml_loader import StandardsFileError

DATA = Path(__file__).parents[1] / "data" / "certify"


def _cases(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def verified_set(cat: Catalog, spec: dict[str, Any]) -> set[str]:
    """Build a verified set from a case description (see tests/data/certify/cases.yaml)."""
    core = [i.number for i in cat.counted() if i.type is IndicatorType.core]
    others = [i.number for i in cat.counted() if i.type is not IndicatorType.core]
    wanted = spec.get("core", 0)
    chosen = list(core if wanted == "all" else core[:wanted])
    if spec.get("drop_core"):
        chosen = chosen[: -spec["drop_core"]]
    fill = spec.get("total", len(chosen)) - len(chosen)
    assert 0 <= fill <= len(others), f"cannot make {spec} from {cat.key}"
    chosen += others[:fill]
    return set(chosen) | set(spec.get("extra", []))


SYNTHETIC = load_catalog(DATA / "synthetic_catalog.yaml")  # 1.1-1.3 core, 2.1-2.4 supporting


def tiny_rules(**bronze: Any) -> LevelRulesFile:
    """The two-level rules of tests/data/certify/tiny_rules.yaml, Bronze changed by `bronze`."""
    if not bronze:
        return load_level_rules(DATA / "tiny_rules.yaml")
    data = yaml.safe_load((DATA / "tiny_rules.yaml").read_text(encoding="utf-8"))
    data["levels"][1].update(bronze)
    return LevelRulesFile.model_validate(data)


@pytest.mark.parametrize("case", _cases("cases.yaml"), ids=lambda c: c["name"])
def test_verified_set_gives_expected_level(case: dict[str, Any]) -> None:
    cat = get_catalog(case["standard"])
    out = assess(cat, get_level_rules(case["standard"]), verified_set(cat, case["verified"]))
    expect = case["expect"]
    assert (out.level.id if out.level else None) == expect["level"], out.reasons
    assert (out.next_level.id if out.next_level else None) == expect["next_level"]
    for key in ("missing_for_next", "verified_count", "core_verified", "core_total"):
        if key in expect:
            assert getattr(out, key) == expect[key], key


@pytest.mark.parametrize("case", _cases("cases-with-problems.yaml"), ids=lambda c: c["name"])
def test_unknown_numbers_are_all_named_in_one_error(case: dict[str, Any]) -> None:
    cat = get_catalog(case["standard"])
    with pytest.raises(UnknownIndicatorsError) as err:
        assess(cat, get_level_rules(case["standard"]), case["verified"])
    assert list(err.value.numbers) == case["expect"]["unknown"]
    for number in case["expect"]["unknown"]:
        assert repr(number) in err.value.message_en
        assert repr(number) in err.value.message_ko


def test_2018_catalogue_counts_104_with_47_core() -> None:
    out = assess(get_catalog("iso37120-2018"), get_level_rules("iso37120-2018"), [])
    assert out.core_total == 47
    assert len(get_catalog("iso37120-2018").counted()) == 104


def test_missing_core_is_named_in_the_reason_when_the_count_alone_would_reach_gold() -> None:
    cat = get_catalog("iso37120-2018")
    verified = verified_set(cat, {"core": "all", "drop_core": 1, "total": 88})
    missing = next(
        i.number for i in cat.counted() if i.type is IndicatorType.core and i.number not in verified
    )
    out = assess(cat, get_level_rules("iso37120-2018"), verified)
    assert out.missing_core == (missing,)
    reason = next(r for r in out.reasons if r.code == "core_missing")
    assert missing in reason.en and missing in reason.ko
    assert "Gold" in reason.en and "골드" in reason.ko


def test_missing_core_is_named_even_when_the_count_is_low() -> None:
    out = assess(SYNTHETIC, tiny_rules(), {"1.1", "2.1", "2.2"})
    assert out.level is not None and out.level.id == "entry"
    reason = next(r for r in out.reasons if r.code == "core_missing")
    assert "1.2, 1.3" in reason.en and "1.2, 1.3" in reason.ko


def test_profile_numbers_are_reported_as_ignored() -> None:
    out = assess(SYNTHETIC, tiny_rules(), {"1.1", "P.1"})
    assert out.verified_count == 1
    assert any(r.code == "profile_ignored" and "P.1" in r.en for r in out.reasons)


def test_next_level_beyond_the_catalogue_is_flagged_unreachable() -> None:
    out = assess(SYNTHETIC, tiny_rules(min_count=9), {"1.1", "2.1"})
    assert out.next_level is not None and out.next_level.id == "bronze"
    assert out.missing_for_next == 7
    assert not any(r.code == "unreachable" for r in assess(SYNTHETIC, tiny_rules(), []).reasons)
    assert any(r.code == "unreachable" for r in out.reasons)


def test_core_only_count_ignores_supporting_indicators() -> None:
    rules = tiny_rules(count="core", min_count=2, requires_all_core=False)
    cat = SYNTHETIC
    assert assess(cat, rules, {"1.1", "1.2"}).level.id == "bronze"  # type: ignore[union-attr]
    out = assess(cat, rules, {"1.1", "2.1", "2.2", "2.3"})
    assert out.level is not None and out.level.id == "entry"
    assert out.missing_for_next == 1


def test_rules_for_another_catalogue_are_refused() -> None:
    with pytest.raises(RulesMismatchError):
        assess(get_catalog("iso37120-2014"), get_level_rules("iso37120-2018"), [])


def test_early_adopter_threshold_is_marked_as_certification_body_setting() -> None:
    for key in ("iso37122-2019", "iso37123-2019"):
        (level,) = get_level_rules(key).levels
        assert level.id == "early_adopter" and level.certification_body_setting
        assert level.name.ko == "얼리 어답터"
        assert level.confidence.value == "low"


def test_early_adopter_outcome_says_the_threshold_is_a_body_setting() -> None:
    cat = get_catalog("iso37122-2019")
    out = assess(cat, get_level_rules("iso37122-2019"), [i.number for i in cat.counted()][:30])
    assert any(r.code == "certification_body_setting" for r in out.reasons)


def test_every_shipped_rules_file_matches_a_catalogue_and_cites_sources() -> None:
    rules = all_level_rules()
    assert set(rules) == {"iso37120-2014", "iso37120-2018", "iso37122-2019", "iso37123-2019"}
    for key, r in rules.items():
        assert r.catalog == key
        assert all(lv.source and lv.confidence for lv in r.levels)
    assert get_level_rules("ISO37120:2018").level("platinum").confidence.value == "high"


def test_user_rules_file_loads_the_same_way_and_replaces_the_built_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builtin = Path(__file__).parents[2] / "citycert/standards/rules/levels/iso37122-2019.yaml"
    own = tmp_path / "body.yaml"
    own.write_text(builtin.read_text(encoding="utf-8").replace("min_count: 30", "min_count: 12"))
    assert load_level_rules(own).level("early_adopter").min_count == 12
    monkeypatch.setenv("CITYCERT_LEVEL_RULES_DIRS", str(tmp_path))
    assert get_level_rules("iso37122-2019").level("early_adopter").min_count == 12


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("confidence: low", "confidence: sure", "confidence"),
        ("min_count: 90", "min_count: 50", "level platinum needs fewer indicators (50)"),
        ("    count: all", "    count: everything", "levels.0.count"),
    ],
)
def test_bad_rules_file_names_file_line_and_problem(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    builtin = Path(__file__).parents[2] / "citycert/standards/rules/levels/iso37120-2018.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(builtin.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(StandardsFileError) as err:
        load_level_rules(bad)
    assert f"{bad}:" in str(err.value)
    assert message in str(err.value)


def test_unknown_standard_lists_the_rules_available() -> None:
    with pytest.raises(UnknownLevelRulesError) as err:
        get_level_rules("iso99999-2020")
    assert "iso37120-2018" in str(err.value)


@pytest.mark.parametrize(
    ("history", "year", "expected"),
    [
        ([(2022, "gold"), (2023, "gold")], 2023, 2),
        ([(2021, "gold"), (2022, "platinum"), (2023, "gold")], 2023, 1),
        ([(2020, "gold"), (2022, "gold"), (2023, "gold")], 2023, 2),  # 2021 missing breaks it
        ([(2023, "gold"), (2021, "gold"), (2022, "gold")], 2023, 3),  # order does not matter
        ([(2022, "gold"), (2023, None)], 2023, 0),
        ([(2022, "gold")], 2023, 0),
        ([(2022, "gold"), (2023, "gold"), (2024, "gold")], 2023, 2),  # later years ignored
    ],
)
def test_streak_counts_consecutive_years_at_the_same_level(
    history: list[tuple[int, str | None]], year: int, expected: int
) -> None:
    assert streak(history, year) == expected


def test_streak_refuses_a_year_with_two_levels() -> None:
    with pytest.raises(ValueError, match="2023"):
        streak([(2023, "gold"), (2023, "silver")], 2023)
