"""Read reported-values CSV files: columns `indicator,value`, one row per indicator."""

from __future__ import annotations

import math
from pathlib import Path

from citycert.io.numbers import NumberError, parse_number
from citycert.io.problems import FileProblems, Problem, problem_maker
from citycert.io.text_file import csv_rows
from citycert.standards.catalog import Catalog

HINT_EN = "the file needs the columns indicator,value with one row per indicator"
HINT_KO = "파일에는 indicator,value 열과 지표당 한 행이 있어야 합니다"


_problem = problem_maker(HINT_EN, HINT_KO)


def read_reported_csv(path: Path, catalog: Catalog) -> dict[str, float]:
    """Reported values from `indicator,value` rows; FileProblems lists every bad row."""
    name = str(path)
    reader = csv_rows(path, ("indicator", "value"), HINT_EN, HINT_KO)
    out: dict[str, float] = {}
    first_row: dict[str, int] = {}
    problems: list[Problem] = []
    for rowno, row in enumerate(reader, start=2):
        number = (row.get("indicator") or "").strip()
        raw = (row.get("value") or "").strip()
        if not number and not raw:
            continue
        if catalog.get(number) is None:
            problems.append(
                _problem(
                    name,
                    rowno,
                    "indicator",
                    f"unknown indicator {number!r} in {catalog.key}",
                    f"{catalog.key}에 없는 지표 {number!r}",
                )
            )
            continue
        if number in first_row:
            problems.append(
                _problem(
                    name,
                    rowno,
                    "indicator",
                    f"{number} is given twice (first on row {first_row[number]})",
                    f"{number} 값이 두 번 있습니다 (처음: {first_row[number]}행)",
                )
            )
            continue
        first_row[number] = rowno
        if not raw:
            problems.append(_problem(name, rowno, "value", "value is empty", "값이 비어 있습니다"))
            continue
        try:
            value = parse_number(raw)
        except NumberError:
            problems.append(
                _problem(
                    name,
                    rowno,
                    "value",
                    f"value {raw!r} is not a number",
                    f"값 {raw!r}은(는) 숫자가 아닙니다",
                )
            )
            continue
        if not math.isfinite(value):
            problems.append(
                _problem(
                    name,
                    rowno,
                    "value",
                    f"value {raw!r} is not finite",
                    f"값 {raw!r}은(는) 유한한 숫자가 아닙니다",
                )
            )
            continue
        out[number] = value
    if problems:
        raise FileProblems(problems)
    return out
