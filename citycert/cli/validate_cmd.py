"""`citycert validate`: check a cycle's figures against the validation rules.

The figures come from files today (`--inputs`, `--reported`); a `--cycle ID` source reading the
store can build the same `ValidationRequest` and reuse the rest of the command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.table import Table

from citycert.cli.common import Lang, OutputFormat, console, fail, print_json, user_errors
from citycert.domain.calculation import RawInput
from citycert.domain.validation import Finding, ValidationContext, has_errors, validate
from citycert.io.inputs_csv import read_inputs_csv
from citycert.io.problems import FileProblems, Problem
from citycert.io.reported_csv import read_reported_csv
from citycert.standards.catalog import Catalog, UnknownCatalogError, get_catalog
from citycert.standards.validation import Severity
from citycert.standards.yaml_loader import StandardsFileError

HELP = (
    "Validate a cycle's figures: ranges, consistency, reported vs computed values.\n\n"
    "Exit code: 0 when no finding is an error (warnings need a written justification but do "
    "not block submission); 1 when at least one error-severity finding blocks submission; "
    "2 for bad input files or options."
)


@dataclass(frozen=True)
class ValidationRequest:
    """Everything one validation run looks at, whatever its source (files or the store)."""

    catalog: Catalog
    inputs: dict[str, dict[str, RawInput]]
    reported: dict[str, float] = field(default_factory=dict)
    context: ValidationContext = field(default_factory=ValidationContext)


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
