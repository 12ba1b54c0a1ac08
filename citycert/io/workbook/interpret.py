"""Turn the raw cells of one row into an ImportRow, checked against the catalogue.

Shared by the workbook reader and the exchange readers so a CSV cell and an Excel cell mean the
same thing. Problems and warnings accumulate; nothing stops at the first.

Percentages typed as fractions: for an input whose unit is percent, a plain number between -1
and 1 (not 0) is suspicious when the other percentages on the same sheet (or in the same CSV or
JSON file) are all 1 or more in size. It is imported as typed, and a `fraction_percent` warning
tells how to enter it if 100 times the value was meant. Values written with a `%` sign or in a cell
formatted as a percentage are unambiguous and never warned about.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from citycert.io.numbers import clean_text
from citycert.io.problems import Problem
from citycert.io.workbook.cells import (
    read_indicator,
    read_number,
    read_quality,
    read_text,
    show_number,
    times_100,
)
from citycert.io.workbook.headers import Col
from citycert.io.workbook.messages import problem
from citycert.io.workbook.rows import CycleRef, Expect, ImportRow, Place
from citycert.io.workbook.units_text import resolve_unit, value_rule
from citycert.standards.catalog import Catalog, UnknownCatalogError, all_catalogs, get_catalog
from citycert.standards.models import Indicator, Input


@dataclass
class RawRow:
    """The cells of one row as found; `columns` names each column for messages."""

    sheet: str | None
    row: int | None
    columns: dict[Col, str]
    indicator: object = None
    input: object = None
    value: object = None
    value_format: str | None = None
    unit: object = None
    source: object = None
    comment: object = None
    quality: object = None

    def is_blank(self) -> bool:
        cells = (self.indicator, self.input, self.value, self.source, self.comment, self.quality)
        return all(c is None or (isinstance(c, str) and not clean_text(c)) for c in cells)


def _norm(text: str) -> str:
    return " ".join(clean_text(text).casefold().replace("_", " ").split())


def input_names(ind: Indicator) -> str:
    return ", ".join(i.name for i in ind.formula.inputs) if ind.formula else ""


def match_input(text: str, ind: Indicator) -> Input | None:
    """The input of `ind` that `text` names: by name, English or Korean label, or both together."""
    inputs = ind.formula.inputs if ind.formula else ()
    for inp in inputs:
        if inp.name == text:  # the usual case: key columns and exchange files
            return inp
    want = _norm(text)
    for inp in inputs:
        forms = {inp.name, inp.label.en, inp.label.ko, f"{inp.label.ko} {inp.label.en}"}
        if want in {_norm(f) for f in forms}:
            return inp
    return None


# What identifies a cycle, in Korean, for messages.
CYCLE_FIELDS_KO = {"city": "도시", "standard": "표준", "year": "연도"}
# A source or comment is a note, not a document: longer texts belong in an evidence file.
MAX_NOTE_CHARS = 10_000
_NOTE_KO = {Col.source: "출처", Col.comment: "비고"}


def check_expectations(file: str, found: CycleRef, expect: Expect) -> list[Problem]:
    """Problems where what the file says differs from what the command line asked for."""
    out = []
    for name, in_file, given in (
        ("city", found.city, expect.city),
        ("standard", found.catalog, expect.catalog),
        ("year", found.year, expect.year),
    ):
        if given is not None and str(given).lower() != str(in_file).lower():
            out.append(
                problem(
                    "cycle_mismatch",
                    file=file,
                    field=name,
                    field_ko=CYCLE_FIELDS_KO[name],
                    in_file=in_file,
                    given=given,
                )
            )
    return out


@dataclass(frozen=True)
class _PercentSeen:
    place: Place
    value: float
    as_percent: bool


@dataclass
class RowChecker:
    """Checks rows one by one; keeps every problem, warning and the first place of each key."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    _seen: dict[tuple[CycleRef, str, str], Place] = field(default_factory=dict)
    _catalogs: dict[str, Catalog | None] = field(default_factory=dict)
    _reported: set[str] = field(default_factory=set)
    _percents: dict[str | None, list[_PercentSeen]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def once(self, key: str, p: Problem) -> None:
        """Record `p` unless a problem with the same `key` was recorded already."""
        if key not in self._reported:
            self._reported.add(key)
            self.problems.append(p)

    def catalog(self, key: str) -> Catalog | None:
        """The catalogue `key`; None (and one unknown_catalog problem) when it does not exist."""
        if key not in self._catalogs:
            try:
                self._catalogs[key] = get_catalog(key)
            except UnknownCatalogError:
                self._catalogs[key] = None
                available = ", ".join(sorted(all_catalogs()))
                self.once(
                    f"catalog:{key}",
                    problem("unknown_catalog", file=self.file, catalog=key, available=available),
                )
        return self._catalogs[key]

    def _add(self, raw: RawRow, col: Col, code: str, **values: Any) -> None:
        self.problems.append(
            problem(
                code,
                file=self.file,
                sheet=raw.sheet,
                row=raw.row,
                column=raw.columns.get(col),
                **values,
            )
        )

    def check(
        self, raw: RawRow, cycle: CycleRef, catalog: Catalog, *, template_units: bool = False
    ) -> ImportRow | None:
        """The ImportRow for `raw`, or None (problems recorded) when it cannot be imported.

        `template_units`: the unit column is the template's read-only reference, not user input.
        """
        number = read_indicator(raw.indicator)
        has_value = raw.value is not None and not (
            isinstance(raw.value, str) and not clean_text(raw.value)
        )
        if not has_value and read_text(raw.input) is None:
            return None  # a heading, spacer or note row, not a figure
        if number is None:
            if has_value:
                self._add(raw, Col.indicator, "indicator_missing")
            return None
        ind = catalog.get(number)
        if ind is None:
            self._add(
                raw, Col.indicator, "unknown_indicator", catalog=catalog.key, indicator=number
            )
            return None
        if ind.formula is None:
            self._add(raw, Col.indicator, "no_formula", catalog=catalog.key, indicator=number)
            return None
        input_text = read_text(raw.input)
        if input_text is None:
            if has_value:
                self._add(
                    raw, Col.input, "input_missing", indicator=number, choices=input_names(ind)
                )
            return None
        inp = match_input(input_text, ind)
        if inp is None:
            self._add(
                raw,
                Col.input,
                "unknown_input",
                indicator=number,
                input=input_text,
                choices=input_names(ind),
            )
            return None
        place = Place(raw.sheet, raw.row, raw.columns.get(Col.value))
        ok = True
        key = (CycleRef(cycle.city.lower(), catalog.key, cycle.year), ind.number, inp.name)
        if key in self._seen:
            self._add(
                raw,
                Col.input,
                "duplicate_row",
                indicator=ind.number,
                input=inp.name,
                first=self._seen[key].describe(),
            )
            ok = False
        else:
            self._seen[key] = place
        rule = value_rule(inp)
        reading = read_number(raw.value, raw.value_format, rule)
        if reading.problem:
            self._add(
                raw, Col.value, reading.problem, input=inp.name, unit=inp.unit, **reading.details
            )
            ok = False
        unit: str | None = None
        if not template_units:
            unit_text = read_text(raw.unit)
            unit, unit_ok = resolve_unit(unit_text, inp.unit)
            if not unit_ok:
                self._add(
                    raw, Col.unit, "bad_unit", unit=unit_text, expected=inp.unit, input=inp.name
                )
                ok = False
        grade, grade_problem = read_quality(raw.quality)
        if grade_problem:
            self._add(raw, Col.quality, grade_problem, value=read_text(raw.quality))
            ok = False
        notes = {Col.source: read_text(raw.source), Col.comment: read_text(raw.comment)}
        for col, text in notes.items():
            if text is not None and len(text) > MAX_NOTE_CHARS:
                self._add(raw, col, "text_too_long", field=col.value, field_ko=_NOTE_KO[col],
                          length=f"{len(text):,}", limit=f"{MAX_NOTE_CHARS:,}")  # fmt: skip
                ok = False
        if not ok:
            return None
        if rule.percent and reading.value is not None and unit is None:
            self._percents[raw.sheet].append(_PercentSeen(place, reading.value, reading.as_percent))
        return ImportRow(
            cycle=CycleRef(cycle.city.lower(), catalog.key, cycle.year),
            indicator=ind.number,
            input=inp.name,
            value=reading.value,
            unit=unit,
            source=notes[Col.source],
            comment=notes[Col.comment],
            quality_grade=grade,
            place=place,
        )

    def finish(self) -> None:
        """Add the warnings that need the whole file (percentages typed as fractions)."""
        for seen in self._percents.values():
            for s in seen:
                if s.as_percent or not 0 < abs(s.value) < 1:
                    continue
                # Zeros and other plain fractions say nothing about the scale the sheet uses.
                scale = [abs(o.value) for o in seen if abs(o.value) >= 1 or o.as_percent]
                if scale and min(scale) >= 1:
                    self.warnings.append(
                        problem(
                            "fraction_percent",
                            file=self.file,
                            sheet=s.place.sheet,
                            row=s.place.row,
                            column=s.place.column,
                            value=show_number(s.value),
                            as_percent=show_number(times_100(s.value)),
                        )
                    )
