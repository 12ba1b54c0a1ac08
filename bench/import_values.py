"""Import 1,000,000 indicator input values from an exchange CSV through `citycert import`.

    python -m bench.import_values [--sizes 250000,1000000] [--database-url URL] [--keep]

The file is the exchange-format CSV (`inputs` table with the city columns) of synthetic
ISO 37120:2018 city-years around real UNdata cities and populations, 241 inputs per city-year,
ten years per city. Each size is imported into a fresh PostgreSQL database by the real command
(`citycert import FILE`) in a child process; the benchmark reports values per second and the
child's peak resident memory (wait4), at two file sizes, to show whether memory grows with the
file. Target: at least 50,000 values per second.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import bench_database, machine, print_table, run_child, write_result
from bench.synthetic import CATALOG, FIRST_YEAR, plan, synthetic_cities, values_matrix

NAME = "import_values"
TARGET_VALUES_PER_S = 50_000
YEARS = 10
IMPORT_TIMEOUT_S = 3600
HEADER = (
    "city", "city_name_en", "city_name_ko", "country", "catalog", "year", "indicator", "input",
    "value", "unit", "source", "comment", "quality_grade",
)  # fmt: skip
SOURCE = "Synthetic benchmark data around UNdata city populations"


def write_exchange_csv(path: Path, values: int) -> dict[str, Any]:
    """Write exactly `values` input rows (whole cities of YEARS city-years, the last one cut)."""
    p = plan()
    per_city = len(p.inputs) * YEARS
    cities = synthetic_cities(values // per_city + 2)
    written = 0
    city_years: set[tuple[str, int]] = set()
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(HEADER)
        for start in range(0, len(cities), 100):
            block = cities[start : start + 100]
            for k in range(YEARS):
                year = FIRST_YEAR + k
                for city, row in zip(block, values_matrix(block, year).tolist(), strict=True):
                    lead = (city.slug, city.name_en, city.name_ko, city.country, CATALOG, year)
                    for (number, name), value in zip(p.inputs, row, strict=True):
                        if value != value:  # NaN: not reported
                            continue
                        out.writerow((*lead, number, name, repr(value), p.units[name],
                                      SOURCE, "", "B"))  # fmt: skip
                        city_years.add((city.slug, year))
                        written += 1
                        if written == values:
                            return _described(path, written, city_years)
    return _described(path, written, city_years)


def _described(path: Path, written: int, city_years: set[tuple[str, int]]) -> dict[str, Any]:
    return {
        "values": written,
        "city_years": len(city_years),
        "cities": len({c for c, _ in city_years}),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }


def run_import(url: str, path: Path) -> dict[str, Any]:
    """`citycert import FILE` as a child process: its report, time and peak memory."""
    cmd = [sys.executable, "-c", "from citycert.cli import main; main()", "import", str(path),
           "--format", "json", "--actor", "bench:import", "--database-url", url]  # fmt: skip
    env = {**os.environ, "CITYCERT_MAX_UPLOAD_BYTES": str(4 * 2**30)}
    run = run_child(cmd, timeout=IMPORT_TIMEOUT_S, env=env)
    if run["returncode"] != 0:
        err = (run["stderr"] or run["stdout"]).strip()[-3000:]
        raise RuntimeError(f"citycert import failed ({run['returncode']}): {err}")
    report = json.loads(run["stdout"])
    return {"seconds": round(run["seconds"], 1), "peak_rss_mb": run["peak_rss_mb"],
            "counts": report.get("counts"), "recomputed": report.get("recomputed")}  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(prog="python -m bench.import_values", description=__doc__)
    ap.add_argument("--sizes", default="250000,1000000", help="values per file, comma-separated")
    ap.add_argument("--backend", default="postgresql", choices=("postgresql", "sqlite"))
    ap.add_argument("--database-url", default=None, help="an EMPTY database (one size only)")
    ap.add_argument("--keep", action="store_true", help="keep databases and files")
    ap.add_argument("--out-dir", default=None)
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    if args.database_url and len(sizes) > 1:
        ap.error("--database-url takes one size")
    info = machine()
    runs: list[dict[str, Any]] = []
    folder = Path(tempfile.mkdtemp(prefix="citycert_bench_import_"))
    try:
        for size in sizes:
            path = folder / f"inputs_{size}.csv"
            start = time.perf_counter()
            described = write_exchange_csv(path, size)
            described["write_seconds"] = round(time.perf_counter() - start, 1)
            with bench_database(args.backend, "import", args.database_url, args.keep) as url:
                result = run_import(url, path)
            result["values_per_s"] = round(described["values"] / result["seconds"])
            runs.append({**described, **result})
            if not args.keep:
                path.unlink()
    finally:
        if not args.keep:
            for f in folder.glob("*"):
                f.unlink()
            folder.rmdir()
    print_table(
        f"Import of exchange CSV files through `citycert import` ({args.backend})",
        ["values", "city-years", "file MiB", "seconds", "values/s", "peak RSS MiB"],
        [[r["values"], r["city_years"], r["file_mb"], r["seconds"], r["values_per_s"],
          r["peak_rss_mb"]] for r in runs],
    )  # fmt: skip
    result = {
        "machine": info,
        "backend": args.backend,
        "runs": runs,
        "target": {
            "values_per_s_at_least": TARGET_VALUES_PER_S,
            "met": all(r["values_per_s"] >= TARGET_VALUES_PER_S for r in runs),
        },
    }
    path = write_result(NAME, result, out_dir=Path(args.out_dir) if args.out_dir else None)
    print(f"\nwritten: {path}")
    return result


if __name__ == "__main__":
    main()
