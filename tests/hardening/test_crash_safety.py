"""Crash safety: a command killed (SIGKILL) inside its write transaction leaves all or nothing.

A real `citycert` process (tests/hardening/cli_with_write_marker.py: the command line plus a
marker line on stdout after each write to a watched table) runs a large exchange-CSV import
into a file-backed SQLite database, or into PostgreSQL when CITYCERT_TEST_POSTGRES_URL is set.
Once it has saved its first batch of figures (thousands of rows, dozens of cycles), it is
killed without warning, inside its transaction. The database must then hold exactly the
state from before the import, the audit chain must verify (and SQLite's integrity check
pass), and the same import must then succeed in full. Issuing a certificate, killed after
its certificate row is written, leaves the cycle verified and no certificate number used. A
restore killed half-way leaves its target empty, so the same restore can simply be run again.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from citycert.cli import app
from citycert.services import certificates, cities, cycles, values
from citycert.services.certificates import Status
from citycert.services.context import ServiceContext
from citycert.services.values import InputChange
from citycert.store import migrate
from citycert.store.engine import Database
from citycert.store.models import CycleState
from tests.hardening.cli_with_write_marker import HOLD_ENV, MARKER, WATCH_ENV
from tests.hardening.databases import row_counts, table_rows
from tests.hardening.large_import import inputs_per_cycle, write_large_import
from tests.support.certification_world import make_city, verified_cycle

ROOT = Path(__file__).parents[2]
CLI = [sys.executable, "-m", "tests.hardening.cli_with_write_marker"]
ISSUE = [sys.executable, "-m", "tests.hardening.issue_certificate"]
# Twelve cities over four years: 48 cycles of every ISO 37120:2018 input (11,568 rows), saved
# set-based in batches of 5,000 (`services.bulk`): a few seconds on two cores. The kill comes
# after the first batch is in, while two more batches and the recomputation are to come.
CITIES, YEARS = 12, (2020, 2021, 2022, 2023)
KILL_AFTER_BATCHES = 1
MARKER_TIMEOUT_S = 40


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _lines(stream: IO[str], out: queue.Queue[str | None]) -> None:
    for line in stream:
        out.put(line.rstrip("\n"))
    out.put(None)


def kill_after_writes(command: list[str], *, writes: int, watch: str, log: Path) -> None:
    """Run `command` (a helper of this folder) and SIGKILL it right after its `writes`-th write
    on `watch` (`table:VERB`), where the helper holds its transaction open. Fails when the
    command ends, or stalls, before that."""
    env = {**os.environ, WATCH_ENV: watch, HOLD_ENV: str(writes)}
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=ROOT
        )
    assert proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    seen, deadline = 0, time.monotonic() + MARKER_TIMEOUT_S
    try:
        while seen < writes:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                proc.wait()
                pytest.fail(
                    f"the command ended (exit {proc.returncode}) after {seen} writes, before "
                    f"the kill:\n{log.read_text(encoding='utf-8')}"
                )
            seen += line.startswith(MARKER)
        still_running = proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)
    except queue.Empty:
        proc.kill()
        pytest.fail(f"no {writes} writes within {MARKER_TIMEOUT_S} s (saw {seen})")
    finally:
        proc.wait()
        proc.stdout.close()
    assert still_running, "the command finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL


def _seed(db: Database) -> None:
    """Data from before the import, with its audit entries: what `nothing` must leave."""
    ctx = ServiceContext(db=db, actor="admin@kcert")
    cities.create_city(
        ctx, data=cities.parse_create({"slug": "daegu", "name_en": "Daegu", "name_ko": "대구광역시",
                                       "country": "KR"})
    )  # fmt: skip
    cycle = cycles.open_cycle(ctx, city="daegu", catalog="iso37120-2018", year=2022)
    values.set_inputs(
        ctx, cycle.id, [InputChange("5.1", "unemployed_persons", 52_000),
                        InputChange("5.1", "labour_force", 1_215_000)]
    )  # fmt: skip


def _assert_sound(db: Database, url: str) -> None:
    verified = cli("audit", "verify", "--database-url", url)
    assert verified.exit_code == 0, verified.output
    if db.dialect == "sqlite":
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_an_import_killed_inside_its_transaction_leaves_nothing_and_then_succeeds(
    database_url: str, tmp_path: Path
) -> None:
    migrate.upgrade(database_url)
    db = Database.from_url(database_url)
    try:
        _seed(db)
        before = table_rows(db)
        big = tmp_path / "large-import.csv"
        rows = write_large_import(big, cities=CITIES, years=YEARS)
        assert rows == CITIES * len(YEARS) * inputs_per_cycle()

        kill_after_writes(
            [*CLI, "import", str(big), "--database-url", database_url],
            writes=KILL_AFTER_BATCHES, watch="input_value:INSERT", log=tmp_path / "import.log",
        )  # fmt: skip

        # Killed before its commit: nothing of the import (cities, cycles, figures, values,
        # audit entries) may remain, and everything from before must.
        assert table_rows(db) == before
        _assert_sound(db, database_url)

        again = cli("import", str(big), "--database-url", database_url)

        assert again.exit_code == 0, again.output
        assert f"changed {rows} new" in again.output
        final = table_rows(db)
        assert len(final["input_value"]) == len(before["input_value"]) + rows
        assert len(final["city"]) == len(before["city"]) + CITIES
        _assert_sound(db, database_url)
    finally:
        db.dispose()


def test_a_restore_killed_mid_transaction_leaves_an_empty_database_that_a_new_restore_fills(
    database_url: str, tmp_path: Path
) -> None:
    source = Database.from_url(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    target = Database.from_url(database_url)
    try:
        migrate.upgrade(source)
        _seed(source)
        big = tmp_path / "large-import.csv"
        write_large_import(big, cities=CITIES, years=YEARS[:2])
        assert cli("import", str(big), "--database-url", source.url).exit_code == 0
        archive = tmp_path / "large.ccbak"
        assert cli("backup", "-o", str(archive), "--database-url", source.url).exit_code == 0
        expected = table_rows(source)

        # Rows go in 1,000 at a time: killed after 3 of the 6 batches of figures.
        kill_after_writes(
            [*CLI, "restore", str(archive), "--database-url", database_url],
            writes=3, watch="input_value:INSERT", log=tmp_path / "restore.log",
        )  # fmt: skip

        assert set(row_counts(target).values()) == {0}  # migrated, and not one row
        _assert_sound(target, database_url)

        again = cli("restore", str(archive), "--database-url", database_url)

        assert again.exit_code == 0, again.output
        restored = table_rows(target)
        assert restored["input_value"] == expected["input_value"]
        assert restored["audit_log"][:-1] == expected["audit_log"]
        _assert_sound(target, database_url)
    finally:
        source.dispose()
        target.dispose()


def test_a_certification_killed_mid_transaction_leaves_the_cycle_verified_and_can_be_redone(
    database_url: str, tmp_path: Path
) -> None:
    migrate.upgrade(database_url)
    db = Database.from_url(database_url)
    try:
        admin = ServiceContext(db=db, actor="admin@kcert")
        make_city(admin)
        cycle_id = verified_cycle(admin, year=2023, report=35, accept=35)
        before = table_rows(db)

        # The certificate row is the last write before the commit.
        kill_after_writes(
            [*ISSUE, database_url, str(cycle_id)],
            writes=1, watch="certificate:INSERT", log=tmp_path / "issue.log",
        )  # fmt: skip

        assert table_rows(db) == before
        assert cycles.get_cycle(admin, cycle_id=cycle_id).state is CycleState.verified
        _assert_sound(db, database_url)

        cert = certificates.issue(admin, cycle_id=cycle_id)

        assert cert.public_id.endswith("-0001")  # the killed attempt used up no number
        assert certificates.verify(admin, public_id=cert.public_id).status is Status.valid
        assert cycles.get_cycle(admin, cycle_id=cycle_id).state is CycleState.certified
        _assert_sound(db, database_url)
    finally:
        db.dispose()
