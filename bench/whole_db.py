"""Whole-database batch: recompute, validate and certify every city-year, on SQLite and PostgreSQL.

    python -m bench.whole_db [--sizes 2500,10000] [--years 10] [--backends postgresql,sqlite]
                             [--workers 2] [--database-url URL] [--keep]

For each backend and size (cities, each with `--years` ISO 37120:2018 city-years of synthetic
figures around real UNdata populations, generated straight into the database), runs
`citycert batch run` twice as a child process: cold (no indicator values stored yet: every
value is computed and written) and warm (everything recomputed, validated and assessed again;
nothing differs, nothing is written). Reports city-years per second and the peak memory of the
batch (its process and its worker processes, from wait4) to show memory does not grow with the
number of cities. Beside it, the pure engine's speed: `compute_catalog` + `validate` + `assess`
on in-memory data, one core, no database.
Target: the 100,000 city-year run under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import make_url

from bench.common import (
    RESULTS_DIR,
    bench_database,
    machine,
    print_table,
    run_child,
    write_result,
)
from bench.loaders import load_cities, load_cycles, load_inputs
from bench.synthetic import FIRST_YEAR, plan, synthetic_cities, values_matrix
from citycert.domain.calculation import RawInput, Status, compute_catalog
from citycert.domain.certification import assess
from citycert.domain.validation import ValidationContext, validate
from citycert.standards.levels import get_level_rules
from citycert.standards.validation import Severity
from citycert.store.engine import Database
from citycert.store.models import City, IndicatorValue, InputValue, ReportingCycle

NAME = "whole_db"
TARGET_SECONDS = 120
TARGET_CITY_YEARS = 100_000
BATCH_TIMEOUT_S = 3600


def pure_speed(cities: int, years: int) -> dict[str, Any]:
    """compute_catalog + validate + assess on in-memory city-years, one core, no database."""
    p = plan()
    catalog, rules = p.catalog, get_level_rules(p.catalog.key)
    chosen = synthetic_cities(cities)
    data: list[tuple[int, int, dict[str, dict[str, RawInput]]]] = []
    for k in range(years):
        matrix = values_matrix(chosen, FIRST_YEAR + k).tolist()
        for i, row in enumerate(matrix):
            inputs: dict[str, dict[str, RawInput]] = {}
            for (number, name), value in zip(p.inputs, row, strict=True):
                if value == value:
                    inputs.setdefault(number, {})[name] = RawInput(value, p.units[name])
            data.append((i, FIRST_YEAR + k, inputs))
    data.sort(key=lambda d: (d[0], d[1]))  # city by city, as the batch goes
    timings = {"compute": 0.0, "validate": 0.0, "assess": 0.0}
    indicators = 0
    histories: dict[int, dict[str, list[tuple[int, float]]]] = {}
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for i, year, inputs in data:
        t0 = time.perf_counter()
        results = compute_catalog(catalog, inputs)
        t1 = time.perf_counter()
        history = histories.setdefault(i, {})
        context = ValidationContext(
            city_population=float(chosen[i].population), history=history, year=year
        )
        findings = validate(catalog, inputs, results, context=context)
        t2 = time.perf_counter()
        errors = {f.indicator for f in findings if f.severity is Severity.error}
        assess(catalog, rules, [r.number for r in results
                                if r.status is Status.ok and r.number not in errors])  # fmt: skip
        t3 = time.perf_counter()
        for r in results:
            if r.value is not None:
                history.setdefault(r.number, []).append((year, r.value))
        indicators += len(results)
        timings["compute"] += t1 - t0
        timings["validate"] += t2 - t1
        timings["assess"] += t3 - t2
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    n = len(data)
    return {
        "city_years": n,
        "indicators": indicators,
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "city_years_per_s": round(n / wall, 1),
        "city_years_per_cpu_s": round(n / cpu, 1) if cpu else None,
        "us_per_indicator": round(wall / indicators * 1e6, 2),
        "ms_per_city_year": {k: round(v / n * 1e3, 3) for k, v in timings.items()},
    }


def generate(url: str, cities: int, years: int, workers: int) -> dict[str, Any]:
    """Fill the database with cities, cycles and inputs (set-based); counts and seconds."""
    db = Database.from_url(url)
    try:
        start = time.perf_counter()
        chosen = synthetic_cities(cities)
        ids = load_cities(db, chosen)
        cycles = load_cycles(db, chosen, ids, years)
        rows = load_inputs(db, cycles, workers=workers)
        return {
            "cities": cities,
            "city_years": len(cycles),
            "input_rows": rows,
            "seconds": round(time.perf_counter() - start, 1),
        }
    finally:
        db.dispose()


def emptied(url: str) -> dict[str, Any]:
    """A kept benchmark database with its computed values removed (for a new cold run)."""
    db = Database.from_url(url)
    try:
        with db.transaction() as s:
            if db.dialect == "postgresql":
                s.execute(text("TRUNCATE indicator_value"))  # no dead rows left behind
            else:
                s.execute(delete(IndicatorValue))
        with db.read() as s:
            return {
                "cities": s.scalar(select(func.count()).select_from(City)),
                "city_years": s.scalar(select(func.count()).select_from(ReportingCycle)),
                "input_rows": s.scalar(select(func.count()).select_from(InputValue)),
                "seconds": 0.0,
                "reused": True,
            }
    finally:
        db.dispose()


def run_batch_cli(url: str, workers: int) -> dict[str, Any]:
    """`citycert batch run` as a child process: its report, wall time and peak memory."""
    cmd = [sys.executable, "-c", "from citycert.cli import main; main()", "batch", "run",
           "--workers", str(workers), "--format", "json", "--database-url", url]  # fmt: skip
    run = run_child(cmd, timeout=BATCH_TIMEOUT_S)
    if run["returncode"] != 0:
        raise RuntimeError(f"citycert batch run failed: {run['stderr'].strip()[-2000:]}")
    report = json.loads(run["stdout"])
    seconds = report["seconds"]
    return {
        "seconds": seconds,
        "process_seconds": run["seconds"],
        "city_years_per_s": round(report["cycles"] / seconds, 1) if seconds else None,
        "peak_rss_mb": run["peak_rss_mb"],
        "report": report,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(
        prog="python -m bench.whole_db", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--sizes", default="2500,10000", help="cities per run, comma-separated")
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--backends", default="postgresql,sqlite")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pure-cities", type=int, default=200, help="cities for the pure speed")
    ap.add_argument("--database-url", default=None, help="an EMPTY database to use instead")
    ap.add_argument("--keep", action="store_true", help="keep the generated databases")
    ap.add_argument(
        "--reuse",
        default=None,
        help="databases kept by an earlier --keep run (comma-separated): their computed values "
        "are emptied and the batch runs again, cold then warm",
    )
    ap.add_argument("--out-dir", default=None)
    ap.add_argument(
        "--merge", action="store_true", help="add to the runs already in the results file"
    )
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if args.database_url and (len(sizes) > 1 or len(backends) > 1):
        ap.error("--database-url takes one size and one backend")

    info = machine()
    pure = pure_speed(args.pure_cities, args.years)
    runs: list[dict[str, Any]] = []
    plans = [(b, s, args.database_url) for b in backends for s in sizes]
    if args.reuse:
        plans = [(make_url(u).get_backend_name(), 0, u) for u in args.reuse.split(",") if u]
    for backend, size, given in plans:
        with bench_database(backend, f"wholedb{size}", given, args.keep) as url:
            gen = emptied(url) if args.reuse else generate(url, size, args.years, args.workers)
            cold = run_batch_cli(url, args.workers)
            warm = run_batch_cli(url, args.workers)
        runs.append({"backend": backend, **gen, "generate_seconds": gen.pop("seconds"),
                     "cold": cold, "warm": warm})  # fmt: skip
        if args.keep or args.reuse:
            runs[-1]["kept_database_url"] = url

    rows = [
        [r["backend"], r["city_years"], r["input_rows"], f"{r['generate_seconds']:.0f}",
         run, r[run]["seconds"], r[run]["city_years_per_s"], r[run]["peak_rss_mb"],
         r[run]["report"]["created"] + r[run]["report"]["updated"]]
        for r in runs
        for run in ("cold", "warm")
    ]  # fmt: skip
    print_table(
        "Whole-database batch (citycert batch run)",
        ["backend", "city-years", "input rows", "generate s", "run", "batch s", "city-years/s",
         "peak RSS MiB", "values written"],
        rows,
    )  # fmt: skip
    ms = pure["ms_per_city_year"]
    print_table(
        "Pure engine, one core, no database",
        ["city-years", "city-years/s", "µs/indicator", "compute ms", "validate ms", "assess ms"],
        [[pure["city_years"], pure["city_years_per_s"], pure["us_per_indicator"],
          ms["compute"], ms["validate"], ms["assess"]]],
    )  # fmt: skip
    out_dir = Path(args.out_dir) if args.out_dir else None
    if args.merge:
        runs = _merged(runs, (out_dir or RESULTS_DIR) / f"{NAME}.json")
    big = [r for r in runs if r["city_years"] >= TARGET_CITY_YEARS]
    result = {
        "machine": info,
        "workers": args.workers,
        "years": args.years,
        "pure_engine": pure,
        "runs": runs,
        "target": {
            "full_run_seconds_below": TARGET_SECONDS,
            "city_years": TARGET_CITY_YEARS,
            "met": {
                f"{r['backend']}/{run}": r[run]["seconds"] < TARGET_SECONDS
                for r in big
                for run in ("cold", "warm")
            },
        },
    }
    path = write_result(NAME, result, out_dir=out_dir)
    print(f"\nwritten: {path}")
    return result


def _merged(runs: list[dict[str, Any]], path: Path) -> list[dict[str, Any]]:
    """Earlier runs of the results file (other backends or sizes) with these ones added."""
    try:
        earlier = json.loads(path.read_text(encoding="utf-8")).get("runs", [])
    except (OSError, ValueError):
        earlier = []
    new = {(r["backend"], r["city_years"]) for r in runs}
    kept = [r for r in earlier if (r["backend"], r["city_years"]) not in new]
    return sorted([*kept, *runs], key=lambda r: (r["backend"], r["city_years"]))


if __name__ == "__main__":
    main()
