"""Run the `citycert` command line, announcing on stdout each write to a watched table.

For crash tests: `python -m tests.hardening.cli_with_write_marker import big.csv --database-url
URL` (from the repository root) runs exactly `citycert import big.csv --database-url URL`, and
after every watched write statement has executed prints `CITYCERT-TEST-WROTE <table> <VERB>`
and flushes. CITYCERT_TEST_WATCH names what to watch, comma-separated: `table` (any INSERT,
UPDATE or DELETE on it) or `table:VERB` (e.g. `input_value:INSERT`). With
CITYCERT_TEST_HOLD_AFTER=N the process stops after announcing the N-th watched write, holding
its transaction open until it is killed: a test waits for that line and kills it there, inside
the transaction, however fast the command or slow the machine. The hook is an SQLAlchemy event
listener installed by this helper only: CityCert itself has no test hooks.
"""

from __future__ import annotations

import os
import re
import sys
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

MARKER = "CITYCERT-TEST-WROTE"
WATCH_ENV = "CITYCERT_TEST_WATCH"
HOLD_ENV = "CITYCERT_TEST_HOLD_AFTER"
HOLD_S = 600  # longer than any test waits: the test kills the process long before
_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _watched(spec: str) -> set[tuple[str, str | None]]:
    out: set[tuple[str, str | None]] = set()
    for item in filter(None, (p.strip() for p in spec.split(","))):
        table, _, verb = item.partition(":")
        out.add((table.lower(), verb.upper() or None))
    return out


def install(watched: set[tuple[str, str | None]], hold_after: int | None = None) -> None:
    """Announce every watched write (any engine); stop after the `hold_after`-th one."""
    seen = 0

    @event.listens_for(Engine, "after_cursor_execute")
    def _announce(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool
    ) -> None:
        nonlocal seen
        m = _WRITE.match(statement)
        if m is None:
            return
        table, verb = m.group(2).lower(), m.group(1).split()[0].upper()
        if (table, None) not in watched and (table, verb) not in watched:
            return
        seen += 1
        sys.stdout.write(f"{MARKER} {table} {verb}\n")
        sys.stdout.flush()
        if hold_after is not None and seen >= hold_after:
            time.sleep(HOLD_S)


def install_from_environment() -> None:
    hold = os.environ.get(HOLD_ENV)
    install(_watched(os.environ.get(WATCH_ENV, "input_value")), int(hold) if hold else None)


def main() -> None:
    install_from_environment()
    from citycert.cli import app

    app(args=sys.argv[1:], prog_name="citycert")


if __name__ == "__main__":
    main()
