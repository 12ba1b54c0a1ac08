"""The portal under test: `citycert serve` on a loopback port, its memory, and the load runs.

The server is started as a child process (uvicorn with its worker processes), waited for until
it answers, sampled for memory (its own and its workers' resident sets) and stopped by its
process id at the end. The load comes from `bench.httpload`, a second process.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import rss_mb

HOST = "127.0.0.1"
START_TIMEOUT_S = 300
STOP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Direct child process ids of `pid` (uvicorn's workers)."""
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            out.extend(int(x) for x in text)
    except OSError:
        pass
    return out


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds, total RSS MiB)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory of the server and its workers together, in MiB."""
        pids = [self.proc.pid, *_children(self.proc.pid)]
        return round(sum(rss_mb(p) or 0.0 for p in pids), 1)

    def workers(self) -> int:
        return len(_children(self.proc.pid))


def _get(port: int, path: str) -> int:
    with socket.create_connection((HOST, port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        head = s.recv(64).decode("latin-1")
    return int(head.split(" ", 2)[1]) if head.startswith("HTTP/") else 0


@contextmanager
def serve(url: str, workers: int = 2, ready_path: str = "/index.json") -> Iterator[Server]:
    """`citycert serve --workers N` on a free loopback port until the block ends."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="citycert_bench_server_", suffix=".log")[1])
    env = {**os.environ, "CITYCERT_ENVIRONMENT": "development",
           "CITYCERT_SECRET_KEY": secrets.token_urlsafe(48)}  # fmt: skip
    cmd = [sys.executable, "-c", "from citycert.cli import main; main()", "serve", "--host", HOST,
           "--port", str(port), "--workers", str(workers), "--log-level", "warning",
           "--database-url", url]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    server = Server(proc, port, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
            try:
                # One process serves by itself; several are children of a supervisor.
                wanted = workers if workers > 1 else 0
                if _get(port, ready_path) == 200 and server.workers() >= wanted:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {START_TIMEOUT_S} s")
            time.sleep(0.5)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # uvicorn stops its own workers
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.unlink(missing_ok=True)


def drive(
    spec: dict[str, Any], server: Server | None = None, sample_every_s: float = 0
) -> dict[str, Any]:
    """Run `bench.httpload` with `spec` in its own process; its summary (and server RSS samples
    every `sample_every_s` seconds while it runs, when asked)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
        spec_path = fh.name
    cmd = [sys.executable, "-m", "bench.httpload", spec_path]
    limit = float(spec["duration_s"]) + 120
    start = time.monotonic()
    try:
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True,
                                    cwd=Path(__file__).parents[1])  # fmt: skip
            while proc.poll() is None:
                if server is not None and sample_every_s:
                    server.samples.append((round(time.monotonic() - start, 1), server.rss_mb()))
                    time.sleep(sample_every_s)
                else:
                    time.sleep(0.2)
                if time.monotonic() - start > limit:
                    proc.kill()
                    proc.wait()
                    raise RuntimeError("the load generator overran its time limit; stopped")
            out.seek(0)
            err.seek(0)
            text, problems = out.read(), err.read()
        if proc.returncode != 0:
            raise RuntimeError(f"load generator failed: {problems[-2000:]}")
        return dict(json.loads(text))
    finally:
        os.unlink(spec_path)


def slope_mb_per_min(samples: list[tuple[float, float]], skip_s: float = 0) -> float | None:
    """Least-squares slope of RSS over time (MiB per minute), after the first `skip_s` s."""
    pts = [(t, m) for t, m in samples if t >= skip_s]
    if len(pts) < 3:
        return None
    n = len(pts)
    mt = sum(t for t, _ in pts) / n
    mm = sum(m for _, m in pts) / n
    var = sum((t - mt) ** 2 for t, _ in pts)
    if var == 0:
        return None
    return round(sum((t - mt) * (m - mm) for t, m in pts) / var * 60, 3)
