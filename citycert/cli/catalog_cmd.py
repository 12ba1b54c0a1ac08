"""`citycert catalog ...`: browse and export the indicator catalogues."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from citycert.cli.common import Lang, console, fail, user_errors
from citycert.io.catalog_export import ExportFormat, catalog_records, write_catalog_export
from citycert.standards.catalog import (
    UnknownCatalogError,
    all_catalogs,
    find_indicator,
    get_catalog,
)
from citycert.standards.yaml_loader import StandardsFileError

app = typer.Typer(help="Browse and export the indicator catalogues.", no_args_is_help=True)


@app.command("list")
def list_(
    standard: str | None = typer.Option(
        None, "--standard", help="Catalogue key, e.g. iso37120-2018."
    ),
    theme: int | None = typer.Option(None, "--theme", help="Theme number, e.g. 5."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of names."),
) -> None:
    """List indicators (all catalogues, or one standard / theme)."""
    with user_errors(UnknownCatalogError, StandardsFileError):
        cats = [get_catalog(standard)] if standard else list(all_catalogs().values())
    table = Table()
    table.add_column("key", no_wrap=True)
    for column in ("type", "theme", "name", "unit", "conf."):
        table.add_column(column)
    shown = 0
    for cat in cats:
        for ind in cat.indicators:
            if theme is not None and ind.theme != theme:
                continue
            table.add_row(
                cat.indicator_key(ind),
                ind.type.value,
                cat.theme(ind.theme).name.get(lang),
                ind.name.get(lang),
                ind.unit,
                ind.confidence.value,
            )
            shown += 1
    if not shown:
        fail(f"no indicators match (standard={standard}, theme={theme})")
    console.print(table)
    console.print(f"{shown} indicators")


@app.command("show")
def show(
    key: str = typer.Argument(..., help="Indicator key, e.g. iso37120-2018:5.1."),
    lang: Lang = typer.Option(Lang.en, "--lang"),
) -> None:
    """Show one indicator: names, unit, formula, inputs, source and confidence."""
    with user_errors(UnknownCatalogError):
        cat, ind = find_indicator(key)
    rec = next(r for r in catalog_records(cat) if r["number"] == ind.number)
    table = Table(show_header=False)
    label = {"en": "name", "ko": "이름"}[lang.value]
    table.add_row("key", str(rec["key"]))
    table.add_row(label, ind.name.get(lang))
    table.add_row("theme" if lang == Lang.en else "주제", cat.theme(ind.theme).name.get(lang))
    table.add_row("type" if lang == Lang.en else "유형", ind.type.value)
    table.add_row("unit" if lang == Lang.en else "단위", ind.unit)
    if ind.formula is not None:
        table.add_row("formula" if lang == Lang.en else "산식", str(rec["formula"]))
        for inp in ind.formula.inputs:
            table.add_row(f"  {inp.role.value}", f"{inp.name} [{inp.unit}] {inp.label.get(lang)}")
    table.add_row("direction" if lang == Lang.en else "방향", ind.direction.value)
    table.add_row("SDG", ", ".join(ind.sdg) or "-")
    table.add_row("source" if lang == Lang.en else "출처", ind.source)
    table.add_row("confidence" if lang == Lang.en else "신뢰도", ind.confidence.value)
    console.print(table)


@app.command("export")
def export(
    format: ExportFormat = typer.Option(ExportFormat.json, "--format"),
    standard: str | None = typer.Option(None, "--standard"),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write (default: stdout)."
    ),
) -> None:
    """Export catalogues as JSON (a list of indicator objects) or CSV."""
    with user_errors(UnknownCatalogError):
        cats = [get_catalog(standard)] if standard else list(all_catalogs().values())
    text = write_catalog_export(cats, format)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
