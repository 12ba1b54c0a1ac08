"""Exports in the exchange formats: cell rules, CSV/JSON/Excel content, filters, the CLI."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from citycert.cli import app
from citycert.io.exchange_write import (
    CITY_COLUMNS,
    CSV_COLUMNS,
    INDICATOR_COLUMNS,
    INPUT_COLUMNS,
    CycleBlock,
    format_number,
    neutralise,
    restore,
    text_cell,
    write_csv,
    write_json,
)
from citycert.services import cycles, values
from citycert.services.context import NotFoundError, ServiceContext, ValidationFailed
from citycert.services.exports import (
    PASSES,
    ExportFilter,
    ExportFormat,
    count_steps,
    export,
)
from citycert.standards.catalog import get_catalog

runner = CliRunner()

# --- cell rules ---------------------------------------------------------------------------------

NEUTRALISE = [
    # text, as written to CSV/Excel
    ("=1+1", "'=1+1"),
    ("+82 53 120", "'+82 53 120"),
    ("-5 species", "'-5 species"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("'s-Hertogenbosch", "''s-Hertogenbosch"),
    ("'=already quoted", "''=already quoted"),
    ("KOSIS 2023", "KOSIS 2023"),
    ("a=b", "a=b"),
    ("대구 = 달구벌", "대구 = 달구벌"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "written"), NEUTRALISE)
def test_formula_like_text_is_neutralised_and_restore_gives_the_original_back(
    text: str, written: str
) -> None:
    assert neutralise(text) == written
    assert restore(written) == text


@pytest.mark.parametrize("typed", ["'abc", "'", "it's", "plain"])
def test_restore_leaves_text_alone_that_export_never_produces(typed: str) -> None:
    assert restore(typed) == typed


NUMBERS = [
    # value, CSV text
    (5.0, "5"),
    (-5, "-5"),
    (12.5, "12.5"),
    (-0.53, "-0.53"),
    (0.1 + 0.2, "0.30000000000000004"),
    (2385412, "2385412"),
    (1e22, "1e+22"),
    (1.5e-7, "1.5e-07"),
]


@pytest.mark.parametrize(("value", "text"), NUMBERS)
def test_numbers_are_written_in_shortest_round_trip_form_and_never_neutralised(
    value: float, text: str
) -> None:
    assert format_number(value) == text
    assert text_cell(value) == text
    assert float(text) == value


@pytest.mark.parametrize(
    ("value", "text"), [(None, ""), (True, "true"), (False, "false"), ("x", "x")]
)
def test_null_and_booleans_have_fixed_spellings(value: Any, text: str) -> None:
    assert text_cell(value) == text


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_value_that_is_not_a_finite_number_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        format_number(bad)


def test_csv_rows_may_be_tuples_in_column_order_but_must_have_every_column() -> None:
    out = io.StringIO()
    write_csv(out, [("a", 1.0)], ("name", "value"))
    assert out.getvalue() == "name,value\na,1\n"
    with pytest.raises(ValueError, match="2 columns"):
        write_csv(io.StringIO(), [("a",)], ("name", "value"))


def test_streamed_json_is_exactly_the_sorted_indented_document() -> None:
    cities = [{"slug": "daegu", "name_en": "Daegu", "name_ko": "대구", "population": 2.0}]
    blocks = [
        CycleBlock("daegu", "iso37120-2018", 2023, "draft",
                   [{"indicator": "5.1", "input": "labour_force", "value": 3.5, "unit": "person"}],
                   [{"indicator": "5.1", "key": "iso37120-2018:5.1", "value": None}]),
        CycleBlock("daegu", "iso37120-2018", 2024, "draft"),
    ]  # fmt: skip
    out = io.StringIO()
    write_json(out, cities, blocks)
    doc = json.loads(out.getvalue())
    assert out.getvalue() == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert doc["cities"][0]["population"] == 2 and doc["cities"][0]["region"] is None
    assert [c["year"] for c in doc["cycles"]] == [2023, 2024]
    assert doc["cycles"][1]["inputs"] == [] and doc["format"] == "citycert-exchange"


# --- exports from the store ---------------------------------------------------------------------


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_bytes().decode("utf-8")
    assert "\r" not in text
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _seed_inputs(seed: dict[str, Any], keep: Any = lambda cy: True) -> list[dict[str, Any]]:
    return [
        {"city": cy["city"], "catalog": cy["catalog"], "year": cy["year"], **r}
        for cy in seed["cycles"]
        if keep(cy)
        for r in cy["inputs"]
    ]


def _cell(value: Any) -> str:
    return "" if value is None else neutralise(value) if isinstance(value, str) else repr(value)


def test_csv_export_has_one_row_per_stored_input_with_city_columns(
    seeded: ServiceContext, seed: dict[str, Any], tmp_path: Path
) -> None:
    result = export(seeded, fmt=ExportFormat.csv, target=tmp_path / "out.csv")

    header, rows = _read_csv(tmp_path / "out.csv")
    assert header == list(CSV_COLUMNS)
    expected = _seed_inputs(seed)
    assert result.inputs == len(rows) == len(expected)
    by_key = {(r["city"], r["catalog"], r["year"], r["indicator"], r["input"]): r for r in rows}
    names = {c["slug"]: c for c in seed["cities"]}
    for want in expected:
        got = by_key[(want["city"], want["catalog"], str(want["year"]), want["indicator"],
                      want["input"])]  # fmt: skip
        value = want["value"]
        assert (float(got["value"]) if got["value"] else None) == value
        for col in ("source", "comment", "quality_grade"):
            assert got[col] == _cell(want.get(col)), col
        assert got["city_name_en"] == neutralise(names[want["city"]]["name_en"])
        assert got["city_name_ko"] == names[want["city"]]["name_ko"]
        assert got["country"] == names[want["city"]]["country"]


def test_csv_keeps_negative_numbers_as_numbers_but_guards_text_that_starts_with_a_sign(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    export(seeded, fmt=ExportFormat.csv, target=tmp_path / "out.csv")
    _, rows = _read_csv(tmp_path / "out.csv")
    species = next(r for r in rows if r["input"] == "native_species_change")
    assert species["value"] == "-5"
    assert species["comment"] == "'-5 species since the 2010 survey"
    assert species["source"] == "'@field survey"
    growth = next(r for r in rows if r["input"] == "annual_population_change")
    assert (growth["value"], growth["comment"]) == ("-0.53", "'=1+1")
    first_chars = {v[:1] for r in rows for k, v in r.items() if k != "value"}
    assert not first_chars & {"=", "+", "-", "@"}


def test_csv_rows_follow_city_then_catalogue_order_of_indicators_and_inputs(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    export(seeded, fmt=ExportFormat.csv, target=tmp_path / "out.csv")
    _, rows = _read_csv(tmp_path / "out.csv")
    positions = {}
    for key in ("iso37120-2014", "iso37120-2018"):
        cat = get_catalog(key)
        for i, ind in enumerate(cat.indicators):
            for j, inp in enumerate(ind.formula.inputs if ind.formula else ()):
                positions[(key, ind.number, inp.name)] = (i, j)
    keys = [
        (r["city"], r["catalog"], int(r["year"]), positions[(r["catalog"], r["indicator"],
                                                             r["input"])])
        for r in rows
    ]  # fmt: skip
    assert keys == sorted(keys)


def _stored_indicators(ctx: ServiceContext) -> dict[tuple[str, str, int, str], Any]:
    out = {}
    for cy in cycles.list_cycles(ctx):
        for iv in values.list_indicator_values(ctx, cycle_id=cy.id):
            out[(cy.city_slug, cy.catalog, cy.year, iv.indicator)] = iv
    return out


def test_json_export_holds_cities_and_every_cycle_with_its_inputs_and_computed_values(
    seeded: ServiceContext, seed: dict[str, Any], tmp_path: Path
) -> None:
    export(seeded, fmt=ExportFormat.json, target=tmp_path / "out.json")
    text = (tmp_path / "out.json").read_text(encoding="utf-8")
    doc = json.loads(text)

    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert (doc["format"], doc["version"]) == ("citycert-exchange", 1)
    assert [c["slug"] for c in doc["cities"]] == sorted(c["slug"] for c in seed["cities"])
    assert all(sorted(c) == sorted(CITY_COLUMNS) for c in doc["cities"])
    # Text in JSON is data, not a spreadsheet cell: it is never prefixed.
    assert {c["name_en"] for c in doc["cities"]} == {c["name_en"] for c in seed["cities"]}
    got_cycles = {(c["city"], c["catalog"], c["year"]): c for c in doc["cycles"]}
    assert set(got_cycles) == {(c["city"], c["catalog"], c["year"]) for c in seed["cycles"]}
    for cy in seed["cycles"]:
        got = got_cycles[(cy["city"], cy["catalog"], cy["year"])]
        assert got["state"] == cy["state"]
        assert {(r["indicator"], r["input"], r["value"], r["comment"]) for r in got["inputs"]} == {
            (r["indicator"], r["input"], r["value"], r.get("comment")) for r in cy["inputs"]
        }
    stored = _stored_indicators(seeded)
    exported = {
        (c["city"], c["catalog"], c["year"], i["indicator"]): i
        for c in doc["cycles"]
        for i in c["indicators"]
    }
    assert set(exported) == set(stored)
    for key, iv in stored.items():
        assert exported[key]["value"] == iv.value
        assert (exported[key]["unit"], exported[key]["status"]) == (iv.unit, iv.status)
        assert exported[key]["key"] == f"{key[1]}:{key[3]}"


def test_xlsx_export_has_bilingual_readme_and_typed_cells_with_formulas_disarmed(
    seeded: ServiceContext, seed: dict[str, Any], tmp_path: Path
) -> None:
    export(seeded, fmt=ExportFormat.xlsx, target=tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")

    assert wb.sheetnames == ["README", "cities", "inputs", "indicators"]
    readme = " ".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value)
    assert "exchange workbook" in readme and "교환" in readme
    for name, columns in (("cities", CITY_COLUMNS), ("inputs", INPUT_COLUMNS),
                          ("indicators", INDICATOR_COLUMNS)):  # fmt: skip
        assert [c.value for c in wb[name][1]] == list(columns)
    for row in wb.worksheets[1:]:
        for cells in row.iter_rows(min_row=2):
            for cell in cells:
                assert cell.data_type != "f", cell.coordinate
    inputs = [dict(zip(INPUT_COLUMNS, r, strict=True))
              for r in wb["inputs"].iter_rows(min_row=2, values_only=True)]  # fmt: skip
    assert len(inputs) == len(_seed_inputs(seed))
    species = next(r for r in inputs if r["input"] == "native_species_change")
    assert species["value"] == -5 and species["comment"] == "'-5 species since the 2010 survey"
    missing = next(r for r in inputs if r["input"] == "businesses" and r["year"] == 2023
                   and r["catalog"] == "iso37120-2014")  # fmt: skip
    assert missing["value"] is None
    city_rows = list(wb["cities"].iter_rows(min_row=2, values_only=True))
    daegu = dict(zip(CITY_COLUMNS, city_rows[0], strict=True))
    assert daegu["population"] == 2385412 and daegu["is_sample"] is True
    testville = dict(zip(CITY_COLUMNS, city_rows[-1], strict=True))
    assert str(testville["name_en"]).startswith("'=HYPERLINK")
    assert testville["region"] == "'+Plus county"


# --- filters ------------------------------------------------------------------------------------

FILTERS = [
    # (city, standard, year, public_only)
    (None, None, None, False),
    ("daegu", None, None, False),
    ("testville", None, None, False),
    (None, "iso37120-2014", None, False),
    (None, "ISO 37120:2018", None, False),
    (None, None, 2023, False),
    ("daegu", "iso37120-2018", 2023, False),
    (None, None, None, True),
    ("testville", None, None, True),
    ("nodata", None, None, False),
]


def _matches(cy: dict[str, Any], f: tuple[Any, ...]) -> bool:
    city, standard, year, public = f
    std = get_catalog(standard).key if standard else None
    return (
        (city is None or cy["city"] == city)
        and (std is None or cy["catalog"] == std)
        and (year is None or cy["year"] == year)
        and (not public or cy["published"] or cy["state"] == "certified")
    )


@pytest.mark.parametrize("f", FILTERS, ids=[str(f) for f in FILTERS])
def test_filters_select_cycles_and_the_cities_that_have_them(
    seeded: ServiceContext, seed: dict[str, Any], tmp_path: Path, f: tuple[Any, ...]
) -> None:
    city, standard, year, public = f
    filters = ExportFilter(city=city, standard=standard, year=year, public_only=public)
    result = export(seeded, fmt=ExportFormat.json, target=tmp_path / "f.json", filters=filters)
    doc = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))

    wanted = [c for c in seed["cycles"] if _matches(c, f)]
    assert {(c["city"], c["catalog"], c["year"]) for c in doc["cycles"]} == {
        (c["city"], c["catalog"], c["year"]) for c in wanted
    }
    if standard is None and year is None and not public:
        # Unrestricted by data: every (matching) city, also one without any cycle.
        want_cities = {c["slug"] for c in seed["cities"] if city in (None, c["slug"])}
    else:
        want_cities = {c["city"] for c in wanted}
    assert {c["slug"] for c in doc["cities"]} == want_cities
    assert result.cycles == len(wanted)
    assert result.inputs == sum(len(c["inputs"]) for c in wanted)

    export(seeded, fmt=ExportFormat.csv, target=tmp_path / "f.csv", filters=filters)
    _, rows = _read_csv(tmp_path / "f.csv")
    assert len(rows) == result.inputs


@pytest.mark.parametrize(
    ("filters", "error"),
    [
        (ExportFilter(city="atlantis"), NotFoundError),
        (ExportFilter(standard="iso99999-2020"), ValidationFailed),
    ],
)
def test_an_unknown_city_or_standard_is_refused_and_nothing_is_written(
    seeded: ServiceContext, tmp_path: Path, filters: ExportFilter, error: type[Exception]
) -> None:
    with pytest.raises(error):
        export(seeded, fmt=ExportFormat.csv, target=tmp_path / "x.csv", filters=filters)
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_progress_reports_every_step_that_count_steps_announced(
    seeded: ServiceContext, tmp_path: Path, fmt: ExportFormat
) -> None:
    steps: list[int] = []
    export(seeded, fmt=fmt, target=tmp_path / f"out.{fmt.value}", progress=steps.append)
    total = count_steps(seeded, fmt=fmt, filters=ExportFilter())
    assert sum(steps) == total == len(cycles.list_cycles(seeded)) * PASSES[fmt]


# --- command line -------------------------------------------------------------------------------


def test_cli_export_writes_the_same_file_as_the_service(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    url = seeded.db.url
    out = tmp_path / "cli.csv"
    res = runner.invoke(
        app, ["export", "--format", "csv", "-o", str(out), "--city", "daegu", "--year", "2023",
              "--database-url", url],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "exported" in res.output and "내보냈습니다" in res.output
    export(seeded, fmt=ExportFormat.csv, target=tmp_path / "svc.csv",
           filters=ExportFilter(city="daegu", year=2023))  # fmt: skip
    assert out.read_bytes() == (tmp_path / "svc.csv").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--city", "atlantis"], "atlantis"),
        (["--standard", "iso99999-2020"], "iso99999-2020"),
    ],
)
def test_cli_export_with_an_unknown_filter_exits_2_with_the_reason(
    seeded: ServiceContext, tmp_path: Path, args: list[str], message: str
) -> None:
    res = runner.invoke(
        app,
        ["export", "--format", "json", "-o", str(tmp_path / "x.json"), *args,
         "--database-url", seeded.db.url],
    )  # fmt: skip
    assert res.exit_code == 2
    assert message in res.output
    assert not (tmp_path / "x.json").exists()
