"""Indicator catalogues: loaded from versioned YAML files, indexed for lookup.

Built-in catalogues live in `catalogs/`; a certification body can load its own file (for example
a licensed, fuller edition) with `load_catalog(path)` or by listing a folder in
`CITYCERT_CATALOG_DIRS`; a file with the same catalogue key replaces the built-in one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from citycert.standards.models import (
    CatalogFile,
    CrosswalkFile,
    Indicator,
    IndicatorType,
    Theme,
)
from citycert.standards.yaml_loader import load_model

STANDARDS_DIR = Path(__file__).parent
CATALOG_DIR = STANDARDS_DIR / "catalogs"
CROSSWALK_DIR = STANDARDS_DIR / "crosswalks"


class UnknownCatalogError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Catalog:
    """A loaded catalogue with lookups by indicator number and key."""

    data: CatalogFile
    path: str
    _by_number: dict[str, Indicator] = field(default_factory=dict, repr=False, compare=False)
    _themes: dict[int, Theme] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_number.update({i.number: i for i in self.data.indicators})
        self._themes.update({t.number: t for t in self.data.themes})

    @property
    def key(self) -> str:
        return self.data.catalog

    @property
    def version(self) -> str:
        return self.data.version

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return self.data.indicators

    @property
    def themes(self) -> tuple[Theme, ...]:
        return self.data.themes

    def indicator_key(self, indicator: Indicator) -> str:
        return f"{self.key}:{indicator.number}"

    def get(self, number: str) -> Indicator | None:
        """The indicator with this number (`5.1`), or None when the catalogue has none."""
        return self._by_number.get(number.strip())

    def theme(self, number: int) -> Theme:
        return self._themes[number]

    def counted(self) -> tuple[Indicator, ...]:
        """Indicators that count towards certification (core and supporting; not profile)."""
        return tuple(i for i in self.data.indicators if i.type is not IndicatorType.profile)

    def of_type(self, kind: IndicatorType) -> tuple[Indicator, ...]:
        return tuple(i for i in self.data.indicators if i.type is kind)

    def in_theme(self, theme: int) -> tuple[Indicator, ...]:
        return tuple(i for i in self.data.indicators if i.theme == theme)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.data.indicators)

    def __len__(self) -> int:
        return len(self.data.indicators)


def load_catalog(path: Path | str) -> Catalog:
    """Load and validate one catalogue file (raises StandardsFileError naming file and line)."""
    p = Path(path)
    return Catalog(data=load_model(p, CatalogFile), path=str(p))


def _catalog_dirs() -> list[Path]:
    extra = os.environ.get("CITYCERT_CATALOG_DIRS", "")
    return [CATALOG_DIR, *(Path(d) for d in extra.split(os.pathsep) if d)]


@cache
def _catalogs_from(dirs: tuple[Path, ...]) -> dict[str, Catalog]:
    found: dict[str, Catalog] = {}
    for d in dirs:
        for path in sorted(d.glob("*.yaml")):
            cat = load_catalog(path)
            found[cat.key] = cat  # later folders replace earlier ones
    return found


def all_catalogs() -> dict[str, Catalog]:
    """Every available catalogue by key (`iso37120-2018`), built-in and user-supplied."""
    return _catalogs_from(tuple(_catalog_dirs()))


def get_catalog(key: str) -> Catalog:
    """The catalogue with this key; UnknownCatalogError lists the keys that exist."""
    cats = all_catalogs()
    norm = key.strip().lower().replace(" ", "").replace(":", "-")
    if norm in cats:
        return cats[norm]
    raise UnknownCatalogError(f"unknown standard {key!r}; available: {', '.join(sorted(cats))}")


def find_indicator(key: str) -> tuple[Catalog, Indicator]:
    """Look up an indicator by its stable key (`iso37120-2018:5.1`)."""
    cat_key, _, number = key.partition(":")
    cat = get_catalog(cat_key)
    ind = cat.get(number)
    if ind is None:
        raise UnknownCatalogError(f"{cat.key} has no indicator {number!r}")
    return cat, ind


@cache
def load_crosswalk(name: str = "iso37120-2014_2018") -> CrosswalkFile:
    """The built-in edition crosswalk (`CROSSWALK_DIR/<name>.yaml`)."""
    return load_model(CROSSWALK_DIR / f"{name}.yaml", CrosswalkFile)
