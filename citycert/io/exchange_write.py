"""Writers for the open-data exchange format: table rows -> CSV, JSON and Excel files.

The contract (tables, column order, cell rules) is `notes/exchange_format.md`; the importer
(`citycert.io.exchange_read`) reads what these write. Writers take iterables and stream: a row
is a mapping keyed by column name, or a tuple in the table's column order. Rules shared by every
format: empty cell = null; numbers in their shortest round-trip form, whole floats without
`.0`; text cells that a spreadsheet would run as a formula get a leading `'` (`neutralise`).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Row = Mapping[str, Any] | Sequence[Any]

CITY_COLUMNS: tuple[str, ...] = (
    "slug", "name_en", "name_ko", "country", "region", "population", "land_area_km2",
    "climate_zone", "latitude", "longitude", "gdp_per_capita_usd", "is_sample",
)  # fmt: skip
INPUT_COLUMNS: tuple[str, ...] = (
    "city", "catalog", "year", "indicator", "input", "value", "unit", "source", "comment",
    "quality_grade",
)  # fmt: skip
INDICATOR_COLUMNS: tuple[str, ...] = (
    "city", "catalog", "year", "indicator", "key", "name_en", "name_ko", "value", "unit", "status",
)  # fmt: skip
# The single-file CSV export: the inputs table with enough city columns to create the city.
CSV_COLUMNS: tuple[str, ...] = (
    "city", "city_name_en", "city_name_ko", "country", *INPUT_COLUMNS[1:],
)  # fmt: skip
# Per-cycle lists inside the JSON document (the cycle carries city, catalog and year).
JSON_INPUT_KEYS: tuple[str, ...] = (
    "indicator", "input", "value", "unit", "source", "comment", "quality_grade",
)  # fmt: skip
JSON_INDICATOR_KEYS: tuple[str, ...] = ("indicator", "key", "value", "unit", "status")

EXCHANGE_FORMAT = "citycert-exchange"
EXCHANGE_VERSION = 1

# A spreadsheet runs a cell starting with these as a formula (CSV/formula injection). The quote
# itself is included so that `restore` can always undo `neutralise` exactly.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "'")


def neutralise(text: str) -> str:
    """Prefix `'` to text a spreadsheet would run as a formula (`=1+1` -> `'=1+1`)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def restore(text: str) -> str:
    """Undo `neutralise` (for importers): drop a `'` that precedes a trigger character."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def plain_number(value: float | int) -> int | float:
    """A whole float as int (`5.0` -> `5`), anything else unchanged; refuses NaN and infinity."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number here")
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        raise ValueError(f"cannot export {value!r}: not a finite number")
    if value.is_integer() and abs(value) < 1e16:
        return int(value)
    return value


def format_number(value: float | int) -> str:
    """Shortest text that reads back as the same number (`5`, `12.5`, `1e+16`)."""
    return repr(plain_number(value))


def text_cell(value: Any) -> str:
    """One CSV cell: '' for null, true/false, numbers via `format_number`, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    return neutralise(str(value))


def json_value(value: Any) -> Any:
    """One JSON value: numbers via `plain_number`; text as is (JSON is not run by spreadsheets)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return plain_number(value)
    return value


def cells(row: Row, columns: Sequence[str]) -> list[Any]:
    """The values of `row` in `columns` order (a mapping by name; a tuple as given)."""
    if isinstance(row, Mapping):
        return [row.get(c) for c in columns]
    if len(row) != len(columns):
        raise ValueError(f"row has {len(row)} values, table has {len(columns)} columns")
    return list(row)


