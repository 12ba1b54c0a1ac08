"""The documented full set of benchmarks (`make bench`), in order, results in `bench/results/`.

    python -m bench.run_all [--quick]

1. `bench.import_values`: 250,000 and 1,000,000 values through `citycert import`;
2. `bench.whole_db`: 25,000 and 100,000 city-years on SQLite and PostgreSQL, cold and warm;
3. `bench.web_load`: the portal on the 100,000 city-year PostgreSQL database of step 2
   (10,000 cities x 10 years, cycles published), 60 s per run;
4. `bench.soak`: 10 minutes of mixed reads and writes.
`--quick` runs every step at a small size (a few minutes in all) to check the set works.
Every database made here is dropped at the end.
"""

from __future__ import annotations

import argparse
import time

from bench import common, import_values, soak, web_load, whole_db


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes, to check the set runs")
    args = ap.parse_args(argv)
    q = args.quick
    start = time.perf_counter()
    import_values.main(["--sizes", "25000,100000" if q else "250000,1000000"])
    kept: list[str] = []
    try:
        sizes = "50,200" if q else "2500,10000"
        result = whole_db.main(["--sizes", sizes, "--backends", "sqlite,postgresql", "--keep"])
        kept = [r["kept_database_url"] for r in result["runs"]]
        largest = kept[-1]  # the last run: PostgreSQL, the largest size
        web_load.main(["--reuse", largest, "--duration", "10" if q else "60"])
    finally:
        for url in kept:
            common.discard(url)
    soak.main(["--minutes", "1" if q else "10", *(["--cities", "50"] if q else [])])
    print(f"\nall benchmarks done in {(time.perf_counter() - start) / 60:.1f} min")


if __name__ == "__main__":
    main()
