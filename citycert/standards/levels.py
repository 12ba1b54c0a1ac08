"""Certification level rules per standard edition: what must be verified for each level.

Built-in rules live in `rules/levels/<catalog>.yaml`; a certification body can edit them or load
its own file with `load_level_rules(path)` or by listing a folder in `CITYCERT_LEVEL_RULES_DIRS`
(a file for the same catalogue replaces the built-in one).
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from citycert.standards.models import Confidence, Strict, Text
from citycert.standards.yaml_loader import load_model

LEVEL_RULES_DIR = Path(__file__).parent / "rules" / "levels"
_LEVEL_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class UnknownLevelRulesError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class CountScope(StrEnum):
    """Which verified indicators a level threshold counts (profile items never count)."""

    core = "core"
    # Core and supporting together; in standards without that split (ISO 37122, ISO 37123)
    # every indicator that is not a profile item.
    all = "all"


class LevelRule(Strict):
    """One level: reached when at least `min_count` indicators of `count` are verified."""

    id: str
    name: Text
    count: CountScope
    min_count: int = Field(ge=0)
    requires_all_core: bool
    # True when no public figure exists and the number is the certification body's own choice.
    certification_body_setting: bool = False
    source: str = Field(min_length=1)
    confidence: Confidence
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _snake_case(cls, v: str) -> str:
        if not _LEVEL_ID.match(v):
            raise ValueError(f"level id {v!r} must be snake_case (a-z, 0-9, _)")
        return v


class LevelRulesFile(Strict):
    """The content of one level-rules YAML file; `levels` run from lowest to highest."""

    rules: str = Field(min_length=1)
    catalog: str = Field(pattern=r"^iso\d{5}-\d{4}$")
    version: str = Field(min_length=1)
    title: Text
    source: str = Field(min_length=1)
    note: str | None = None
    levels: tuple[LevelRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> LevelRulesFile:
        ids = [lv.id for lv in self.levels]
        if len(set(ids)) != len(ids):
            raise ValueError(f"level ids repeat: {ids}")
        problems = []
        for lower, higher in zip(self.levels, self.levels[1:], strict=False):
            if higher.min_count < lower.min_count and higher.count is lower.count:
                problems.append(
                    f"level {higher.id} needs fewer indicators ({higher.min_count}) than the "
                    f"lower level {lower.id} ({lower.min_count})"
                )
            if lower.requires_all_core and not higher.requires_all_core:
                problems.append(f"level {higher.id} drops the all-core rule of {lower.id}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def level(self, level_id: str) -> LevelRule:
        """The level with this id; UnknownLevelRulesError names the ids that exist."""
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        known = ", ".join(lv.id for lv in self.levels)
        raise UnknownLevelRulesError(f"{self.rules} has no level {level_id!r}; levels: {known}")

    def above(self, level_id: str | None) -> LevelRule | None:
        """The level after `level_id` (the lowest level for None); None at the top."""
        if level_id is None:
            return self.levels[0]
        ids = [lv.id for lv in self.levels]
        i = ids.index(self.level(level_id).id)
        return self.levels[i + 1] if i + 1 < len(self.levels) else None


def load_level_rules(path: Path | str) -> LevelRulesFile:
    """Load and validate one level-rules file (raises StandardsFileError naming file and line)."""
    return load_model(Path(path), LevelRulesFile)


def _rules_dirs() -> tuple[Path, ...]:
    extra = os.environ.get("CITYCERT_LEVEL_RULES_DIRS", "")
    return (LEVEL_RULES_DIR, *(Path(d) for d in extra.split(os.pathsep) if d))


@cache
def _rules_from(dirs: tuple[Path, ...]) -> dict[str, LevelRulesFile]:
    found: dict[str, LevelRulesFile] = {}
    for d in dirs:
        for path in sorted(d.glob("*.yaml")):
            rules = load_level_rules(path)
            found[rules.catalog] = rules  # later folders replace earlier ones
    return found


def all_level_rules() -> dict[str, LevelRulesFile]:
    """Every available rules file by catalogue key, built-in and user-supplied."""
    return _rules_from(_rules_dirs())


def get_level_rules(catalog_key: str) -> LevelRulesFile:
    """The rules for a catalogue (`iso37120-2018`); UnknownLevelRulesError lists those known."""
    found = all_level_rules()
    norm = catalog_key.strip().lower().replace(" ", "").replace(":", "-")
    if norm in found:
        return found[norm]
    known = ", ".join(sorted(found))
    raise UnknownLevelRulesError(f"no level rules for {catalog_key!r}; available: {known}")
