"""Soak test: the portal under mixed read and write load for minutes; errors, latency, memory.

    python -m bench.soak [--minutes 10] [--cities 500] [--years 3] [--concurrency 8]
                         [--write-share 0.1] [--database-url URL]

Starts `citycert serve --workers 2` on a loopback port over a PostgreSQL database of published
synthetic cities, and drives it from a second process (`bench.httpload`) for `--minutes`:
public pages (profiles and comparisons, HTML and JSON) and writes through the portal with an
API token (`Authorization: Bearer`), each write changing one raw figure of a city's cycle
(saved, audited and recomputed as any edit). Writes go to different cities in turn, so two
never race for the same figure. The server's resident memory (supervisor and workers) is
sampled every few seconds; the report gives errors (target: none), p95 latency, and the slope
of memory over time after a warm-up (target: no growth).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

from bench.common import bench_database, machine, print_table, write_result
from bench.server import HOST, drive, serve, slope_mb_per_min
from bench.synthetic import CATALOG, FIRST_YEAR
from bench.web_load import page_mix, setup
from citycert.domain.authz import Role
from citycert.services import auth, users
from citycert.services.context import ServiceContext
from citycert.store.engine import Database

NAME = "soak"
WRITER = "bench-writer"
WRITE_THEME = 5  # economy: 5.5 businesses per 100 000 population
WRITE_KEY = "5.5/businesses"
SAMPLE_EVERY_S = 5.0


def writer_token(url: str) -> str:
    """An API token of an administrator account made for the benchmark."""
    db = Database.from_url(url)
    try:
        ctx = ServiceContext(db=db, actor="bench:setup")
        users.add_user(ctx, login=WRITER, name="Benchmark writer")
        users.grant_role(ctx, login=WRITER, role=Role.administrator)
        return auth.create_api_token(ctx, login=WRITER, label="soak benchmark").token
    finally:
        db.dispose()


def write_kind(slugs: list[str], year: int, token: str, weight: float) -> dict[str, Any]:
    base = f"/workspace/{{slug}}/{CATALOG}/{year}/theme/{WRITE_THEME}"
    return {
        "kind": "write_figure",
        "weight": weight,
        "method": "POST",
        "paths": [base.format(slug=s) for s in slugs],
        "round_robin": True,  # a different city per write: no two writes race for one figure
        "headers": {"Authorization": f"Bearer {token}", "Accept": "application/json"},
        "form": {f"value:{WRITE_KEY}": "{n}"},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--cities", type=int, default=500)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2, help="server processes")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--write-share", type=float, default=0.1, help="share of requests that write")
    ap.add_argument("--max-requests", type=int, default=2_000_000)
    ap.add_argument("--backend", default="postgresql", choices=("postgresql", "sqlite"))
    ap.add_argument("--database-url", default=None, help="an EMPTY database to fill")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--out-dir", default=None)
    args = ap.parse_args(argv)
    info = machine()
    duration = args.minutes * 60
    with bench_database(args.backend, "soak", args.database_url, args.keep) as url:
        slugs, data = setup(url, args.cities, args.years, args.workers)
        token = writer_token(url)
        rng = random.Random(11)
        readers = rng.sample(slugs, min(1000, len(slugs)))
        writers = rng.sample(slugs, min(max(4 * args.concurrency, 20), len(slugs)))
        year = FIRST_YEAR + args.years - 1
        reads = page_mix(readers)
        share = min(max(args.write_share, 0.0), 0.9)
        for kind in reads:
            kind["weight"] = (1 - share) / len(reads)
        mix = [*reads, write_kind(writers, year, token, share)] if share else reads
        with serve(url, workers=args.workers) as server:
            where = {"host": HOST, "port": server.port, "concurrency": args.concurrency}
            drive({**where, "duration_s": min(10.0, duration), "max_requests": 1000, "mix": reads})
            spec = {**where, "duration_s": duration, "max_requests": args.max_requests, "mix": mix}
            run = drive(spec, server, sample_every_s=SAMPLE_EVERY_S)
            samples = list(server.samples)
    warmup = min(60.0, duration * 0.2)
    slope = slope_mb_per_min(samples, skip_s=warmup)
    rss = [m for _, m in samples]
    overall = run["overall"]
    rows = [[k, *_row(v)] for k, v in run["kinds"].items()] + [["all", *_row(overall)]]
    print_table(
        f"Soak: {args.minutes:g} min, {args.concurrency} connections, {share:.0%} writes",
        ["requests", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"],
        rows,
    )
    print_table(
        "Server memory (supervisor + workers)",
        ["samples", "first MiB", "last MiB", "max MiB", "slope MiB/min (after warm-up)"],
        [[len(rss), rss[0] if rss else 0, rss[-1] if rss else 0, max(rss, default=0),
          "n/a" if slope is None else slope]],
    )  # fmt: skip
    run.pop("timeline", None)
    result = {
        "machine": info,
        "data": data,
        "minutes": args.minutes,
        "server_workers": args.workers,
        "concurrency": args.concurrency,
        "write_share": share,
        "load": run,
        "memory": {
            "samples": samples,
            "every_s": SAMPLE_EVERY_S,
            "warmup_s": warmup,
            "slope_mb_per_min": slope,
            "first_mb": rss[0] if rss else None,
            "last_mb": rss[-1] if rss else None,
            "max_mb": max(rss, default=None),
        },
        "target": {"errors": 0, "met": overall["errors"] == 0 and not run["error_examples"]},
    }
    path = write_result(NAME, result, out_dir=Path(args.out_dir) if args.out_dir else None)
    print(f"\nwritten: {path}")
    return result


def _row(s: dict[str, Any]) -> list[Any]:
    return [s["requests"], s["requests_per_s"], s["p50_ms"], s["p95_ms"], s["p99_ms"],
            s.get("errors", 0)]  # fmt: skip


if __name__ == "__main__":
    main()
