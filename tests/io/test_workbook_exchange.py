"""Reading exchange files (csv, json, xlsx as written by `citycert export`) and their twins."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from citycert.io.exchange_write import (
    CITY_COLUMNS,
    CSV_COLUMNS,
    CycleBlock,
    write_csv_file,
    write_json,
    write_xlsx,
)
from citycert.io.problems import Problem
from citycert.io.workbook.load import read_import_file
from citycert.io.workbook.rows import CycleRef, Expect

HANGUL = re.compile(r"[\uac00-\ud7a3]")
DAEGU = {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구", "country": "KR",
         "population": 2385412, "land_area_km2": 883.5, "is_sample": True}  # fmt: skip
INPUTS = [
    {"city": "daegu", "catalog": "iso37120-2018", "year": 2023, "indicator": "5.1",
     "input": "labour_force", "value": 1215000, "unit": "person", "source": "=KOSIS",
     "comment": None, "quality_grade": "A"},
    {"city": "daegu", "catalog": "iso37120-2018", "year": 2023, "indicator": "13.4.1",
     "input": "annual_population_change", "value": -0.53, "unit": "percent", "source": None,
     "comment": "shrinking", "quality_grade": None},
    {"city": "daegu", "catalog": "iso37120-2014", "year": 2022, "indicator": "5.6",
     "input": "businesses", "value": None, "unit": "count", "source": None,
     "comment": "not collected", "quality_grade": None},
]  # fmt: skip


def places(problems: list[Problem]) -> list[tuple[str | None, str | None, int | None, str | None]]:
    for p in problems:
        assert p.message_en and p.hint_en and HANGUL.search(p.message_ko + p.hint_ko), p
    return sorted(((p.code, p.sheet, p.row, p.column) for p in problems), key=str)


def _csv_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = {"city_name_en": "Daegu", "city_name_ko": "대구", "country": "KR"}
    return [{**r, **names} for r in rows]


def _json_doc(cities: list[dict[str, Any]], rows: list[dict[str, Any]], path: Path) -> Path:
    blocks: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for r in rows:
        blocks.setdefault((r["city"], r["catalog"], r["year"]), []).append(r)
    with path.open("w", encoding="utf-8") as out:
        write_json(
            out, cities, [CycleBlock(c, k, y, "submitted", rs) for (c, k, y), rs in blocks.items()]
        )
    return path


def _write(kind: str, path: Path, rows: list[dict[str, Any]]) -> Path:
    if kind == "csv":
        write_csv_file(path, _csv_rows(rows), CSV_COLUMNS)
    elif kind == "json":
        _json_doc([DAEGU], rows, path)
    else:
        write_xlsx(path, [DAEGU], rows, [])
    return path


@pytest.mark.parametrize("kind", ["csv", "json", "xlsx"])
def test_exchange_file_gives_rows_of_several_cycles_and_the_city(tmp_path: Path, kind: str) -> None:
    parsed = read_import_file(_write(kind, tmp_path / f"export.{kind}", INPUTS))
    assert parsed.problems == []
    assert parsed.kind == f"exchange-{kind}"
    got = [
        (r.cycle, r.indicator, r.input, r.value, r.unit, r.source, r.comment) for r in parsed.rows
    ]
    assert got == [
        (CycleRef("daegu", "iso37120-2018", 2023), "5.1", "labour_force", 1215000.0, None,
         "=KOSIS", None),
        (CycleRef("daegu", "iso37120-2018", 2023), "13.4.1", "annual_population_change", -0.53,
         None, None, "shrinking"),
        (CycleRef("daegu", "iso37120-2014", 2022), "5.6", "businesses", None, None, None,
         "not collected"),
    ]  # fmt: skip
    city = parsed.cities[0]
    assert (city.slug, city.name_en, city.name_ko, city.country) == ("daegu", "Daegu", "대구", "KR")
    if kind != "csv":
        assert city.extra["population"] == 2385412 and city.extra["is_sample"] is True
    if kind == "json":
        assert parsed.states == {
            CycleRef("daegu", "iso37120-2018", 2023): "submitted",
            CycleRef("daegu", "iso37120-2014", 2022): "submitted",
        }


BAD_ROWS = [
    {**INPUTS[0], "year": "twenty"},
    {**INPUTS[0], "catalog": "iso99999-2020"},
    {**INPUTS[0], "indicator": "99.1"},
    {**INPUTS[0], "value": "12,5"},
    {**INPUTS[0], "input": "unemployed_persons", "quality_grade": "Z"},
    {**INPUTS[0], "city": None},
    {**INPUTS[1], "value": -150},
]


def _table_places(sheet: str | None) -> list[tuple[str, str | None, int | None, str | None]]:
    return [
        ("bad_year", sheet, 2, "year"),
        ("unknown_catalog", None, None, None),
        ("unknown_indicator", sheet, 4, "indicator"),
        ("not_a_number", sheet, 5, "value"),
        ("bad_quality", sheet, 6, "quality_grade"),
        ("value_without_key", sheet, 7, "city"),
        ("percent_below", sheet, 8, "value"),
    ]


# JSON groups rows into cycle blocks: [0] year "twenty", [1] unknown catalogue, [2] the good
# cycle holding rows 3, 4, 5 and 7, [3] no city.
JSON_PLACES = [
    ("bad_year", None, None, "cycles[0].year"),
    ("unknown_catalog", None, None, None),
    ("unknown_indicator", None, None, "cycles[2].inputs[0].indicator"),
    ("not_a_number", None, None, "cycles[2].inputs[1].value"),
    ("bad_quality", None, None, "cycles[2].inputs[2].quality_grade"),
    ("value_without_key", None, None, "cycles[3].city"),
    ("percent_below", None, None, "cycles[2].inputs[3].value"),
]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("csv", _table_places(None)), ("xlsx", _table_places("inputs")), ("json", JSON_PLACES)],
)
def test_exchange_file_with_problems_reports_each_bad_row(
    tmp_path: Path, kind: str, expected: list[tuple[str, str | None, int | None, str | None]]
) -> None:
    parsed = read_import_file(_write(kind, tmp_path / f"bad.{kind}", BAD_ROWS))
    assert places(parsed.problems) == sorted(expected, key=str)


def test_csv_without_the_required_columns_names_them(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("indicator,input,value\n5.1,labour_force,1\n", encoding="utf-8")
    parsed = read_import_file(path)
    assert places(parsed.problems) == [("csv_missing_columns", None, 1, None)]
    assert "city, catalog, year" in parsed.problems[0].message_en


def test_csv_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "euc-kr.csv"
    path.write_bytes("city,catalog,year,indicator,input,value\n대구,x,1,2,3,4\n".encode("euc-kr"))
    assert places(read_import_file(path).problems) == [("not_utf8", None, None, None)]


def test_csv_for_another_city_than_asked_is_refused(tmp_path: Path) -> None:
    parsed = read_import_file(_write("csv", tmp_path / "e.csv", INPUTS[:1]), Expect(city="seoul"))
    assert places(parsed.problems) == [("cycle_mismatch", None, None, None)]


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [
        ("{not json", "bad_json", None),
        ('{"format": "something-else", "version": 1}', "not_exchange_json", None),
        ('{"format": "citycert-exchange", "version": 1, "cycles": {}}', "bad_json_field", "cycles"),
        ('{"format": "citycert-exchange", "version": 1, "cities": [{"slug": "x", '
         '"population": "many"}], "cycles": []}', "bad_city", "cities[0].population"),
    ],
)  # fmt: skip
def test_json_with_problems_is_refused(tmp_path: Path, text: str, code: str, column: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    parsed = read_import_file(path)
    assert [(p.code, p.column) for p in parsed.problems] == [(code, column)]
    places(parsed.problems)


def test_exchange_workbook_city_table_with_problems(tmp_path: Path) -> None:
    bad_city = {**DAEGU, "latitude": "north", "is_sample": "maybe"}
    path = tmp_path / "e.xlsx"
    write_xlsx(path, [bad_city], INPUTS[:1], [])
    parsed = read_import_file(path)
    assert places(parsed.problems) == [
        ("bad_city", "cities", 2, "is_sample"),
        ("bad_city", "cities", 2, "latitude"),
    ]


def test_json_written_by_the_exporter_is_read_back_whole(tmp_path: Path) -> None:
    path = _json_doc([DAEGU], INPUTS, tmp_path / "e.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(doc["cities"][0]) == sorted(CITY_COLUMNS)
    parsed = read_import_file(path)
    assert len(parsed.rows) == len(INPUTS) and parsed.problems == []
