"""`citycert validate`: check a cycle's figures against the validation rules.

The figures come from files today (`--inputs`, `--reported`); a `--cycle ID` source reading the
store can build the same `ValidationRequest` and reuse the rest of the command.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.table import Table

from citycert.cli.common import Lang, OutputFormat, console, fail, print_json, user_errors
from citycert.domain.calculation import RawInput
from citycert.domain.validation import Finding, ValidationContext, has_errors, validate
from citycert.io.inputs_csv import read_inputs_csv
from citycert.io.numbers import NumberError, parse_number
from citycert.io.problems import FileProblems, Problem
from citycert.io.text_file import csv_rows
from citycert.standards.catalog import Catalog, UnknownCatalogError, get_catalog
from citycert.standards.validation import Severity
from citycert.standards.yaml_loader import StandardsFileError

HELP = (
    "Validate a cycle's figures: ranges, consistency, reported vs computed values.\n\n"
    "Exit code: 0 when no finding is an error (warnings need a written justification but do "
    "not block submission); 1 when at least one error-severity finding blocks submission; "
    "2 for bad input files or options."
)


HINT_EN = "the file needs the columns indicator,value with one row per indicator"
HINT_KO = "파일에는 indicator,value 열과 지표당 한 행이 있어야 합니다"


@dataclass(frozen=True)
class ValidationRequest:
    """Everything one validation run looks at, whatever its source (files or the store)."""

    catalog: Catalog
    inputs: dict[str, dict[str, RawInput]]
    reported: dict[str, float] = field(default_factory=dict)
    context: ValidationContext = field(default_factory=ValidationContext)


def _problem(file: str, row: int | None, column: str | None, en: str, ko: str) -> Problem:
    return Problem(
        file=file,
        row=row,
        column=column,
        message_en=en,
        message_ko=ko,
        hint_en=HINT_EN,
        hint_ko=HINT_KO,
    )


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


def _fail_on_problems(exc: FileProblems, lang: Lang) -> None:
    for p in exc.problems:
        msg, hint = (p.message_ko, p.hint_ko) if lang is Lang.ko else (p.message_en, p.hint_en)
        console.print(f"[red]{p.location()}[/]: {msg} — fix: {hint}", highlight=False)
    fail(f"{len(exc.problems)} problem(s) in the input files; nothing was validated")


def request_from_files(
    standard: str, inputs: Path, reported: Path | None, population: float | None, lang: Lang
) -> ValidationRequest:
    """Read the catalogue and the files; exits with code 2 on any problem."""
    with user_errors(UnknownCatalogError):
        cat = get_catalog(standard)
    problems: list[Problem] = []
    raw: dict[str, dict[str, RawInput]] = {}
    rep: dict[str, float] = {}
    try:
        raw = read_inputs_csv(inputs, cat)
    except FileProblems as exc:
        problems.extend(exc.problems)
    if reported is not None:
        try:
            rep = read_reported_csv(reported, cat)
        except FileProblems as exc:
            problems.extend(exc.problems)
    if problems:
        _fail_on_problems(FileProblems(problems), lang)
    return ValidationRequest(cat, raw, rep, ValidationContext(city_population=population))


def _print_table(findings: list[Finding], lang: Lang) -> None:
    if not findings:
        console.print("[green]no findings[/]")
        return
    table = Table("indicator", "severity")
    table.add_column("rule", overflow="fold")
    table.add_column("message", ratio=3)
    table.add_column("fix", ratio=2)
    for f in findings:
        colour = "red" if f.severity is Severity.error else "yellow"
        table.add_row(
            f.indicator,
            f"[{colour}]{f.severity.value}[/]",
            f.rule,
            f.message.get(lang.value),
            f.hint.get(lang.value),
        )
    console.print(table)
    errors = sum(1 for f in findings if f.severity is Severity.error)
    console.print(f"{errors} error(s), {len(findings) - errors} warning(s)")


def register(app: typer.Typer) -> None:
    @app.command("validate", help=HELP)
    def validate_command(
        standard: str = typer.Option(..., "--standard", help="Catalogue key, e.g. iso37120-2014."),
        inputs: Path = typer.Option(
            ..., "--inputs", help="Raw inputs CSV: indicator,input,value[,unit]."
        ),
        reported: Path | None = typer.Option(
            None, "--reported", help="Reported values CSV: indicator,value."
        ),
        population: float | None = typer.Option(
            None, "--population", min=1, help="The city's registered population (persons)."
        ),
        format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
        lang: Lang = typer.Option(Lang.en, "--lang"),
    ) -> None:
        request = request_from_files(standard, inputs, reported, population, lang)
        with user_errors(StandardsFileError):
            findings = validate(
                request.catalog, request.inputs, reported=request.reported, context=request.context
            )
        if format is OutputFormat.json:
            print_json([f.as_dict() for f in findings])
        else:
            _print_table(findings, lang)
        raise typer.Exit(1 if has_errors(findings) else 0)
