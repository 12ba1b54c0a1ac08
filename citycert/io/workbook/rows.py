"""What every importer produces: input rows with their place in the file, city records, problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from citycert.io.problems import Problem

# Told how many more rows were read, for progress bars.
Progress = Callable[[int], None]
FileKind = Literal["template", "workbook", "exchange-csv", "exchange-json", "exchange-xlsx"]


@dataclass(frozen=True, order=True)
class CycleRef:
    """A reporting cycle by its natural key."""

    city: str
    catalog: str
    year: int

    def __str__(self) -> str:
        return f"{self.city}/{self.catalog}/{self.year}"

    @classmethod
    def parse(cls, text: str) -> CycleRef | None:
        """`daegu/iso37120-2018/2023` -> CycleRef; None when malformed."""
        parts = text.strip().split("/")
        if len(parts) != 3 or not parts[2].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]))


@dataclass(frozen=True)
class Expect:
    """City, standard and year the user says the file is for (None = take it from the file)."""

    city: str | None = None
    catalog: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Place:
    """Where a row's value is: sheet (None for CSV/JSON), 1-based row, column name."""

    sheet: str | None
    row: int | None
    column: str | None

    def describe(self) -> str:
        parts = [f"sheet '{self.sheet}'"] if self.sheet else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        return ", ".join(parts) or "?"


@dataclass(frozen=True)
class Stored:
    """A stored input as it was (template pre-fill) or is (database): version None = no row."""

    version: int | None
    value: float | None = None
    source: str | None = None
    comment: str | None = None
    quality_grade: str | None = None


@dataclass(frozen=True)
class ImportRow:
    """One raw figure from a file; `value` None = blank cell (not reported)."""

    cycle: CycleRef
    indicator: str
    input: str
    value: float | None
    unit: str | None
    source: str | None
    comment: str | None
    quality_grade: str | None
    place: Place
    # For rows from a CityCert template: the stored state the template was made from.
    base: Stored | None = None


@dataclass(frozen=True)
class CityRecord:
    """A city as an exchange file describes it; `extra` holds the optional columns present."""

    slug: str
    name_en: str | None
    name_ko: str | None
    country: str | None
    extra: dict[str, Any] = field(default_factory=dict)
    place: Place | None = None


@dataclass
class ParsedFile:
    """Everything read from one file; `problems` non-empty means nothing may be imported."""

    path: str
    kind: FileKind
    rows: list[ImportRow] = field(default_factory=list)
    cities: list[CityRecord] = field(default_factory=list)
    # Cycle states an exchange JSON file gives (`draft`, `certified`...), for information.
    states: dict[CycleRef, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def cycles(self) -> list[CycleRef]:
        """The distinct cycles the rows belong to, sorted."""
        return sorted({r.cycle for r in self.rows} | set(self.states))
