"""`citycert workflow`: move a reporting cycle through verification from the command line.

Thin commands over `citycert.services.workflow` and `data_quality`. They act as the operator
(every right) unless `--as LOGIN` names a stored user, whose roles then apply.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import typer
from rich.table import Table

from citycert.cli.common import OutputFormat, console, fail, print_json
from citycert.cli.context import open_context
from citycert.cli.db_cmd import database_url_option, say
from citycert.domain.workflow import STATE_KO, Decision
from citycert.services import data_quality, workflow
from citycert.services.context import ServiceContext, ServiceError

app = typer.Typer(help="Verification workflow of a reporting cycle.", no_args_is_help=True)

CYCLE = typer.Option(..., "--cycle", help="Reporting cycle id.")
AS_USER = typer.Option(None, "--as", help="Act as this stored user (with its roles).")


T = TypeVar("T")


def _run(database_url: str | None, login: str | None, call: Callable[[ServiceContext], T]) -> T:
    ctx = open_context(database_url, login)
    try:
        return call(ctx)
    except ServiceError as exc:
        fail(f"{exc.message_en}\n{exc.message_ko}")
    finally:
        ctx.db.dispose()


def _moved(state: object) -> None:
    value = getattr(state, "value", state)
    ko = next((k for s, k in STATE_KO.items() if s.value == value), value)
    say(f"cycle is now {value} (현재 상태: {ko})")


@app.command("status")
def status(
    cycle: int = CYCLE,
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """State, possible next steps and the decision on each indicator."""
    st = _run(database_url, as_user, lambda c: workflow.status(c, cycle_id=cycle))
    if format is OutputFormat.json:
        print_json(
            {
                "cycle_id": st.cycle_id,
                "state": st.state.value,
                "possible": [e.value for e in st.possible],
                "decisions": {k: v.value for k, v in sorted(st.decisions.items())},
            }
        )
        return
    say(f"cycle {st.cycle_id}: {st.state.value} ({STATE_KO[st.state]})")
    say("next: " + (", ".join(e.value for e in st.possible) or "-"))
    for number, decision in sorted(st.decisions.items()):
        say(f"  {number}: {decision.value}")


@app.command("submit")
def submit(
    cycle: int = CYCLE,
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """Submit a draft cycle (no error findings, every warning justified)."""
    _moved(_run(database_url, as_user, lambda c: workflow.submit(c, cycle_id=cycle)))


@app.command("start")
def start(
    cycle: int = CYCLE,
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """Start verifying a submitted cycle."""
    _moved(_run(database_url, as_user, lambda c: workflow.start_verification(c, cycle_id=cycle)))


@app.command("decide")
def decide(
    indicator: str = typer.Argument(...),
    decision: str = typer.Argument(..., help="accepted or rejected (queries: `query`)."),
    reason: str = typer.Option("", "--reason", help="Required for a rejection."),
    cycle: int = CYCLE,
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """Accept or reject one indicator."""
    if decision not in (Decision.accepted.value, Decision.rejected.value):
        fail("decision must be accepted or rejected (accepted 또는 rejected만 가능합니다)")
    _run(
        database_url,
        as_user,
        lambda c: workflow.decide(
            c, cycle_id=cycle, indicator=indicator, decision=Decision(decision), text=reason
        ),
    )
    say(f"{indicator}: {decision}")


@app.command("query")
def query(
    indicator: str = typer.Argument(...),
    question: str = typer.Option(..., "--question"),
    owner: str | None = typer.Option(None, "--owner", help="Login who should answer."),
    due: str | None = typer.Option(None, "--due", help="Due date, YYYY-MM-DD."),
    cycle: int = CYCLE,
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """Ask the city a question about one indicator."""
    try:
        due_date = date.fromisoformat(due) if due else None
    except ValueError:
        fail(f"--due {due!r} is not a date YYYY-MM-DD (날짜 형식이 올바르지 않습니다)")
    _run(
        database_url,
        as_user,
        lambda c: workflow.decide(
            c,
            cycle_id=cycle,
            indicator=indicator,
            decision=Decision.query,
            text=question,
            owner=owner,
            due_date=due_date,
        ),
    )
    say(f"{indicator}: query sent (질의를 보냈습니다)")


@app.command("answer")
def answer(
    query_id: int = typer.Argument(..., help="Query id (see `workflow outstanding`)."),
    text: str = typer.Option(..., "--text"),
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """Answer a verifier's query; the indicator goes back to the verifier."""
    _run(database_url, as_user, lambda c: workflow.answer(c, query_id=query_id, text=text))
    say(f"query {query_id} answered (답변했습니다)")


@app.command("outstanding")
def outstanding(
    cycle: int = CYCLE,
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """What is still to do on the cycle: findings, queries, rejected indicators."""
    items = _run(database_url, as_user, lambda c: data_quality.outstanding(c, cycle_id=cycle))
    if format is OutputFormat.json:
        print_json(
            [
                {
                    "kind": i.kind,
                    "indicator": i.indicator,
                    "ref": i.ref,
                    "status": i.status.value,
                    "waiting_on": i.waiting_on,
                    "owner": i.owner,
                    "due_date": i.due_date.isoformat() if i.due_date else None,
                    "overdue": i.overdue,
                    "message": {"en": i.en, "ko": i.ko},
                }
                for i in items
            ]
        )
        return
    table = Table("kind", "indicator", "ref", "status", "waiting on", "owner", "due", "what")
    for i in items:
        due = (i.due_date.isoformat() + (" !" if i.overdue else "")) if i.due_date else "-"
        table.add_row(
            i.kind, i.indicator, i.ref, i.status.value, i.waiting_on, i.owner or "-", due, i.en
        )
    console.print(table)
