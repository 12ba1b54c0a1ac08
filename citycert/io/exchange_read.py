"""Read CityCert open-data exchange files (csv, json, xlsx) into import rows and city records.

The format is described in the exchange-format contract: `inputs` rows name their city,
catalogue and year; the CSV adds `city_name_en, city_name_ko, country` so missing cities can be
created; JSON and xlsx carry a full `cities` table. Computed indicator values in these files are
ignored: they are recomputed from the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from openpyxl.workbook.workbook import Workbook

from citycert.io.exchange_write import INPUT_COLUMNS, restore
from citycert.io.numbers import clean_text
from citycert.io.problems import Problem
from citycert.io.workbook.cells import read_number, read_text
from citycert.io.workbook.guard import Budget, csv_rows, decode_text, load_json, sheet_rows
from citycert.io.workbook.headers import Col
from citycert.io.workbook.interpret import RawRow, RowChecker, check_expectations
from citycert.io.workbook.messages import problem
from citycert.io.workbook.rows import (
    CityRecord,
    CycleRef,
    Expect,
    FileKind,
    ParsedFile,
    Place,
    Progress,
)
from citycert.io.workbook.units_text import ValueRule

# The columns an inputs table cannot do without (the contract's first six).
REQUIRED_COLUMNS = INPUT_COLUMNS[:6]
CITY_NUMBERS = ("population", "land_area_km2", "latitude", "longitude", "gdp_per_capita_usd")
CITY_TEXTS = ("region", "climate_zone")
# Record field -> the column the checker reports for it.
_COLS = {
    Col.indicator: "indicator",
    Col.input: "input",
    Col.value: "value",
    Col.unit: "unit",
    Col.source: "source",
    Col.comment: "comment",
    Col.quality: "quality_grade",
}


class _Reader:
    """Turns exchange records (dicts) into rows, cities and problems, whatever the container."""

    def __init__(self, file: str, kind: FileKind, expect: Expect) -> None:
        self.out = ParsedFile(file, kind)
        self.expect = expect
        self.checker = RowChecker(file)
        self.cities: dict[str, CityRecord] = {}

    def cycle(
        self, rec: Mapping[str, Any], sheet: str | None, row: int | None, prefix: str = ""
    ) -> CycleRef | None:
        """The record's cycle; None (with a problem) when city, catalogue or year is bad."""
        file = self.out.path
        city, catalog = read_text(rec.get("city")), read_text(rec.get("catalog"))
        year_text = read_text(rec.get("year"))
        missing = [
            n for n, v in (("city", city), ("catalog", catalog), ("year", year_text)) if not v
        ]
        if missing:
            self.checker.problems.append(
                problem(
                    "value_without_key",
                    file=file,
                    sheet=sheet,
                    row=row,
                    column=prefix + missing[0],
                    missing=", ".join(missing),
                )
            )
            return None
        assert city and catalog and year_text
        year = _year(year_text)
        if year is None:
            self.checker.problems.append(
                problem(
                    "bad_year",
                    file=file,
                    sheet=sheet,
                    row=row,
                    column=prefix + "year",
                    value=year_text,
                )
            )
            return None
        ref = CycleRef(city.lower(), catalog.lower(), year)
        for p in check_expectations(file, ref, self.expect):
            self.checker.once(f"expect:{p.message_en}", p)
        return ref

    def input(
        self,
        rec: Mapping[str, Any],
        cycle: CycleRef,
        sheet: str | None,
        row: int | None,
        prefix: str = "",
    ) -> None:
        catalog = self.checker.catalog(cycle.catalog)
        if catalog is None:
            return
        raw = RawRow(
            sheet=sheet,
            row=row,
            columns={col: prefix + name for col, name in _COLS.items()},
            indicator=rec.get("indicator"),
            input=rec.get("input"),
            value=rec.get("value"),
            unit=rec.get("unit"),
            source=rec.get("source"),
            comment=rec.get("comment"),
            quality=rec.get("quality_grade"),
        )
        if raw.is_blank():
            return
        parsed = self.checker.check(raw, cycle, catalog)
        if parsed is not None:
            self.out.rows.append(parsed)

    def city_from_csv(self, rec: Mapping[str, Any], rowno: int) -> None:
        """Record the city named by a CSV row's `city, city_name_en, city_name_ko, country`."""
        slug = (read_text(rec.get("city")) or "").lower()
        if slug and slug not in self.cities:
            self.cities[slug] = CityRecord(
                slug=slug,
                name_en=read_text(rec.get("city_name_en")),
                name_ko=read_text(rec.get("city_name_ko")),
                country=(read_text(rec.get("country")) or "").upper() or None,
                place=Place(None, rowno, "city"),
            )

    def city_from_table(self, rec: Mapping[str, Any], place: Place, prefix: str = "") -> None:
        """Record a city from a row of the `cities` table (all columns of the contract)."""
        slug = (read_text(rec.get("slug")) or "").lower()
        if not slug or slug in self.cities:
            return
        file = self.out.path

        def bad(name: str, value: str, en: str, ko: str) -> None:
            self.checker.problems.append(
                problem(
                    "bad_city",
                    file=file,
                    sheet=place.sheet,
                    row=place.row,
                    column=prefix + name,
                    city=slug,
                    field=name,
                    value=value,
                    expected=en,
                    expected_ko=ko,
                )
            )

        extra: dict[str, Any] = {name: read_text(rec.get(name)) for name in CITY_TEXTS}
        for name in CITY_NUMBERS:
            text = read_text(rec.get(name))
            reading = read_number(text, rule=_ANY)
            if reading.problem:
                bad(name, str(text), "write a plain number", "숫자만 쓰십시오")
            elif reading.value is not None and name == "population":
                extra[name] = int(reading.value)
            else:
                extra[name] = reading.value
        flag = (read_text(rec.get("is_sample")) or "false").lower()
        if flag not in ("true", "false", "1", "0"):
            bad("is_sample", flag, "write true or false", "true 또는 false로 쓰십시오")
        extra["is_sample"] = flag in ("true", "1")
        self.cities[slug] = CityRecord(
            slug=slug,
            name_en=read_text(rec.get("name_en")),
            name_ko=read_text(rec.get("name_ko")),
            country=(read_text(rec.get("country")) or "").upper() or None,
            extra=extra,
            place=place,
        )

    def finish(self) -> ParsedFile:
        self.checker.finish()
        self.out.cities = list(self.cities.values())
        self.out.problems, self.out.warnings = self.checker.problems, self.checker.warnings
        return self.out


