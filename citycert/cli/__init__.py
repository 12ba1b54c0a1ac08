"""The `citycert` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from citycert.cli import catalog_cmd, compute_cmd, schema_cmd

app = typer.Typer(
    name="citycert",
    help="CityCert: smart-city indicators, validation, certification and open data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(schema_cmd.app, name="schema")
compute_cmd.register(app)


def main() -> None:
    app()
