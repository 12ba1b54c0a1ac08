"""The public portal under load: city profiles and peer comparisons, HTML and JSON.

    python -m bench.web_load [--cities 10000] [--years 10] [--duration 60] [--concurrency 16]
                             [--database-url URL] [--keep]

Loads `--cities` synthetic cities (real UNdata names and populations) x `--years` published
ISO 37120:2018 cycles into PostgreSQL (inputs set-based, indicator values by
`citycert batch run`), starts the real server (`citycert serve --workers 2`) on a loopback
port, and drives it from a second process (`bench.httpload`, keep-alive connections, bounded in
requests and time) against `/cities/{slug}`, `/cities/{slug}.json`, `/compare?city={slug}` and
`/compare.json?city={slug}`, after the same server returning a static file (the ceiling).
Reports p50/p95/p99 latency and requests per second. Target on 2 cores: p95 < 100 ms and
>= 200 requests/s.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from bench.common import bench_database, machine, print_table, write_result
from bench.loaders import load_cities, load_cycles, load_inputs
from bench.server import HOST, drive, serve
from bench.synthetic import synthetic_cities
from citycert.services.batch import run_batch
from citycert.services.context import ServiceContext
from citycert.store.engine import Database
from citycert.store.models import City, CycleState, IndicatorValue, ReportingCycle

NAME = "web_load"
TARGET_P95_MS = 100
TARGET_RPS = 200
STATIC_PATH = "/static/citycert.css"


def reuse(url: str) -> tuple[list[str], dict[str, Any]]:
    """A database already filled by `bench.whole_db --keep`: publish its cycles, use it as is."""
    db = Database.from_url(url)
    try:
        with db.transaction() as s:
            s.execute(update(ReportingCycle).values(published=True))
        with db.read() as s:
            slugs = list(s.scalars(select(City.slug).order_by(City.id)))
            counts = {
                "cities": len(slugs),
                "city_years": s.scalar(select(func.count()).select_from(ReportingCycle)),
                "indicator_values": s.scalar(select(func.count()).select_from(IndicatorValue)),
                "reused": True,
            }
        return slugs, counts
    finally:
        db.dispose()


def setup(url: str, cities: int, years: int, workers: int) -> tuple[list[str], dict[str, Any]]:
    """Cities, published cycles, inputs and computed values; the slugs and what it took."""
    db = Database.from_url(url)
    try:
        start = time.perf_counter()
        chosen = synthetic_cities(cities)
        ids = load_cities(db, chosen)
        cycles = load_cycles(db, chosen, ids, years, state=CycleState.draft, published=True)
        rows = load_inputs(db, cycles, workers=workers)
        loaded = time.perf_counter() - start
        report = run_batch(ServiceContext(db=db, actor="bench:setup"), workers=workers)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        return [c.slug for c in chosen], {
            "cities": cities,
            "city_years": len(cycles),
            "input_rows": rows,
            "indicator_values": report.created,
            "load_seconds": round(loaded, 1),
            "compute_seconds": round(report.seconds, 1),
        }
    finally:
        db.dispose()


def page_mix(slugs: list[str]) -> list[dict[str, Any]]:
    return [
        {"kind": "profile_html", "weight": 1, "paths": [f"/cities/{s}" for s in slugs]},
        {"kind": "profile_json", "weight": 1, "paths": [f"/cities/{s}.json" for s in slugs]},
        {"kind": "compare_html", "weight": 1, "paths": [f"/compare?city={s}" for s in slugs]},
        {"kind": "compare_json", "weight": 1, "paths": [f"/compare.json?city={s}" for s in slugs]},
    ]


def spec(
    port: int, mix: list[dict[str, Any]], args: argparse.Namespace, duration: float
) -> dict[str, Any]:
    return {
        "host": HOST,
        "port": port,
        "concurrency": args.concurrency,
        "duration_s": duration,
        "max_requests": args.max_requests,
        "mix": mix,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(prog="python -m bench.web_load", description=__doc__)
    ap.add_argument("--cities", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2, help="server processes")
    ap.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    ap.add_argument("--duration", type=float, default=60, help="seconds per measured run")
    ap.add_argument("--max-requests", type=int, default=100_000, help="cap per run")
    ap.add_argument("--sample-cities", type=int, default=2000, help="distinct cities requested")
    ap.add_argument("--backend", default="postgresql", choices=("postgresql", "sqlite"))
    ap.add_argument("--database-url", default=None, help="an EMPTY database to fill")
    ap.add_argument("--reuse", default=None, help="a database filled by bench.whole_db --keep")
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument("--out-dir", default=None)
    args = ap.parse_args(argv)
    info = machine()
    with bench_database(args.backend, "web", args.reuse or args.database_url, args.keep) as url:
        if args.reuse:
            slugs, data = reuse(url)
        else:
            slugs, data = setup(url, args.cities, args.years, args.workers)
        sample = random.Random(7).sample(slugs, min(args.sample_cities, len(slugs)))
        with serve(url, workers=args.workers) as server:
            warm = spec(server.port, page_mix(sample[:50]), args, min(10.0, args.duration))
            drive(warm)  # first requests fill caches (templates, catalogues) in every worker
            ceiling = [{"kind": "static_file", "weight": 1, "paths": [STATIC_PATH]}]
            static = drive(spec(server.port, ceiling, args, args.duration))
            pages = drive(spec(server.port, page_mix(sample), args, args.duration))
            rss = server.rss_mb()
    rows = [["static file (ceiling)", *_row(static["overall"])]]
    rows += [[k, *_row(v)] for k, v in pages["kinds"].items()]
    rows.append(["all pages", *_row(pages["overall"])])
    print_table(
        f"Portal under load: {args.concurrency} connections, {args.workers} server processes",
        ["requests", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"],
        rows,
    )
    overall = pages["overall"]
    for run in (static, pages):
        run.pop("timeline", None)
    result = {
        "machine": info,
        "data": data,
        "server_workers": args.workers,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "server_rss_mb_after": rss,
        "static_file": static,
        "pages": pages,
        "target": {
            "p95_ms_below": TARGET_P95_MS,
            "requests_per_s_at_least": TARGET_RPS,
            "met": overall["p95_ms"] < TARGET_P95_MS
            and overall["requests_per_s"] >= TARGET_RPS
            and overall["errors"] == 0,
        },
    }
    path = write_result(NAME, result, out_dir=Path(args.out_dir) if args.out_dir else None)
    print(f"\nwritten: {path}")
    return result


def _row(s: dict[str, Any]) -> list[Any]:
    return [s["requests"], s["requests_per_s"], s["p50_ms"], s["p95_ms"], s["p99_ms"],
            s.get("errors", 0)]  # fmt: skip


if __name__ == "__main__":
    main()