_ANY = ValueRule(percent=False, low=None, high=None)


def _restored(rec: Mapping[str, Any]) -> dict[str, Any]:
    """A CSV or Excel record with the writer's formula-neutralising `'` removed from text."""
    return {k: restore(v) if isinstance(v, str) else v for k, v in rec.items()}


def _year(text: str) -> int | None:
    t = text.strip().removesuffix(".0")
    if t.isdigit() and 1900 <= int(t) <= 2100:
        return int(t)
    return None


def _header_problem(file: str, sheet: str | None, found: Iterable[str]) -> list[Problem]:
    found = list(found)
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if not missing:
        return []
    return [
        problem(
            "csv_missing_columns",
            file=file,
            sheet=sheet,
            row=1,
            columns=", ".join(missing),
            found=", ".join(found) or "-",
        )
    ]


def read_exchange_csv(
    path: Path, expect: Expect = Expect(), progress: Progress | None = None
) -> ParsedFile:
    """Rows of an exchange CSV (the `inputs` table, optionally with city name columns)."""
    reader = _Reader(str(path), "exchange-csv", expect)
    rows = csv_rows(decode_text(path.read_bytes(), str(path)), str(path))
    header = [clean_text(h).lower() for h in next(rows, [])]
    reader.checker.problems.extend(_header_problem(str(path), None, header))
    if reader.checker.problems:
        return reader.finish()
    has_names = "city_name_en" in header
    for rowno, cells in enumerate(rows, start=2):
        if progress is not None:
            progress(1)
        rec = _restored(dict(zip(header, cells, strict=False)))
        if not any(clean_text(c) for c in cells):
            continue
        cycle = reader.cycle(rec, None, rowno)
        if cycle is None:
            continue
        if has_names:
            reader.city_from_csv(rec, rowno)
        reader.input(rec, cycle, None, rowno)
    return reader.finish()


