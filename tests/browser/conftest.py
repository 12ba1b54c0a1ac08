"""Browser tests: headless Debian Chromium (never a downloaded browser) driving a real
`citycert serve` process on a free port, over a temporary SQLite database with the demo data.

Screenshots of each step go to `test-artifacts/screenshots/` (not committed).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
CLI = [sys.executable, "-c", "from citycert.cli import main; main()"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"browser tests need Debian's Chromium at {CHROMIUM}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYCERT_")}
    env.update(CITYCERT_ENVIRONMENT="test", XDG_DATA_HOME=str(tmp / "xdg"))
    return env


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Address of a running portal loaded with the demo data."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    tmp = tmp_path_factory.mktemp("portal")
    url = f"sqlite:///{tmp / 'portal.sqlite3'}"
    env = _environment(tmp)
    subprocess.run([*CLI, "demo", "--database-url", url], env=env, check=True,
                   capture_output=True)  # fmt: skip
    port = _free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--database-url", url, "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp / "server.log").read_text())
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@contextmanager
def demo_portal(tmp: Path, prepare: Callable[[str], None] | None = None) -> Iterator[str]:
    """A `citycert serve` process over a fresh demo database in `tmp` (for one test module).

    `prepare(database_url)` runs after `citycert demo` and before the server starts, for data
    a module needs beyond the demo (e.g. a cycle already submitted).
    """
    url = f"sqlite:///{tmp / 'portal.sqlite3'}"
    env = _environment(tmp)
    subprocess.run([*CLI, "demo", "--database-url", url], env=env, check=True,
                   capture_output=True)  # fmt: skip
    if prepare is not None:
        prepare(url)
    port = _free_port()
    with (tmp / "server.log").open("w") as log:
        server = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--database-url", url, "--log-level", "warning"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp / "server.log").read_text())
                time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
