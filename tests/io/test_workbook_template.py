"""The data-entry template: sheets, headers, protection, validation, pre-fill and `_meta`."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from citycert.io.workbook.headers import KEY_HEADERS
from citycert.io.workbook.meta import META_SHEET, read_meta
from citycert.io.workbook.rows import Stored
from citycert.io.workbook.template import MAX_TITLE, sheet_title
from citycert.standards.catalog import get_catalog
from tests.io.workbook_factory import CATALOG, make_template, template_row

HEADERS_BOTH = [
    "지표 Indicator", "입력값 Input", "설명 Description", "단위 Unit", "값 Value", "출처 Source",
    "비고 Comment", "품질 Quality (A-D)", "작년 값 Last year (reference)",
    "_cycle", "_indicator", "_input", "_version",
]  # fmt: skip


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("tpl") / "daegu-2023.xlsx"
    make_template(
        path,
        current={("5.1", "labour_force"): Stored(3, 1_210_000.0, "KOSIS 2023", "revised", "A")},
        last_year={("5.1", "labour_force"): 1_200_000.0, ("5.1", "unemployed_persons"): 48_000.0},
    )
    return openpyxl.load_workbook(path)


def test_template_starts_with_bilingual_instructions_and_ends_with_hidden_meta(
    template: openpyxl.Workbook,
) -> None:
    first = template.worksheets[0]
    assert first.title == "안내 Instructions"
    text = "\n".join(str(c.value) for c in first["A"] if c.value)
    for needle in ("빈칸", "blank", "출처", "Source", "회색", "grey", "--dry-run"):
        assert needle in text
    meta = template[META_SHEET]
    assert meta.sheet_state == "hidden"
    assert template.sheetnames[-1] == META_SHEET


def test_one_sheet_per_theme_with_valid_short_titles(template: openpyxl.Workbook) -> None:
    cat = get_catalog(CATALOG)
    themes = [s for s in template.sheetnames[1:] if s != META_SHEET]
    assert themes[0] == "5 경제 Economy"
    assert len(themes) == len({i.theme for i in cat.indicators if i.formula})
    for title in themes:
        assert len(title) <= MAX_TITLE
        assert not re.search(r"[\[\]:*?/\\]", title)


def test_one_row_per_input_with_bilingual_headers_and_hidden_keys(
    template: openpyxl.Workbook,
) -> None:
    ws = template["5 경제 Economy"]
    assert [c.value for c in ws[2]] == HEADERS_BOTH
    cat = get_catalog(CATALOG)
    inputs = [(i.number, x.name) for i in cat.in_theme(5) if i.formula for x in i.formula.inputs]
    keys = [(ws.cell(r, 11).value, ws.cell(r, 12).value) for r in range(3, ws.max_row + 1)]
    assert keys == inputs
    assert ws["A3"].value == "5.1 실업률 Unemployment rate"
    assert ws["J3"].value == "daegu/iso37120-2018/2023"
    for letter in "JKLM":
        assert ws.column_dimensions[letter].hidden
    assert ws.freeze_panes == "C3"
    assert ws.column_dimensions["C"].width > ws.column_dimensions["D"].width


def test_stored_values_are_prefilled_and_last_year_shown_for_reference(
    template: openpyxl.Workbook,
) -> None:
    ws = template["5 경제 Economy"]
    r = template_row(ws, "5.1", "labour_force")
    assert r is not None
    assert [ws[f"{c}{r}"].value for c in "EFGHIM"] == [
        1_210_000,
        "KOSIS 2023",
        "revised",
        "A",
        1_200_000,
        3,
    ]
    other = template_row(ws, "5.1", "unemployed_persons")
    assert ws[f"E{other}"].value is None and ws[f"I{other}"].value == 48_000
    assert ws[f"M{other}"].value is None


def test_only_value_source_comment_and_quality_cells_are_editable(
    template: openpyxl.Workbook,
) -> None:
    ws = template["5 경제 Economy"]
    assert ws.protection.sheet
    for col in "ABCDIJKLM":
        assert ws[f"{col}3"].protection.locked, col
    for col in "EFGH":
        assert not ws[f"{col}3"].protection.locked, col


def _rules(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, tuple[str, str | None]]:
    """cell -> (validation type, formula1 / bounds) for every validated cell."""
    out: dict[str, tuple[str, str | None]] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                for cell in row:
                    out[cell.coordinate] = (dv.type, f"{dv.formula1}..{dv.formula2}")
    return out


def test_values_are_validated_as_numbers_and_quality_as_a_list(template: openpyxl.Workbook) -> None:
    ws = template["5 경제 Economy"]
    rules = _rules(ws)
    count_row = template_row(ws, "5.1", "labour_force")
    change_row = template_row(ws, "5.9.2", "average_inflation_rate")
    assert rules[f"E{count_row}"] == ("decimal", "0..1e+15")
    # A signed percentage (a rate of change) may be negative, not below -100 %.
    assert rules[f"E{change_row}"] == ("decimal", "-100..1e+15")
    assert rules[f"H{count_row}"] == ("list", '"A,B,C,D"..None')


def test_meta_sheet_records_cycle_and_stored_versions(template: openpyxl.Workbook) -> None:
    meta, problems = read_meta(template[META_SHEET].iter_rows(values_only=True), "t.xlsx")
    assert problems == []
    assert meta is not None
    assert (meta.city, meta.catalog, meta.year, meta.format_version) == ("daegu", CATALOG, 2023, 1)
    assert meta.catalog_version == get_catalog(CATALOG).version
    assert meta.generated_at.startswith("2024-02-01T09:00")
    assert meta.rows[("5.1", "labour_force")] == Stored(
        3, 1_210_000.0, "KOSIS 2023", "revised", "A"
    )
    assert meta.rows[("5.1", "unemployed_persons")] == Stored(None)


@pytest.mark.parametrize(
    ("lang", "intro", "sheet", "value_header", "unit"),
    [
        ("ko", "안내", "5 경제", "값", "명"),
        ("en", "Instructions", "5 Economy", "Value", "person"),
        ("both", "안내 Instructions", "5 경제 Economy", "값 Value", "명 person"),
    ],
)
def test_language_choice_sets_sheet_names_headers_and_units(
    tmp_path: Path, lang: str, intro: str, sheet: str, value_header: str, unit: str
) -> None:
    wb = openpyxl.load_workbook(make_template(tmp_path / "t.xlsx", lang=lang))
    assert wb.sheetnames[0] == intro
    ws = wb[sheet]
    assert ws["E2"].value == value_header
    assert ws["D3"].value == unit
    assert [ws.cell(2, c).value for c in range(10, 14)] == list(KEY_HEADERS.values())


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("8 환경 및 기후변화 Environment and climate change", "8 환경 및 기후변화 Environment"),
        ("20 도시농업 및 식량안보 Urban/local agriculture", "20 도시농업 및 식량안보 Urban local"),
        ("a:b*c?[d]", "a b c d"),
        ("5 경제 Economy", "5 경제 Economy (2)"),
    ],
)
def test_sheet_titles_are_cut_at_words_and_kept_unique(title: str, expected: str) -> None:
    assert sheet_title(title, {"5 경제 Economy"}) == expected
