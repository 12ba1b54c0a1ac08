"""The audit log is a hash chain: every change is recorded, any edit or deletion is detected."""

from __future__ import annotations

import csv
import io
import itertools
import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from citycert.cli import app
from citycert.services import audit, cities, cycles, values
from citycert.services.context import ServiceContext
from citycert.services.values import InputChange
from citycert.store.audit_log import GENESIS_HASH, append, entry_hash
from citycert.store.engine import Database

KEY = "daegu/iso37120-2014/2023"


@pytest.fixture
def activity(ctx: ServiceContext) -> int:
    """A small working session of the Daegu editor: 6 audit entries."""
    cities.create_city(
        ctx,
        data=cities.parse_create(
            {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구광역시", "country": "KR"}
        ),
    )
    cycle = cycles.open_cycle(ctx, city="daegu", catalog="iso37120-2014", year=2023)
    values.set_inputs(
        ctx,
        cycle.id,
        [InputChange("14.2", "homicides", 30), InputChange("14.2", "population", 2_400_000)],
    )
    values.set_inputs(ctx, cycle.id, [InputChange("14.2", "homicides", 31)], reason="police data")
    cities.update_city(ctx, slug="daegu", changes=cities.parse_update({"population": 2_400_000}))
    return 6


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_every_change_is_chained_to_the_one_before(ctx: ServiceContext, activity: int) -> None:
    result = audit.verify(ctx)

    assert (result.ok, result.checked) == (True, activity)
    entries = json.loads(audit.export(ctx, fmt="json"))
    assert result.last_hash == entries[-1]["hash"]
    assert [e["seq"] for e in entries] == list(range(1, activity + 1))
    assert entries[0]["prev_hash"] == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after["prev_hash"] == before["hash"]
    assert {e["actor"] for e in entries} == {"editor@daegu"}
    assert [e["action"] for e in entries] == [
        "city.create",
        "cycle.open",
        "input.set",
        "input.set",
        "input.set",
        "city.update",
    ]


def test_editing_one_entry_with_sql_breaks_the_chain_at_that_entry(
    ctx: ServiceContext, activity: int
) -> None:
    with ctx.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_log SET new = :new WHERE seq = 4"),
            {"new": json.dumps({"value": 3.0})},
        )

    result = audit.verify(ctx)

    assert not result.ok
    assert (result.first_broken_seq, result.checked) == (4, 3)
    assert result.action == "input.set"
    assert result.entity_key == f"{KEY}/14.2/population"
    assert result.reason is not None and "changed" in result.reason


def test_deleting_an_entry_is_detected_at_the_gap(ctx: ServiceContext, activity: int) -> None:
    with ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))

    result = audit.verify(ctx)

    assert (result.ok, result.first_broken_seq) == (False, 3)
    assert result.reason is not None and "missing" in result.reason


def test_cli_verify_exits_1_and_names_the_broken_entry(ctx: ServiceContext, activity: int) -> None:
    url = ctx.db.url
    code, out = run_cli("audit", "verify", "--database-url", url)
    assert code == 0, out
    assert f"{activity} entries verified" in out
    with ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 5"))

    code, out = run_cli("audit", "verify", "--database-url", url)

    assert code == 1
    assert "seq 5" in out
    assert "input.set" in out
    assert f"{KEY}/14.2/homicides" in out


def test_history_of_a_value_lists_its_changes_oldest_first(
    ctx: ServiceContext, activity: int
) -> None:
    entries = audit.history(ctx, entity_key_prefix=f"{KEY}/14.2/homicides")

    assert [(e.old and e.old["value"], e.new["value"], e.reason) for e in entries] == [
        (None, 30.0, None),
        (30.0, 31.0, "police data"),
    ]
    assert len(audit.history(ctx, entity_key_prefix=f"{KEY}/14.2")) == 3
    assert len(audit.history(ctx, entity_key_prefix="daegu")) == activity


def test_history_prefix_matches_whole_key_segments_only(db: Database) -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    with db.transaction() as s:
        for key in (f"{KEY}/5.1/labour_force", f"{KEY}/5.10/x", f"{KEY}/5_1/y"):
            append(s, at=at, actor="t", action="input.set", entity="input_value", entity_key=key)
    ctx = ServiceContext(db=db, actor="reader")

    found = [e.entity_key for e in audit.history(ctx, entity_key_prefix=f"{KEY}/5.1")]

    assert found == [f"{KEY}/5.1/labour_force"]


def test_export_csv_and_json_hold_the_same_entries_with_their_hashes(
    ctx: ServiceContext, activity: int, tmp_path: Path
) -> None:
    as_json = json.loads(audit.export(ctx, fmt="json"))
    as_csv = list(csv.DictReader(io.StringIO(audit.export(ctx, fmt="csv"))))

    assert len(as_json) == len(as_csv) == activity
    assert [r["hash"] for r in as_csv] == [e["hash"] for e in as_json]
    # A reader can recompute each hash from the exported fields alone.
    for e in as_json:
        fields = {k: v for k, v in e.items() if k != "hash"}
        fields["at"] = datetime.fromisoformat(fields["at"])
        assert entry_hash(**fields) == e["hash"]


def test_cli_export_writes_the_file(ctx: ServiceContext, activity: int, tmp_path: Path) -> None:

    target = tmp_path / "audit.json"

    code, out = run_cli(
        "audit", "export", "--format", "json", "-o", str(target), "--database-url", ctx.db.url
    )

    assert code == 0, out
    assert len(json.loads(target.read_text(encoding="utf-8"))) == activity


@pytest.mark.postgres
def test_concurrent_appends_never_fork_the_chain(db: Database) -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with db.transaction() as s:
                    append(
                        s, at=at, actor=f"w{n}", action="test", entity="t", entity_key=f"k/{n}/{i}"
                    )
        except BaseException as exc:  # report in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    result = audit.verify(ServiceContext(db=db, actor="reader"))
    assert (result.ok, result.checked) == (True, 40)


def test_cli_history_shows_a_values_changes(ctx: ServiceContext, activity: int) -> None:
    url = ctx.db.url

    code, out = run_cli("audit", "history", f"{KEY}/14.2/homicides", "--format", "json",
                        "--database-url", url)  # fmt: skip
    table_code, table = run_cli("audit", "history", f"{KEY}/14.2", "--database-url", url)

    assert code == 0, out
    assert [(e["actor"], e["new"]["value"]) for e in json.loads(out)] == [
        ("editor@daegu", 30.0),
        ("editor@daegu", 31.0),
    ]
    assert table_code == 0 and "police" in table and "input.set" in table
