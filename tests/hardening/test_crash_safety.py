"""Crash safety: a command killed (SIGKILL) inside its write transaction leaves all or nothing.

A real `citycert` process (tests/hardening/cli_with_write_marker.py: the command line plus a
marker line on stdout after each write to a watched table) runs a large exchange-CSV import
into a file-backed SQLite database, or into PostgreSQL when CITYCERT_TEST_POSTGRES_URL is set.
Once it has written a whole reporting cycle and more, it is killed without warning. The
database must then hold the state from before the import (or, had the commit won the race,
all of it), the audit chain must verify, and the same import must then succeed. A restore
killed half-way leaves its target empty, so the same restore can simply be run again.
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
from citycert.services import cities, cycles, values
from citycert.services.context import ServiceContext
from citycert.services.values import InputChange
from citycert.store import migrate
from citycert.store.engine import Database
from tests.hardening.cli_with_write_marker import MARKER, WATCH_ENV
from tests.hardening.databases import row_counts, table_rows
from tests.hardening.large_import import inputs_per_cycle, write_large_import

HELPER = Path(__file__).with_name("cli_with_write_marker.py")
# Twelve cities over six years: 72 cycles of every ISO 37120:2018 input (17,352 rows), saved
# set-based in batches of 5,000 (`services.bulk`): a few seconds on two cores. The kill comes
# after the second batch is in, while two more batches and the recomputation are to come.
CITIES, YEARS = 12, (2018, 2019, 2020, 2021, 2022, 2023)
KILL_AFTER_BATCHES = 2
MARKER_TIMEOUT_S = 40


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _lines(stream: IO[str], out: queue.Queue[str | None]) -> None:
    for line in stream:
        out.put(line.rstrip("\n"))
    out.put(None)


def kill_after_writes(
    args: list[str], *, writes: int, watch: str, log: Path, verb: str = "INSERT"
) -> tuple[int, subprocess.Popen[str]]:
    """Run the command line with `args`; SIGKILL it once it has run `writes` statements `verb`
    on the `watch` table(s). Fails when the command ends (or stalls) before that."""
    env = {**os.environ, WATCH_ENV: watch}
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [sys.executable, str(HELPER), *args],
            stdout=subprocess.PIPE, stderr=err, text=True, env=env,
        )  # fmt: skip
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
            seen += line.startswith(MARKER) and line.endswith(f" {verb}")
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
    return seen, proc


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


def test_an_import_killed_mid_transaction_leaves_all_or_nothing_and_then_succeeds(
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

        seen, _ = kill_after_writes(
            ["import", str(big), "--database-url", database_url],
            writes=KILL_AFTER_BATCHES, watch="input_value", log=tmp_path / "import.log",
        )  # fmt: skip

        after = table_rows(db)
        everything = len(after["input_value"]) == len(before["input_value"]) + rows
        assert seen >= KILL_AFTER_BATCHES
        assert after == before or everything, {n: len(r) for n, r in after.items()}
        _assert_sound(db, database_url)

        again = cli("import", str(big), "--database-url", database_url)

        assert again.exit_code == 0, again.output
        assert f"changed {0 if everything else rows} new" in again.output
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
        write_large_import(big, cities=CITIES, years=YEARS[:3])
        assert cli("import", str(big), "--database-url", source.url).exit_code == 0
        archive = tmp_path / "large.ccbak"
        assert cli("backup", "-o", str(archive), "--database-url", source.url).exit_code == 0
        expected = table_rows(source)

        # Rows go in 1,000 at a time: killed after 3 of the ~9 input batches.
        kill_after_writes(
            ["restore", str(archive), "--database-url", database_url],
            writes=3, watch="input_value", log=tmp_path / "restore.log",
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
