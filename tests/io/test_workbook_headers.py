"""Header recognition: Korean, English or both, bracketed notes, header rows anywhere, merges."""

from __future__ import annotations

import pytest

from citycert.io.workbook.headers import (
    TEMPLATE_HEADERS,
    Col,
    find_header,
    header_text,
    match_header,
)


@pytest.mark.parametrize(
    ("text", "col"),
    [
        ("지표 Indicator", Col.indicator),
        ("지표", Col.indicator),
        ("Indicator No.", Col.indicator),
        ("입력값 Input", Col.input),
        ("입력항목", Col.input),
        ("input_name", Col.input),
        ("값 Value", Col.value),
        ("값", Col.value),
        ("Value (2023)", Col.value),
        ("  VALUE\u200b ", Col.value),
        ("수치", Col.value),
        ("단위 Unit", Col.unit),
        ("출처 Source", Col.source),
        ("자료출처", Col.source),
        ("비고 Comment", Col.comment),
        ("Remarks", Col.comment),
        ("품질 Quality (A-D)", Col.quality),
        ("quality_grade", Col.quality),
        ("작년 값 Last year (reference)", Col.last_year),
        ("전년도 값", Col.last_year),
        ("_indicator", Col.key_indicator),
        ("_version", Col.key_version),
    ],
)
def test_match_header_recognises_bilingual_and_single_language_headers(text: str, col: Col) -> None:
    assert match_header(text) is col


@pytest.mark.parametrize(
    "text", [None, 12, "", "Notes for the team", "값 Source", "2023년 대구 지표 입력"]
)
def test_match_header_refuses_unknown_or_contradictory_headers(text: object) -> None:
    assert match_header(text) is None


@pytest.mark.parametrize("lang", ["ko", "en", "both"])
def test_every_template_header_is_recognised_in_every_language(lang: str) -> None:
    for col in TEMPLATE_HEADERS:
        assert match_header(header_text(col, lang)) is col


def test_find_header_skips_title_rows_and_reads_columns_in_any_order() -> None:
    top: list[list[object]] = [
        ["2023년 대구광역시 지표 자료", None, None],
        [None, None, None],
        ["값", "입력값", "지표"],
        [100, "labour_force", "5.1"],
    ]
    header = find_header(top)
    assert header is not None
    assert header.row == 3
    assert header.columns == {Col.value: 1, Col.input: 2, Col.indicator: 3}
    assert header.name(Col.value) == "A (값)"


def test_find_header_reads_a_two_level_header_with_vertically_merged_cells() -> None:
    # Row 1: 지표 and 입력값 merged down over rows 1-2; "2023년 실적" spans value and unit.
    top: list[list[object]] = [
        ["지표", "입력값", "2023년 실적", None],
        [None, None, "값", "단위"],
        ["5.1", "labour_force", 1000, "명"],
    ]
    header = find_header(top)
    assert header is not None
    assert header.row == 2
    assert header.columns == {Col.indicator: 1, Col.input: 2, Col.value: 3, Col.unit: 4}


def test_find_header_returns_none_for_a_sheet_of_notes() -> None:
    assert find_header([["이 파일은 참고용입니다"], ["Notes for the team"]]) is None
