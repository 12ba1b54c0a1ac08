"""ISO 37106 maturity assessment models: areas, items, level meanings and scoring rules.

The built-in model (`rules/maturity/bsi-iso37106-reconstruction-1.yaml`) is a reconstruction;
an official item list in the same shape loads the same way with `load_maturity_model(path)`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from citycert.standards.models import Confidence, Strict, Text
from citycert.standards.yaml_loader import load_model

MATURITY_DIR = Path(__file__).parent / "rules" / "maturity"
DEFAULT_MODEL = "bsi-iso37106-reconstruction-1"
_ITEM_ID = re.compile(r"^[A-Z][0-9]{2}$")


class MaturityLevel(Strict):
    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)
    meaning_en: str = Field(min_length=1)
    meaning_ko: str = Field(min_length=1)

    @property
    def name(self) -> Text:
        return Text(en=self.en, ko=self.ko)


class Area(Strict):
    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)

    @property
    def name(self) -> Text:
        return Text(en=self.en, ko=self.ko)


class Item(Strict):
    """One assessed item; `basis` says how we know it exists (see the model file header)."""

    id: str
    area: str
    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)
    basis: Literal["official", "named", "standard-process", "gap-filler"]
    evidence_examples: tuple[Text, ...] = ()

    @property
    def name(self) -> Text:
        return Text(en=self.en, ko=self.ko)

    @field_validator("id")
    @classmethod
    def _id_format(cls, v: str) -> str:
        if not _ITEM_ID.match(v):
            raise ValueError(f"item id {v!r} must look like 'A01' (area letter, two digits)")
        return v


class Citation(Strict):
    source: str = Field(min_length=1)
    confidence: Confidence


class Level5Condition(Strict):
    """Extra condition for the top level; `min_item`: every item at this level or above."""

    min_item: int = Field(ge=1)


class Scoring(Strict):
    """How item levels become an award; every rule carries a citation."""

    item_levels: tuple[int, ...] = Field(min_length=2)
    aggregate: Literal["mean"]
    area_aggregate: Literal["mean"]
    gate_min_item: int
    # floor: the awarded level is the whole part of the mean; round: halves round up.
    award: Literal["floor", "round"]
    level5_extra_condition: Level5Condition | None = None
    validity_years: int = Field(ge=1)
    surveillance_years: tuple[int, ...] = ()
    citations: dict[str, Citation]

    @model_validator(mode="after")
    def _consistent(self) -> Scoring:
        levels = list(self.item_levels)
        problems = []
        if levels != list(range(levels[0], levels[0] + len(levels))):
            problems.append(f"item_levels must be consecutive integers, got {levels}")
        if self.gate_min_item not in levels:
            problems.append(f"gate_min_item {self.gate_min_item} is not one of {levels}")
        cond = self.level5_extra_condition
        if cond is not None and cond.min_item not in levels:
            problems.append(f"level5_extra_condition.min_item {cond.min_item} not in {levels}")
        rules = {
            "aggregate",
            "area_aggregate",
            "gate_min_item",
            "award",
            "level5_extra_condition",
            "validity_years",
            "surveillance_years",
        }
        if missing := sorted(rules - set(self.citations)):
            problems.append(f"citations missing for: {', '.join(missing)}")
        if unknown := sorted(set(self.citations) - rules):
            problems.append(f"citations for unknown rules: {', '.join(unknown)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def lowest(self) -> int:
        return self.item_levels[0]

    @property
    def highest(self) -> int:
        return self.item_levels[-1]


class AuditStage(Strict):
    id: str
    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)


class MaturityModel(Strict):
    """The content of one maturity model file: areas, items in order, level meanings, scoring."""

    model: str = Field(min_length=1)
    version: str = Field(min_length=1)
    standard: str = Field(min_length=1)
    status: Literal["official", "reconstruction"]
    label: Text
    levels: dict[int, MaturityLevel]
    areas: dict[str, Area]
    items: tuple[Item, ...] = Field(min_length=1)
    scoring: Scoring
    audit_stages: tuple[AuditStage, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> MaturityModel:
        problems = []
        ids = [i.id for i in self.items]
        if dupes := sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"item ids repeat: {', '.join(dupes)}")
        for item in self.items:
            if item.area not in self.areas:
                problems.append(f"item {item.id} names unknown area {item.area!r}")
        if sorted(self.levels) != list(self.scoring.item_levels):
            problems.append(
                f"levels {sorted(self.levels)} differ from scoring.item_levels "
                f"{list(self.scoring.item_levels)}"
            )
        if empty := sorted(a for a in self.areas if not any(i.area == a for i in self.items)):
            problems.append(f"areas without items: {', '.join(empty)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def item(self, item_id: str) -> Item | None:
        """The item with this id (`A01`), or None."""
        return next((i for i in self.items if i.id == item_id), None)


def load_maturity_model(path: Path | str) -> MaturityModel:
    """Load and validate a maturity model file (raises StandardsFileError naming file and line)."""
    return load_model(Path(path), MaturityModel)


@cache
def get_maturity_model(name: str = DEFAULT_MODEL) -> MaturityModel:
    """A built-in maturity model by file name (default: the BSI ISO 37106 reconstruction)."""
    return load_maturity_model(MATURITY_DIR / f"{name}.yaml")
