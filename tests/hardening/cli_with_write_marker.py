"""Run the `citycert` command line, announcing on stdout each write to a watched table.

For crash tests: `python tests/hardening/cli_with_write_marker.py import big.csv --database-url
URL` runs exactly `citycert import big.csv --database-url URL`, and after every INSERT, UPDATE
or DELETE on a table named in CITYCERT_TEST_WATCH (comma-separated, default `input_value`) has
executed, prints `CITYCERT-TEST-WROTE <table> <INSERT|UPDATE|DELETE>` and flushes. A test
waits for such lines, which prove the command is inside its write transaction, then kills
it. With CITYCERT_TEST_PAUSE_S set, the process then sleeps that long before going on, so a
kill after a marker lands inside a transaction that would otherwise end within milliseconds.
The hook is an SQLAlchemy event listener installed by this helper only: CityCert itself has
no test hooks.
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
PAUSE_ENV = "CITYCERT_TEST_PAUSE_S"
_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _watched() -> set[str]:
    return {t.strip() for t in os.environ.get(WATCH_ENV, "input_value").split(",") if t.strip()}


def install(watched: set[str], pause_s: float = 0.0) -> None:
    """Print the marker after every write statement on a watched table (any engine)."""

    @event.listens_for(Engine, "after_cursor_execute")
    def _announce(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool
    ) -> None:
        m = _WRITE.match(statement)
        if m and m.group(2).lower() in watched:
            verb = m.group(1).split()[0].upper()
            sys.stdout.write(f"{MARKER} {m.group(2).lower()} {verb}\n")
            sys.stdout.flush()
            if pause_s:
                time.sleep(pause_s)


def install_from_environment() -> None:
    install(_watched(), float(os.environ.get(PAUSE_ENV) or 0))


def main() -> None:
    install_from_environment()
    from citycert.cli import app

    app(args=sys.argv[1:], prog_name="citycert")


if __name__ == "__main__":
    main()
