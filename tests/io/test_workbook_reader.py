"""Reading filled-in workbooks: each good workbook next to its "with-problems" twin.

Every problem is checked for its place (file, sheet, row, column) and for a message and a fix in
English and Korean; all problems of a file come back at once.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from citycert.io.problems import Problem
from citycert.io.workbook.load import read_import_file
from citycert.io.workbook.rows import CycleRef, Expect, ParsedFile, Stored
from tests.io.workbook_factory import (
    fill_template,
    locate,
    make_template,
    messy_workbook,
    with_cached_values,
    with_padding,
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
DAEGU_2023 = Expect(city="daegu", catalog="iso37120-2018", year=2023)
CYCLE = CycleRef("daegu", "iso37120-2018", 2023)
VALUE = "E (값 Value)"


def places(problems: list[Problem]) -> list[tuple[str | None, str | None, int | None, str | None]]:
    """(code, sheet, row, column) of each problem, after checking it is fully bilingual."""
    for p in problems:
        assert p.message_en and p.hint_en, p
        assert HANGUL.search(p.message_ko) and HANGUL.search(p.hint_ko), p
    return sorted(
        ((p.code, p.sheet, p.row, p.column) for p in problems), key=lambda t: tuple(map(str, t))
    )


def values(parsed: ParsedFile) -> dict[tuple[str, str], float | None]:
    return {(r.indicator, r.input): r.value for r in parsed.rows if r.value is not None}


# --- our template ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(
        tmp_path_factory.mktemp("tpl") / "template.xlsx",
        current={("5.1", "labour_force"): Stored(2, 1_200_000.0, "KOSIS", None, "A")},
    )


def test_filled_template_gives_its_figures_with_the_state_it_was_made_from(
    blank_template: Path, tmp_path: Path
) -> None:
    path = fill_template(
        blank_template,
        {("5.1", "unemployed_persons"): 48000, ("5.1", "labour_force"): "1,234,567 "},
        tmp_path / "filled.xlsx",
    )
    fill_template(path, {("5.1", "unemployed_persons"): "KOSIS\u200b 2023 "}, column="F")
    fill_template(path, {("5.1", "unemployed_persons"): "b"}, column="H")
    fill_template(path, {("5.9.2", "average_inflation_rate"): 0.025}, number_format="0.0%")

    parsed = read_import_file(path, DAEGU_2023)

    assert parsed.problems == [] and parsed.warnings == []
    assert parsed.kind == "template"
    assert values(parsed) == {
        ("5.1", "unemployed_persons"): 48000.0,
        ("5.1", "labour_force"): 1234567.0,
        ("5.9.2", "average_inflation_rate"): 2.5,
    }
    by_key = {(r.indicator, r.input): r for r in parsed.rows}
    unemployed = by_key[("5.1", "unemployed_persons")]
    assert (unemployed.source, unemployed.quality_grade, unemployed.cycle) == (
        "KOSIS 2023",
        "B",
        CYCLE,
    )
    sheet, row = locate(path, "5.1", "unemployed_persons")
    assert (unemployed.place.sheet, unemployed.place.row, unemployed.place.column) == (
        sheet,
        row,
        VALUE,
    )
    assert by_key[("5.1", "labour_force")].base == Stored(2, 1_200_000.0, "KOSIS", None, "A")
    assert unemployed.base == Stored(None)
    # Every input of the catalogue is a row; the blank ones say "not reported".
    assert by_key[("5.1", "labour_force")].unit is None
    assert sum(r.value is None for r in parsed.rows) == len(parsed.rows) - 3


def test_filled_template_with_problems_lists_every_problem_with_its_cell(
    blank_template: Path, tmp_path: Path
) -> None:
    bad = {
        ("5.1", "unemployed_persons"): "abc",
        ("5.1", "labour_force"): datetime(2023, 12, 1),
        ("5.9.2", "average_inflation_rate"): "약 12",
        ("15.1", "firefighters"): -5,
        ("15.1", "population"): True,
        ("15.2", "fire_deaths"): "#DIV/0!",
        ("15.2", "population"): "=1+1",
    }
    path = fill_template(blank_template, bad, tmp_path / "bad.xlsx")
    # A percentage-formatted cell for a head count.
    fill_template(path, {("6.1", "female_school_aged_enrolled"): 0.5}, number_format="0.0%")
    fill_template(path, {("5.1", "labour_force"): "E"}, column="H")

    parsed = read_import_file(path, DAEGU_2023)

    def at(key: tuple[str, str], code: str, column: str = VALUE) -> tuple[str, str, int, str]:
        sheet, row = locate(path, *key)
        return (code, sheet, row, column)

    assert places(parsed.problems) == sorted(
        [
            at(("5.1", "unemployed_persons"), "not_a_number"),
            at(("5.1", "labour_force"), "date_value"),
            at(("5.1", "labour_force"), "bad_quality", "H (품질 Quality (A-D))"),
            at(("5.9.2", "average_inflation_rate"), "not_a_number"),
            at(("15.1", "firefighters"), "negative_value"),
            at(("15.1", "population"), "boolean_value"),
            at(("15.2", "fire_deaths"), "formula_error"),
            at(("15.2", "population"), "formula_no_value"),
            at(("6.1", "female_school_aged_enrolled"), "percent_not_expected"),
        ],
        key=lambda t: tuple(map(str, t)),
    )
    formula = next(p for p in parsed.problems if p.code == "formula_no_value")
    assert "=1+1" in formula.message_en and "Excel" in formula.hint_en


def test_template_for_another_city_or_year_than_asked_is_refused(blank_template: Path) -> None:
    parsed = read_import_file(blank_template, Expect(city="seoul", year=2022))
    assert places(parsed.problems) == [
        ("cycle_mismatch", None, None, None),
        ("cycle_mismatch", None, None, None),
    ]
    assert {p.message_en for p in parsed.problems} == {
        "the file is for city 'daegu', but 'seoul' was asked for",
        "the file is for year 2023, but 2022 was asked for",
    }


def test_template_row_moved_from_another_templates_cycle_is_refused(
    blank_template: Path, tmp_path: Path
) -> None:
    path = fill_template(blank_template, {("5.1", "labour_force"): 1000}, tmp_path / "moved.xlsx")
    fill_template(path, {("5.1", "labour_force"): "daegu/iso37120-2018/2022"}, column="J")
    sheet, row = locate(path, "5.1", "labour_force")
    parsed = read_import_file(path)
    assert places(parsed.problems) == [("row_cycle_mismatch", sheet, row, "J (_cycle)")]


def test_damaged_meta_sheet_is_reported(blank_template: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(blank_template)
    wb["_meta"]["B6"] = "twenty"  # the year
    wb.save(tmp_path / "damaged.xlsx")
    parsed = read_import_file(tmp_path / "damaged.xlsx")
    assert places(parsed.problems) == [("meta_invalid", "_meta", None, None)]
    assert "year" in parsed.problems[0].message_en


# --- home-made workbooks ---------------------------------------------------------------------


def test_korean_workbook_with_title_rows_and_reordered_columns_is_read(tmp_path: Path) -> None:
    path = messy_workbook(
        tmp_path / "대구 2023.xlsx",
        ["값", "지표", "입력값", "단위", "출처", "비고"],
        [
            ["1 234 567", "5.1 실업률", "경제활동인구", "명", "통계청 ", None],
            [48000.0, "5.1", "구직 중인 생산가능 실업자 수\u200b", None, None, "잠정"],
            [None, "15.1", "firefighters", None, None, None],
            [None, "5 경제", None, None, None, None],  # a section heading, not data
        ],
        title_rows=["2023년 대구광역시 지표 자료", ""],
        extra_sheets={"메모": [["이 파일은 경제 분야 자료입니다"]]},
    )
    parsed = read_import_file(path, DAEGU_2023)
    assert parsed.problems == []
    assert parsed.kind == "workbook"
    assert values(parsed) == {
        ("5.1", "labour_force"): 1234567.0,
        ("5.1", "unemployed_persons"): 48000.0,
    }
    first = parsed.rows[0]
    assert (first.place.sheet, first.place.row, first.place.column) == ("자료", 4, "A (값)")
    assert (first.source, first.unit, first.base) == ("통계청", None, None)
    assert parsed.rows[1].comment == "잠정"
    assert len(parsed.rows) == 3  # the blank firefighters row is kept as "not reported"


def test_korean_workbook_with_problems_lists_them_all(tmp_path: Path) -> None:
    path = messy_workbook(
        tmp_path / "문제.xlsx",
        ["값", "지표", "입력값", "단위"],
        [
            [100, None, "labour_force", None],  # no indicator, and none above to continue
            [100, "99.9", "foo", None],
            [100, "5.1", "foo", None],
            [100, "5.1", None, None],
            [1000, "5.1", "labour_force", None],
            [1001, "5.1", "labour_force", None],
            [10, "15.1", "firefighters", "kg"],
            ["12%", "15.1", "population", None],
        ],
        title_rows=["대구"],
    )
    parsed = read_import_file(path, DAEGU_2023)
    assert places(parsed.problems) == sorted(
        [
            ("indicator_missing", "자료", 3, "B (지표)"),
            ("unknown_indicator", "자료", 4, "B (지표)"),
            ("unknown_input", "자료", 5, "C (입력값)"),
            ("input_missing", "자료", 6, "C (입력값)"),
            ("duplicate_row", "자료", 8, "C (입력값)"),
            ("bad_unit", "자료", 9, "D (단위)"),
            ("percent_not_expected", "자료", 10, "A (값)"),
        ],
        key=lambda t: tuple(map(str, t)),
    )
    duplicate = next(p for p in parsed.problems if p.code == "duplicate_row")
    assert "sheet '자료', row 7" in duplicate.message_en
    unknown = next(p for p in parsed.problems if p.code == "unknown_input")
    assert "unemployed_persons, labour_force" in unknown.hint_en


def test_english_workbook_reads_names_labels_percent_cells_and_units(tmp_path: Path) -> None:
    path = messy_workbook(
        tmp_path / "english.xlsx",
        ["Indicator", "Input", "Value", "Unit", "Comment"],
        [
            ["5.1", "Total labour force", 1_200_000, "persons", None],
            ["5.9.2", "average_inflation_rate", 0.025, None, None],
            ["13.4.1", "annual_population_change", "-0.5%", None, "shrinking"],
            ["21.2", "Total city land area", 883.5, "km2", None],
            ["21.1", "Green area of the city", 12.5, "km²", None],
        ],
        sheet="Data",
        formats={"C3": "0.0%"},
    )
    parsed = read_import_file(path, DAEGU_2023)
    assert parsed.problems == []
    assert values(parsed) == {
        ("5.1", "labour_force"): 1_200_000.0,
        ("5.9.2", "average_inflation_rate"): 2.5,
        ("13.4.1", "annual_population_change"): -0.5,
        ("21.2", "city_area"): 883.5,
        ("21.1", "green_area"): 12.5,
    }
    # Units the catalogue uses stay implicit; another unit is kept for conversion on saving.
    assert [r.unit for r in parsed.rows] == [None, None, None, None, "km2"]


def test_english_workbook_without_a_value_column_is_refused(tmp_path: Path) -> None:
    path = messy_workbook(
        tmp_path / "novalue.xlsx",
        ["Indicator", "Input", "Figure 2023", "Figure 2022"],
        [["5.1", "labour_force", 1, 2]],
        sheet="Data",
    )
    parsed = read_import_file(path, DAEGU_2023)
    assert places(parsed.problems) == [("duplicate_column", "Data", 1, "Figure 2022")]

    path = messy_workbook(
        tmp_path / "nocolumn.xlsx", ["Indicator", "Input", "Remarks"], [["5.1", "x", 1]]
    )
    parsed = read_import_file(path, DAEGU_2023)
    assert places(parsed.problems) == [("missing_columns", "자료", 1, None)]
    assert "값 Value" in parsed.problems[0].message_en


def test_two_level_merged_header_is_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["지표", "입력값", "2023년 실적", None])
    ws.append([None, None, "값", "단위"])
    ws.append(["5.1", "labour_force", 1000, "명"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.merge_cells("C1:D1")
    wb.save(tmp_path / "merged.xlsx")
    parsed = read_import_file(tmp_path / "merged.xlsx", DAEGU_2023)
    assert parsed.problems == []
    assert values(parsed) == {("5.1", "labour_force"): 1000.0}


def test_indicator_cells_merged_over_their_inputs_are_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["지표", "입력값", "값"])
    ws.append(["5.1 실업률", "구직 중인 생산가능 실업자 수", 48000])
    ws.append([None, "경제활동인구", 1_200_000])
    ws.append(["15.1", "firefighters", 1500])
    ws.append([None, "labour_force", 1])  # not an input of 15.1
    ws.merge_cells("A2:A3")
    ws.merge_cells("A4:A5")
    wb.save(tmp_path / "merged-data.xlsx")
    parsed = read_import_file(tmp_path / "merged-data.xlsx", DAEGU_2023)
    assert values(parsed) == {
        ("5.1", "unemployed_persons"): 48000.0,
        ("5.1", "labour_force"): 1_200_000.0,
        ("15.1", "firefighters"): 1500.0,
    }
    assert places(parsed.problems) == [("unknown_input", "Sheet", 5, "B (입력값)")]


def test_formula_results_saved_by_excel_are_used(tmp_path: Path) -> None:
    headers = ["지표", "입력값", "값"]
    path = messy_workbook(tmp_path / "f.xlsx", headers, [["5.1", "labour_force", "=600*2"]])
    with_cached_values(path, 0, {"C2": 1200})
    parsed = read_import_file(path, DAEGU_2023)
    assert parsed.problems == []
    assert values(parsed) == {("5.1", "labour_force"): 1200.0}


def test_formula_never_calculated_is_reported_not_read_as_blank(tmp_path: Path) -> None:
    headers = ["지표", "입력값", "값"]
    path = messy_workbook(tmp_path / "f.xlsx", headers, [["5.1", "labour_force", "=600*2"]])
    parsed = read_import_file(path, DAEGU_2023)
    assert places(parsed.problems) == [("formula_no_value", "자료", 2, "C (값)")]
    assert parsed.rows == []


def test_percentage_typed_as_a_fraction_is_kept_and_warned_about(tmp_path: Path) -> None:
    path = messy_workbook(
        tmp_path / "pct.xlsx",
        ["Indicator", "Input", "Value"],
        [
            ["5.9.2", "average_inflation_rate", 2.4],
            ["13.4.1", "annual_population_change", 0.125],
        ],
    )
    parsed = read_import_file(path, DAEGU_2023)
    assert parsed.problems == []
    assert values(parsed)[("13.4.1", "annual_population_change")] == 0.125
    assert places(parsed.warnings) == [("fraction_percent", "자료", 3, "C (Value)")]
    assert "12.5" in parsed.warnings[0].hint_en


def test_small_percentages_next_to_other_small_ones_are_not_warned_about(tmp_path: Path) -> None:
    path = messy_workbook(
        tmp_path / "pct.xlsx",
        ["Indicator", "Input", "Value"],
        [
            ["5.9.2", "average_inflation_rate", "0.4%"],
            ["13.4.1", "annual_population_change", 0.125],
        ],
    )
    parsed = read_import_file(path, DAEGU_2023)
    assert parsed.problems == [] and parsed.warnings == []


def test_hidden_sheets_are_not_read_and_say_so(tmp_path: Path) -> None:
    path = messy_workbook(
        tmp_path / "hidden.xlsx",
        ["지표", "입력값", "값"],
        [["5.1", "labour_force", 1]],
        hidden_sheets={"옛 자료": [["지표", "입력값", "값"], ["5.1", "labour_force", 999]]},
    )
    parsed = read_import_file(path, DAEGU_2023)
    assert values(parsed) == {("5.1", "labour_force"): 1.0}
    assert places(parsed.warnings) == [("hidden_sheet", "옛 자료", None, None)]


def test_workbook_without_city_and_year_needs_them_on_the_command_line(tmp_path: Path) -> None:
    path = messy_workbook(
        tmp_path / "w.xlsx", ["지표", "입력값", "값"], [["5.1", "labour_force", 1]]
    )
    parsed = read_import_file(path, Expect(city="daegu"))
    assert places(parsed.problems) == [("cycle_unknown", None, None, None)]
    assert "standard, year" in parsed.problems[0].message_en


def test_workbook_with_no_data_sheet_is_refused(tmp_path: Path) -> None:
    path = messy_workbook(tmp_path / "notes.xlsx", ["회의록"], [["다음 주 자료 제출"]])
    parsed = read_import_file(path, DAEGU_2023)
    assert places(parsed.problems) == [("no_data_sheet", None, None, None)]


def test_unknown_standard_is_reported_once_with_the_available_ones(tmp_path: Path) -> None:
    path = messy_workbook(
        tmp_path / "w.xlsx", ["지표", "입력값", "값"], [["5.1", "labour_force", 1]] * 2
    )
    parsed = read_import_file(path, Expect("daegu", "iso99999-2020", 2023))
    assert places(parsed.problems) == [("unknown_catalog", None, None, None)]
    assert "iso37120-2018" in parsed.problems[0].message_en


# --- the file as a whole ---------------------------------------------------------------------


def test_file_larger_than_the_limit_is_refused(blank_template: Path) -> None:
    parsed = read_import_file(blank_template, max_bytes=1000)
    assert places(parsed.problems) == [("file_too_large", None, None, None)]
    assert "the largest accepted file is 1,000 bytes" in parsed.problems[0].message_en


def test_zip_bomb_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = messy_workbook(tmp_path / "bomb.xlsx", ["지표", "입력값", "값"], [])
    with_padding(path, 60 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024
    parsed = read_import_file(path, DAEGU_2023, max_bytes=20 * 1024 * 1024)
    assert places(parsed.problems) == [("zip_bomb", None, None, None)]
    assert "unpacks to 60 MB from" in parsed.problems[0].message_en


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("fake.xlsx", b"indicator,input,value\n", "not_a_workbook"),
        ("notes.txt", b"hello", "file_type"),
        ("data.ods", b"PK", "file_type"),
    ],
)
def test_files_that_are_not_importable_are_refused(
    tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert places(read_import_file(path).problems) == [(code, None, None, None)]


def test_missing_file_is_reported(tmp_path: Path) -> None:
    parsed = read_import_file(tmp_path / "nowhere.xlsx")
    assert places(parsed.problems) == [("file_not_found", None, None, None)]
