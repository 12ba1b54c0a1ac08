"""Read raw-input CSV files: columns `indicator,input,value` and optional `unit`."""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from pathlib import Path

from citycert.domain.calculation import RawInput
from citycert.io.numbers import NumberError, parse_number
from citycert.io.problems import FileProblems, Problem
from citycert.standards.catalog import Catalog

REQUIRED = ("indicator", "input", "value")


def _problem(
    file: str, row: int | None, column: str | None, en: str, ko: str, hint_en: str, hint_ko: str
) -> Problem:
    return Problem(
        file=file,
        row=row,
        column=column,
        message_en=en,
        message_ko=ko,
        hint_en=hint_en,
        hint_ko=hint_ko,
    )


def read_inputs_csv(path: Path, catalog: Catalog) -> dict[str, dict[str, RawInput]]:
    """Raw inputs keyed by indicator number then input name; FileProblems lists every problem.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileProblems(
            [
                _problem(
                    name,
                    None,
                    None,
                    "file not found",
                    "파일을 찾을 수 없습니다",
                    "check the path",
                    "경로를 확인하십시오",
                )
            ]
        ) from None
    except UnicodeDecodeError:
        raise FileProblems(
            [
                _problem(
                    name,
                    None,
                    None,
                    "file is not UTF-8 text",
                    "파일이 UTF-8 텍스트가 아닙니다",
                    "save the file as CSV UTF-8",
                    "CSV UTF-8 형식으로 저장하십시오",
                )
            ]
        ) from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileProblems(
            [
                _problem(
                    name,
                    1,
                    ", ".join(missing),
                    f"missing column(s) {', '.join(missing)}; "
                    f"found {', '.join(header) or 'no header'}",
                    f"필수 열 {', '.join(missing)}이(가) 없습니다",
                    "the first row must be: indicator,input,value[,unit]",
                    "첫 행은 indicator,input,value[,unit] 이어야 합니다",
                )
            ]
        )
    reader.fieldnames = header
    out: dict[str, dict[str, RawInput]] = {}
    seen: dict[tuple[str, str], int] = {}
    problems: list[Problem] = []
    for rowno, row in enumerate(reader, start=2):
        number = (row.get("indicator") or "").strip()
        inp = (row.get("input") or "").strip()
        raw_value = (row.get("value") or "").strip()
        unit = (row.get("unit") or "").strip() or None
        if not number and not inp and not raw_value:
            continue  # blank line
        ind = catalog.get(number)
        if ind is None:
            problems.append(
                _problem(
                    name,
                    rowno,
                    "indicator",
                    f"unknown indicator {number!r} in {catalog.key}",
                    f"{catalog.key}에 없는 지표 {number!r}",
                    "use an indicator number from `citycert catalog list --standard "
                    + catalog.key
                    + "`",
                    "`citycert catalog list`로 지표 번호를 확인하십시오",
                )
            )
            continue
        names = [i.name for i in ind.formula.inputs] if ind.formula else []
        if inp not in names:
            problems.append(
                _problem(
                    name,
                    rowno,
                    "input",
                    f"indicator {number} has no input {inp!r}; "
                    f"its inputs are: {', '.join(names) or 'none'}",
                    f"지표 {number}에는 입력값 {inp!r}이(가) 없습니다. "
                    f"가능한 입력값: {', '.join(names) or '없음'}",
                    f"write one of: {', '.join(names)}",
                    f"다음 중 하나를 쓰십시오: {', '.join(names)}",
                )
            )
            continue
        if (number, inp) in seen:
            problems.append(
                _problem(
                    name,
                    rowno,
                    "input",
                    f"{number}/{inp} is given twice (first on row {seen[(number, inp)]})",
                    f"{number}/{inp} 값이 두 번 있습니다 (처음: {seen[(number, inp)]}행)",
                    "keep one row per indicator and input",
                    "지표·입력값마다 한 행만 남기십시오",
                )
            )
            continue
        seen[(number, inp)] = rowno
        if raw_value == "":
            out.setdefault(number, {})[inp] = RawInput(None, unit)
            continue
        try:
            value = parse_number(raw_value)
        except NumberError as exc:
            problems.append(
                _problem(
                    name,
                    rowno,
                    "value",
                    f"value {raw_value!r} is not a number ({exc})",
                    f"값 {raw_value!r}은(는) 숫자가 아닙니다",
                    "write a plain number such as 1234.5",
                    "1234.5처럼 숫자만 쓰십시오",
                )
            )
            continue
        if not math.isfinite(value):
            problems.append(
                _problem(
                    name,
                    rowno,
                    "value",
                    f"value {raw_value!r} is not finite",
                    f"값 {raw_value!r}은(는) 유한한 숫자가 아닙니다",
                    "write a finite number",
                    "유한한 숫자를 쓰십시오",
                )
            )
            continue
        out.setdefault(number, {})[inp] = RawInput(value, unit)
    if problems:
        raise FileProblems(problems)
    return out


def as_plain(inputs: Mapping[str, Mapping[str, RawInput]]) -> dict[str, dict[str, float | None]]:
    return {n: {k: v.value for k, v in d.items()} for n, d in inputs.items()}
