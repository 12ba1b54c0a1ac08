"""The `citycert` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from citycert.cli import (
    audit_cmd,
    backup_cmd,
    batch_cmd,
    catalog_cmd,
    certificate_cmd,
    certify_cmd,
    compute_cmd,
    db_cmd,
    demo_cmd,
    export_cmd,
    import_cmd,
    maturity_cmd,
    schema_cmd,
    serve_cmd,
    template_cmd,
    user_cmd,
    validate_cmd,
    workflow_cmd,
)

app = typer.Typer(
    name="citycert",
    help="CityCert: smart-city indicators, validation, certification and open data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(schema_cmd.app, name="schema")
app.add_typer(db_cmd.app, name="db")
app.add_typer(audit_cmd.app, name="audit")
compute_cmd.register(app)
demo_cmd.register(app)
export_cmd.register(app)
import_cmd.register(app)
template_cmd.register(app)
validate_cmd.register(app)
certify_cmd.register(app)
serve_cmd.register(app)
app.add_typer(maturity_cmd.app, name="maturity")
certificate_cmd.register_maturity(maturity_cmd.app)
app.add_typer(certificate_cmd.app, name="certificate")
app.add_typer(certificate_cmd.report_app, name="report")
backup_cmd.register(app)
app.add_typer(user_cmd.app, name="user")
app.add_typer(batch_cmd.app, name="batch")
app.add_typer(workflow_cmd.app, name="workflow")


def main() -> None:
    app()
