"""The JSON API against its own OpenAPI document, on a real server, with schemathesis.

A `citycert serve` process on a free loopback port serves a temporary SQLite database holding
the demo data (`citycert demo`: real cities, a certification story, demo logins). For every
documented operation schemathesis generates requests, valid and invalid, and checks that no
answer is a server error and that each matches the document: status code, content type, headers
and body schema. It runs as the public and with an API token of the demo administrator (from
`citycert user token`), who sees the workspace and verifier twins too. The portal has no API
write operations (forms are not part of the API), so every documented operation is a read.

In-suite runs are small (`CITYCERT_SCHEMATHESIS_EXAMPLES`, default 5 per operation). A longer
run against the same kind of server:
    .venv/bin/citycert demo --database-url sqlite:///$PWD/.fuzz/api.sqlite3
    .venv/bin/citycert serve --port 8765 --database-url sqlite:///$PWD/.fuzz/api.sqlite3 &
    .venv/bin/schemathesis run http://127.0.0.1:8765/openapi.json --checks all \
      --max-examples 200 --header "Authorization: Bearer $(.venv/bin/citycert user token \
      admin@citycert --database-url sqlite:///$PWD/.fuzz/api.sqlite3)"
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("CITYCERT_SCHEMATHESIS_EXAMPLES", "5"))
ADMIN = "admin@citycert"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _citycert(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(BIN / "citycert"), *args], capture_output=True, text=True, timeout=600, env=env,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A running portal on the demo data: its base URL and an administrator's API token."""
    folder = tmp_path_factory.mktemp("api")
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CITYCERT_")},
        "CITYCERT_DATABASE_URL": url,
        "CITYCERT_ENVIRONMENT": "test",
        "CITYCERT_SECRET_KEY": "schemathesis-test-secret-key-0123456789abcdef",
    }
    _citycert("demo", env=env)
    token = _citycert("user", "token", ADMIN, "--label", "schemathesis", env=env).strip()
    port = _free_port()
    proc = subprocess.Popen(
        [str(BIN / "citycert"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the portal did not start: {proc.stderr.read().decode()}")
            time.sleep(0.3)
        yield {"base": base, "token": token}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def api_schema(server: dict[str, str]) -> Any:
    return schemathesis.openapi.from_url(f"{server['base']}/openapi.json")


FEW = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def run_every_operation(api_schema: Any, headers: dict[str, str]) -> list[str]:
    """Generate and check cases for every documented operation; returns the operations run."""
    ran = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @FEW
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, timeout=60)

        check()
        ran.append(f"{operation.method.upper()} {operation.path}")
    return ran


def test_public_api_answers_as_documented_and_never_with_a_server_error(api_schema: Any) -> None:
    ran = run_every_operation(api_schema, {})
    assert "GET /cities/{slug}.json" in ran and len(ran) > 15


def test_api_with_an_administrators_token_answers_as_documented(
    api_schema: Any, server: dict[str, str]
) -> None:
    ran = run_every_operation(api_schema, {"Authorization": f"Bearer {server['token']}"})
    assert "GET /workspace.json" in ran


def test_the_document_covers_the_json_twins_and_downloads(server: dict[str, str]) -> None:
    doc = httpx.get(f"{server['base']}/openapi.json").json()
    paths = set(doc["paths"])
    assert {"/cities.json", "/cities/{slug}.json", "/downloads/all/{fmt}"} <= paths
    assert all(set(ops) <= {"get"} for ops in doc["paths"].values()), "no write operations"
    forged = httpx.get(
        f"{server['base']}/workspace.json", headers={"Authorization": "Bearer cct_forged"}
    )
    assert forged.status_code in (401, 403) and forged.json()["error"]["message"]["ko"]
