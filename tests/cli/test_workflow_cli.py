"""`citycert workflow`: submit, start, query, answer, decide, status, outstanding, --as."""

from __future__ import annotations

import json

import pytest
from click.testing import Result
from typer.testing import CliRunner

from citycert.cli import app
from citycert.domain.authz import Role
from citycert.services import cities, cycles, users, values
from citycert.services.context import ServiceContext
from citycert.services.values import InputChange
from citycert.store.engine import Database

runner = CliRunner()


def wf(url: str, *args: str) -> Result:
    return runner.invoke(app, ["workflow", *args, "--database-url", url])


@pytest.fixture
def setup(database_url: str) -> tuple[str, int]:
    """A migrated database with Daegu's 2023 cycle holding clean 5.1 figures."""
    assert runner.invoke(app, ["db", "upgrade", "--database-url", database_url]).exit_code == 0
    db = Database.from_url(database_url)
    try:
        ctx = ServiceContext(db=db, actor="test")
        cities.create_city(
            ctx,
            data=cities.parse_create(
                {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구광역시", "country": "KR"}
            ),
        )
        cycle_id = cycles.open_cycle(ctx, city="daegu", catalog="iso37120-2014", year=2023).id
        values.set_inputs(
            ctx,
            cycle_id,
            [
                InputChange("5.1", "unemployed_persons", 48_000),
                InputChange("5.1", "labour_force", 1_200_000),
            ],
        )
        users.add_user(ctx, login="verifier.kim", name="Kim")
        users.grant_role(ctx, login="verifier.kim", role=Role.verifier, cycle_id=cycle_id)
    finally:
        db.dispose()
    return database_url, cycle_id


def test_a_cycle_is_verified_through_the_commands(setup: tuple[str, int]) -> None:
    url, cycle = setup
    c = str(cycle)

    assert "submitted" in wf(url, "submit", "--cycle", c).output
    assert wf(url, "start", "--cycle", c, "--as", "verifier.kim").exit_code == 0
    asked = wf(url, "query", "5.1", "--question", "Source?", "--due", "2030-01-31", "--cycle", c)
    assert asked.exit_code == 0, asked.output
    [item] = json.loads(wf(url, "outstanding", "--cycle", c, "--format", "json").stdout)
    assert (item["kind"], item["waiting_on"], item["due_date"]) == ("query", "city", "2030-01-31")
    assert wf(url, "answer", item["ref"], "--text", "KOSIS survey").exit_code == 0
    decided = wf(url, "decide", "5.1", "accepted", "--cycle", c, "--as", "verifier.kim")
    assert decided.exit_code == 0, decided.output

    status = json.loads(wf(url, "status", "--cycle", c, "--format", "json").stdout)
    assert status == {
        "cycle_id": cycle,
        "state": "in_verification",
        "possible": ["verify", "return"],
        "decisions": {"5.1": "accepted"},
    }


def test_a_verifier_cannot_submit_and_a_bad_step_is_explained(setup: tuple[str, int]) -> None:
    url, cycle = setup

    denied = wf(url, "submit", "--cycle", str(cycle), "--as", "verifier.kim")
    wrong_state = wf(url, "start", "--cycle", str(cycle))
    no_user = wf(url, "status", "--cycle", str(cycle), "--as", "ghost")

    assert denied.exit_code == 2 and "workflow.submit" in denied.output
    assert wrong_state.exit_code == 2 and "draft" in wrong_state.output
    assert "작성 중" in wrong_state.output
    assert no_user.exit_code == 2 and "ghost" in no_user.output
