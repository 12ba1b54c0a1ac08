"""A small closed-loop HTTP/1.1 load generator, run as its own process against a loopback server.

    python -m bench.httpload SPEC.json   (prints a JSON summary on stdout)

The spec names the server (`host`, `port`: loopback only), `concurrency` keep-alive connections,
a `duration_s` and a `max_requests` cap (the run stops at whichever comes first, always), and a
weighted `mix` of request kinds: `{"kind", "weight", "method", "paths": [...], "headers": {},
"form": {...}, "round_robin": false}` where a path or form value may contain `{n}` (replaced by
a running number).
Each connection sends one request at a time and waits for the whole answer (Content-Length or
chunked), so latencies are those a client sees. Kept deliberately light (plain asyncio streams)
so the generator itself takes little of the CPU it shares with the server.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sys
import time
from typing import Any
from urllib.parse import urlencode

from bench.common import LOOPBACK, percentile

CONNECT_TIMEOUT_S = 10
REQUEST_TIMEOUT_S = 30


class _Conn:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), CONNECT_TIMEOUT_S
        )

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, int]:
        """Send one request; (status, body bytes). Reopens a connection the server closed."""
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        size = 0
        if "content-length" in headers:
            size = int(headers["content-length"])
            await self.reader.readexactly(size)
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                n = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(n + 2)
                size += n
                if n == 0:
                    break
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, size


def _raw(kind: dict[str, Any], host: str, n: int, rng: random.Random) -> bytes:
    paths = kind["paths"]
    # Round robin: request n takes path n, so requests in flight at once differ (writes that
    # must not race); otherwise a random path.
    chosen = paths[n % len(paths)] if kind.get("round_robin") else rng.choice(paths)
    path = chosen.replace("{n}", str(n))
    method = kind.get("method", "GET")
    headers = {"Host": host, "Connection": "keep-alive", **kind.get("headers", {})}
    body = b""
    if "form" in kind:
        form = {k: str(v).replace("{n}", str(n)) for k, v in kind["form"].items()}
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if body or method != "GET":
        headers["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"\r\n" + body


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Drive the server as the spec says; a summary per kind and overall."""
    host, port = spec["host"], int(spec["port"])
    if host not in LOOPBACK:
        raise SystemExit(f"load is only sent to loopback addresses, not {host!r}")
    mix = spec["mix"]
    weights = [k["weight"] for k in mix]
    deadline = time.monotonic() + float(spec["duration_s"])
    budget = itertools.count()
    cap = int(spec["max_requests"])
    samples: list[tuple[int, float, int, float]] = []  # kind index, latency s, status, at
    errors: list[str] = []
    start = time.monotonic()

    async def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = _Conn(host, port)
        try:
            while time.monotonic() < deadline:
                n = next(budget)
                if n >= cap:
                    return
                i = rng.choices(range(len(mix)), weights)[0]
                raw = _raw(mix[i], host, n, rng)
                t0 = time.perf_counter()
                try:
                    status, _ = await asyncio.wait_for(conn.request(raw), REQUEST_TIMEOUT_S)
                except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                    conn.close()
                    errors.append(f"{mix[i]['kind']}: {type(exc).__name__}")
                    status = 0
                samples.append((i, time.perf_counter() - t0, status, time.monotonic() - start))
        finally:
            conn.close()

    await asyncio.gather(*(client(k) for k in range(int(spec["concurrency"]))))
    elapsed = time.monotonic() - start
    return summarise(mix, samples, errors, elapsed)


def _stats(latencies: list[float], elapsed: float) -> dict[str, Any]:
    ms = sorted(x * 1000 for x in latencies)
    return {
        "requests": len(ms),
        "requests_per_s": round(len(ms) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(ms[-1], 2) if ms else 0.0,
    }


def summarise(
    mix: list[dict[str, Any]],
    samples: list[tuple[int, float, int, float]],
    errors: list[str],
    elapsed: float,
) -> dict[str, Any]:
    bad = [s for s in samples if not 200 <= s[2] < 400]
    kinds = {}
    for i, k in enumerate(mix):
        mine = [s for s in samples if s[0] == i]
        kinds[k["kind"]] = {
            **_stats([s[1] for s in mine], elapsed),
            "errors": sum(1 for s in mine if not 200 <= s[2] < 400),
            "statuses": sorted({s[2] for s in mine}),
        }
    return {
        "seconds": round(elapsed, 2),
        "overall": {**_stats([s[1] for s in samples], elapsed), "errors": len(bad)},
        "kinds": kinds,
        "error_examples": errors[:10],
        "timeline": [
            (round(s[3], 3), round(s[1] * 1000, 2))
            for s in samples[:: max(1, len(samples) // 2000)]
        ],
    }


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    result = asyncio.run(run(spec))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