def _sheet_records(
    wb: Workbook, title: str, budget: Budget
) -> Iterator[tuple[int, dict[str, Any]]]:
    ws = wb[title]
    ws.reset_dimensions()
    rows = sheet_rows(ws.iter_rows(values_only=True), budget.file, title, budget)
    header = [clean_text(str(h)).lower() if h is not None else "" for h in next(rows, ())]
    for rowno, cells in enumerate(rows, start=2):
        yield rowno, _restored(dict(zip(header, cells, strict=False)))


def is_exchange_workbook(wb: Workbook) -> bool:
    """An exchange workbook has an `inputs` sheet (and usually `cities` and `indicators`)."""
    return "inputs" in wb.sheetnames and "cities" in wb.sheetnames


def read_exchange_workbook(
    wb: Workbook, file: str, expect: Expect = Expect(), progress: Progress | None = None
) -> ParsedFile:
    """Rows and cities of an exchange xlsx (sheets `cities` and `inputs`, header on row 1)."""
    reader = _Reader(file, "exchange-xlsx", expect)
    budget = Budget(file)
    for rowno, rec in _sheet_records(wb, "cities", budget):
        reader.city_from_table(rec, Place("cities", rowno, None))
    ws = wb["inputs"]
    ws.reset_dimensions()
    first = next(sheet_rows(ws.iter_rows(values_only=True, max_row=1), file, "inputs", budget), ())
    header = [clean_text(str(h)).lower() for h in first if h is not None]
    reader.checker.problems.extend(_header_problem(file, "inputs", header))
    if reader.checker.problems:
        return reader.finish()
    for rowno, rec in _sheet_records(wb, "inputs", budget):
        if progress is not None:
            progress(1)
        if all(v is None for v in rec.values()):
            continue
        cycle = reader.cycle(rec, "inputs", rowno)
        if cycle is not None:
            reader.input(rec, cycle, "inputs", rowno)
    return reader.finish()


def read_exchange_json(
    path: Path, expect: Expect = Expect(), progress: Progress | None = None
) -> ParsedFile:
    """Rows, cities and cycle states of an exchange JSON document."""
    file = str(path)
    reader = _Reader(file, "exchange-json", expect)
    doc = load_json(path.read_bytes(), file)
    if (
        not isinstance(doc, dict)
        or doc.get("format") != "citycert-exchange"
        or doc.get("version") != 1
    ):
        reader.checker.problems.append(problem("not_exchange_json", file=file))
        return reader.finish()

    def bad(field: str, expected: str, expected_ko: str) -> None:
        reader.checker.problems.append(
            problem(
                "bad_json_field",
                file=file,
                column=field,
                field=field,
                expected=expected,
                expected_ko=expected_ko,
            )
        )

    cities, cycles = doc.get("cities", []), doc.get("cycles", [])
    if not isinstance(cities, list) or not all(isinstance(c, dict) for c in cities):
        bad("cities", "a list of objects", "객체의 목록")
        cities = []
    if not isinstance(cycles, list) or not all(isinstance(c, dict) for c in cycles):
        bad("cycles", "a list of objects", "객체의 목록")
        cycles = []
    for i, rec in enumerate(cities):
        reader.city_from_table(rec, Place(None, None, f"cities[{i}]"), prefix=f"cities[{i}].")
    for i, cyc in enumerate(cycles):
        prefix = f"cycles[{i}]."
        ref = reader.cycle(cyc, None, None, prefix)
        inputs = cyc.get("inputs", [])
        if not isinstance(inputs, list) or not all(isinstance(r, dict) for r in inputs):
            bad(prefix + "inputs", "a list of objects", "객체의 목록")
            continue
        if ref is None:
            continue
        state = read_text(cyc.get("state"))
        if state:
            reader.out.states[ref] = state
        for j, rec in enumerate(inputs):
            if progress is not None:
                progress(1)
            reader.input(rec, ref, None, None, prefix=f"{prefix}inputs[{j}].")
    return reader.finish()
