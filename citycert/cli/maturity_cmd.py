"""`citycert maturity ...`: score an ISO 37106 maturity self-assessment or audit result."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.table import Table

from citycert.cli.common import (
    Lang,
    OutputFormat,
    console,
    fail,
    print_json,
    print_problems,
    user_errors,
)
from citycert.domain.maturity import MaturityScore, check_levels, score
from citycert.io.numbers import NumberError, clean_text, parse_number
from citycert.io.problems import FileProblems, Problem, problem_maker
from citycert.io.text_file import csv_rows
from citycert.standards.maturity import MaturityModel, get_maturity_model, load_maturity_model
from citycert.standards.yaml_loader import StandardsFileError

app = typer.Typer(help="ISO 37106 maturity assessment.", no_args_is_help=True)

HINT_EN = "the file needs the columns item,level with one row per item, levels 1 to 5"
HINT_KO = "파일에는 item,level 열과 항목당 한 행이 있어야 하며, 수준은 1~5입니다"


_problem = problem_maker(HINT_EN, HINT_KO)


def read_levels_csv(path: Path, model: MaturityModel) -> dict[str, int]:
    """Item levels from `item,level` rows; FileProblems names every bad row and column.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    name = str(path)
    reader = csv_rows(path, ("item", "level"), HINT_EN, HINT_KO)
    levels: dict[str, object] = {}
    rows: dict[str, int] = {}
    problems = []
    for rowno, row in enumerate(reader, start=2):
        item = clean_text(row.get("item") or "").upper()
        raw = clean_text(row.get("level") or "")
        if not item and not raw:
            continue
        if not item:
            problems.append(
                _problem(name, rowno, "item", "the item is empty", "항목이 비어 있습니다")
            )
            continue
        if item in rows:
            problems.append(
                _problem(
                    name,
                    rowno,
                    "item",
                    f"item {item} is given twice (first on row {rows[item]})",
                    f"{item} 항목이 두 번 있습니다 (처음: {rows[item]}행)",
                )
            )
            continue
        rows[item] = rowno
        levels[item] = _level_value(raw)
    # The model's own check names unknown items, bad levels and missing items; add the rows.
    for found in check_levels(model, levels):
        at_row = rows.get(found.item or "")
        column = "item" if found.code == "unknown_item" else "level" if at_row else None
        problems.append(_problem(name, at_row, column, found.en, found.ko))
    if problems:
        raise FileProblems(sorted(problems, key=lambda p: (p.row is None, p.row or 0)))
    return {k: v for k, v in levels.items() if isinstance(v, int)}  # all whole numbers now


def _level_value(raw: str) -> object:
    """A whole number where the text is one (`3`, `3.0`); else the text, for the check to name."""
    try:
        value = parse_number(raw)
    except NumberError:
        return raw
    return int(value) if value.is_integer() else value


def _fail_on_problems(problems: list[Problem], lang: Lang) -> NoReturn:
    print_problems(problems, lang)
    if lang is Lang.ko:
        fail(f"입력 파일에 문제 {len(problems)}건이 있어 아무것도 채점하지 않았습니다")
    fail(f"{len(problems)} problem(s) in the input; nothing was scored")


def render_table(result: MaturityScore, model: MaturityModel, lang: Lang) -> None:
    ko = lang is Lang.ko

    def say(en: str, ko_text: str) -> str:
        return ko_text if ko else en

    summary = Table(show_header=False)
    summary.add_row(say("model", "모델"), f"{result.model} ({result.version})")
    summary.add_row(
        say("certifiable", "인증 가능"),
        say("yes", "예") if result.eligible else say("no", "아니오"),
    )
    level = f"{result.level} {result.level_name.get(lang)}" if result.level_name else "-"
    summary.add_row(say("level", "수준"), level)
    summary.add_row(say("mean", "평균"), f"{result.mean:.2f}")
    for area, mean in result.areas.items():
        summary.add_row(f"  {area} {model.areas[area].name.get(lang)}", f"{mean:.2f}")
    console.print(summary)
    headings = (say("blockers", "기준 미달 항목"), say("strengths", "강점 항목"))
    for heading, items in zip(headings, (result.blockers, result.strengths), strict=True):
        if items:
            listed = ", ".join(f"{i.item} {i.name.get(lang)} ({i.level})" for i in items)
            console.print(f"{heading}: {listed}", highlight=False, soft_wrap=True)
    if result.next_level_plan:
        plan = Table(
            say("item", "항목"),
            say("name", "이름"),
            say("from", "현재"),
            say("to", "목표"),
            title=say(
                f"plan for level {result.target_level}", f"{result.target_level}수준 달성 계획"
            ),
        )
        for s in result.next_level_plan:
            plan.add_row(s.item, s.name.get(lang), str(s.from_level), str(s.to_level))
        console.print(plan)
    for note in result.notes:
        console.print(f"- {note.get(lang)}", highlight=False, soft_wrap=True)


@app.command("score")
def score_cmd(
    file: Path = typer.Argument(..., help="CSV with columns item,level (one row per item)."),
    previous: Path | None = typer.Option(None, "--previous", help="Last assessment, same shape."),
    model_file: Path | None = typer.Option(None, "--model", help="Own maturity model YAML."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    lang: Lang = typer.Option(Lang.en, "--lang"),
) -> None:
    """Score item levels: certifiable or not, level, area means, blockers and a plan."""
    with user_errors(StandardsFileError):
        model = load_maturity_model(model_file) if model_file else get_maturity_model()
    problems: list[Problem] = []
    read: list[dict[str, int]] = []
    for path in (file, previous):
        if path is None:
            continue
        try:
            read.append(read_levels_csv(path, model))
        except FileProblems as exc:
            problems += exc.problems
    if problems:
        _fail_on_problems(problems, lang)
    result = score(model, read[0], read[1] if previous else None)
    if format is OutputFormat.json:
        print_json(result.as_dict())
        return
    render_table(result, model, lang)
