"""`citycert compute`: indicator values from a raw-input CSV file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from citycert.cli.common import Lang, OutputFormat, console, fail, print_json, user_errors
from citycert.domain.calculation import VALUE_STATUSES, compute_catalog
from citycert.io.inputs_csv import read_inputs_csv
from citycert.io.problems import FileProblems
from citycert.standards.catalog import UnknownCatalogError, get_catalog


def fail_on_problems(exc: FileProblems) -> None:
    for p in exc.problems:
        console.print(
            f"[red]{p.location()}[/]: {p.message_en} — fix: {p.hint_en}",
            highlight=False,
            soft_wrap=True,
        )
    fail(f"{len(exc.problems)} problem(s) in the input file; nothing was computed")


def register(app: typer.Typer) -> None:
    @app.command("compute")
    def compute(
        standard: str = typer.Option(..., "--standard", help="Catalogue key, e.g. iso37120-2014."),
        inputs: Path = typer.Option(
            ..., "--inputs", help="CSV with columns indicator,input,value[,unit]."
        ),
        format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
        lang: Lang = typer.Option(Lang.en, "--lang"),
    ) -> None:
        """Compute indicator values from raw inputs."""
        with user_errors(UnknownCatalogError):
            cat = get_catalog(standard)
        try:
            raw = read_inputs_csv(inputs, cat)
        except FileProblems as exc:
            fail_on_problems(exc)
            return
        results = compute_catalog(cat, raw)
        if format is OutputFormat.json:
            print_json([r.as_dict() for r in results])
            return
        table = Table("indicator", "name", "value", "unit", "status", "messages")
        for r in results:
            ind = cat.get(r.number)
            assert ind is not None
            table.add_row(
                r.number,
                ind.name.get(lang),
                f"{r.value:,.2f}" if r.value is not None else "—",
                r.unit,
                ("[green]" if r.status in VALUE_STATUSES else "[red]") + r.status.value,
                "; ".join(getattr(m, lang.value) for m in r.messages),
            )
        console.print(table)