def write_csv(out: TextIO, rows: Iterable[Row], columns: Sequence[str]) -> int:
    """Write a header and `rows` as UTF-8 CSV with `\\n` line ends; return the row count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([text_cell(v) for v in cells(row, columns)])
        count += 1
    return count


def write_csv_file(path: Path, rows: Iterable[Row], columns: Sequence[str]) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(out, rows, columns)


# --- JSON --------------------------------------------------------------------------------------


@dataclass
class CycleBlock:
    """One reporting cycle of the JSON document; `inputs`/`indicators` are consumed once."""

    city: str
    catalog: str
    year: int
    state: str
    inputs: Iterable[Row] = field(default_factory=list)
    indicators: Iterable[Row] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "catalog": self.catalog,
            "year": self.year,
            "state": self.state,
            "inputs": [_obj(r, JSON_INPUT_KEYS) for r in self.inputs],
            "indicators": [_obj(r, JSON_INDICATOR_KEYS) for r in self.indicators],
        }


def _obj(row: Row, keys: Sequence[str]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in zip(keys, _pick(row, keys), strict=True)}


def _pick(row: Row, keys: Sequence[str]) -> list[Any]:
    # Mappings may carry more columns (a full inputs row); tuples must be in `keys` order.
    return [row.get(k) for k in keys] if isinstance(row, Mapping) else cells(row, keys)


def _dump(value: Any, depth: int) -> str:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * depth)


def _json_list(out: TextIO, items: Iterator[Any], depth: int) -> None:
    first = next(items, _END)
    if first is _END:
        out.write("[]")
        return
    pad = "  " * (depth + 1)
    out.write("[\n" + pad + _dump(first, depth + 1))
    for item in items:
        out.write(",\n" + pad + _dump(item, depth + 1))
    out.write("\n" + "  " * depth + "]")


_END = object()


def write_json(out: TextIO, cities: Iterable[Row], cycles: Iterable[CycleBlock]) -> None:
    """Write the exchange document; same bytes as `json.dumps(doc, indent=2, sort_keys=True)`.

    Streams one city and one cycle at a time, so memory holds at most one cycle's rows.
    """
    city_docs = (_obj(r, CITY_COLUMNS) for r in cities)
    out.write('{\n  "cities": ')
    _json_list(out, iter(city_docs), 1)
    out.write(',\n  "cycles": ')
    _json_list(out, (c.document() for c in cycles), 1)
    out.write(
        f',\n  "format": {json.dumps(EXCHANGE_FORMAT)},\n  "version": {EXCHANGE_VERSION}\n}}\n'
    )


# --- Excel -------------------------------------------------------------------------------------

README_LINES: tuple[tuple[str, str], ...] = (
    ("CityCert open-data exchange workbook", "CityCert 공개 데이터 교환 통합문서"),
    ("", ""),
    ("Sheet 'cities': one row per city.", "'cities' 시트: 도시별 한 행입니다."),
    (
        "Sheet 'inputs': the raw figures a city reported, one row per input value.",
        "'inputs' 시트: 도시가 보고한 원자료로, 입력값마다 한 행입니다.",
    ),
    (
        "Sheet 'indicators': indicator values computed from the inputs (for reading only; "
        "they are recomputed on import).",
        "'indicators' 시트: 입력값으로 계산한 지표값입니다(참고용이며 가져오기 시 다시 "
        "계산합니다).",
    ),
    ("An empty cell means no value.", "빈 칸은 값이 없음을 뜻합니다."),
    (
        "Text that would start with = + - @ or ' is written with a leading ' so that it is "
        "never run as a formula; CityCert removes that mark when the file is imported.",
        "글자가 = + - @ ' 로 시작하면 수식으로 실행되지 않도록 앞에 ' 를 붙여 적었습니다. "
        "CityCert로 다시 가져올 때 이 표시는 제거됩니다.",
    ),
    (
        "Edit the 'cities' and 'inputs' sheets and import the workbook with `citycert import`.",
        "'cities'와 'inputs' 시트를 고친 뒤 `citycert import`로 가져올 수 있습니다.",
    ),
)


def xlsx_cell(value: Any) -> Any:
    """One Excel cell value: native numbers and booleans, None for null, text neutralised."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return plain_number(value)
    return neutralise(str(value))


def _header(ws: WriteOnlyWorksheet, columns: Sequence[str]) -> None:
    bold = Font(bold=True)
    row = []
    for name in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        row.append(cell)
    ws.append(row)
    ws.freeze_panes = "A2"


def _sheet(wb: Workbook, title: str, rows: Iterable[Row], columns: Sequence[str]) -> int:
    ws = wb.create_sheet(title)
    _header(ws, columns)
    count = 0
    for row in rows:
        ws.append([xlsx_cell(v) for v in cells(row, columns)])
        count += 1
    return count


def write_xlsx(
    path: Path,
    cities: Iterable[Row],
    inputs: Iterable[Row],
    indicators: Iterable[Row],
    *,
    scope: str = "",
) -> None:
    """Write the exchange workbook (README, cities, inputs, indicators) in write-only mode.

    The three iterables are consumed in that order, one after the other.
    """
    wb = Workbook(write_only=True)
    readme = wb.create_sheet("README")
    readme.column_dimensions["A"].width = 90
    readme.column_dimensions["B"].width = 90
    readme.append(["English", "한국어"])
    for en, ko in README_LINES:
        readme.append([en or None, ko or None])
    if scope:
        readme.append([f"Scope: {scope}", f"범위: {scope}"])
    _sheet(wb, "cities", cities, CITY_COLUMNS)
    _sheet(wb, "inputs", inputs, INPUT_COLUMNS)
    _sheet(wb, "indicators", indicators, INDICATOR_COLUMNS)
    wb.save(path)
