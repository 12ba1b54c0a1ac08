"""`citycert serve`: refuses an unmigrated database; several worker processes share one database;
`citycert demo --serve` names who can sign in."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from citycert.cli import app as cli
from citycert.cli.serve_cmd import demo_logins
from citycert.store.engine import Database

CLI = [sys.executable, "-c", "from citycert.cli import main; main()"]


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = CliRunner().invoke(cli, ["serve", "--database-url", url, "--port", "1"])
    assert result.exit_code == 2
    assert "citycert db upgrade" in result.output


def test_demo_logins_name_the_accounts_that_can_sign_in(sample_db: Database, editor: str) -> None:
    text = demo_logins(sample_db.url)
    assert f"{editor}: city editor (city=daegu)" in text


def test_demo_logins_say_when_there_are_none(sample_db: Database) -> None:
    assert "none yet" in demo_logins(sample_db.url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_worker_processes_serve_one_database(sample_db: Database, tmp_path: Path) -> None:
    if sample_db.dialect != "sqlite":
        return  # the same code path; one backend is enough for a process test
    port = _free_port()
    log = tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYCERT_")}
    with log.open("w") as out:
        server = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", "2",
             "--database-url", sample_db.url],
            env={**env, "CITYCERT_ENVIRONMENT": "test"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while len(set(re.findall(r"Started server process \[(\d+)\]", log.read_text()))) < 2:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
            statuses = []
            for _ in range(20):
                try:
                    statuses.append(httpx.get(base + "/cities/daegu.json", timeout=10).status_code)
                except httpx.HTTPError:
                    time.sleep(0.3)
            assert statuses and set(statuses) == {200}
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert "CityCert portal" in log.read_text()
