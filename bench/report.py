"""Write the latest figures of `bench/results/*.json` into `bench/README.md` (between markers).

python -m bench.report
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.common import RESULTS_DIR

README = Path(__file__).parent / "README.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, int):
            return f"{v:,}"
        if isinstance(v, float):
            return f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"
        return str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _machine(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    return (
        f"{m['nproc']} cores ({m['cpu_model']}), {m['memory_total']} memory, Python "
        f"{m['python']}, PostgreSQL {m['postgresql']}; load average when it started "
        f"{', '.join(str(x) for x in m['load_average_at_start'])}; finished {doc['finished_at']}"
    )


def section() -> str:
    out: list[str] = []
    doc = _load("import_values")
    if doc:
        out += ["### Import (`bench.import_values`)", "", f"Machine: {_machine(doc)}.", ""]
        out.append(_table(
            ["values", "city-years", "file MiB", "seconds", "values/s", "peak RSS MiB"],
            [[r["values"], r["city_years"], r["file_mb"], r["seconds"], r["values_per_s"],
              r["peak_rss_mb"]] for r in doc["runs"]],
        ))  # fmt: skip
        t = doc["target"]
        out += ["", f"Target >= {t['values_per_s_at_least']:,} values/s: "
                f"{'met' if t['met'] else 'not met'}.", ""]  # fmt: skip
    doc = _load("whole_db")
    if doc:
        out += ["### Whole-database batch (`bench.whole_db`)", "", f"Machine: {_machine(doc)}.",
                f"`citycert batch run --workers {doc['workers']}`.", ""]  # fmt: skip
        rows = []
        for r in doc["runs"]:
            for run in ("cold", "warm"):
                x = r[run]
                written = x["report"]["created"] + x["report"]["updated"]
                rows.append([r["backend"], r["city_years"], r["input_rows"], run, x["seconds"],
                             x["city_years_per_s"], x["peak_rss_mb"], written])  # fmt: skip
        out.append(_table(["backend", "city-years", "input rows", "run", "seconds",
                           "city-years/s", "peak RSS MiB", "values written"], rows))  # fmt: skip
        p = doc["pure_engine"]
        ms = p["ms_per_city_year"]
        out += ["", "Pure engine (one core, no database, `compute_catalog` + `validate` + "
                "`assess`):", ""]  # fmt: skip
        out.append(_table(
            ["city-years", "city-years/s", "µs per indicator", "compute ms", "validate ms",
             "assess ms"],
            [[p["city_years"], p["city_years_per_s"], p["us_per_indicator"], ms["compute"],
              ms["validate"], ms["assess"]]],
        ))  # fmt: skip
        met = doc["target"]["met"]
        verdict = ", ".join(f"{k}: {'met' if v else 'not met'}" for k, v in met.items())
        out += ["", f"Target: 100,000 city-years in under 2 minutes — {verdict or 'not run'}.", ""]
    doc = _load("web_load")
    if doc:
        out += ["### Portal under load (`bench.web_load`)", "", f"Machine: {_machine(doc)}.",
                f"{doc['data']['cities']:,} cities, {doc['data']['city_years']:,} city-years; "
                f"{doc['server_workers']} server processes, {doc['concurrency']} connections, "
                f"{doc['duration_s']:g} s per run.", ""]  # fmt: skip
        rows = [["static file (ceiling)", *_load_row(doc["static_file"]["overall"])]]
        rows += [[k, *_load_row(v)] for k, v in doc["pages"]["kinds"].items()]
        rows.append(["all pages", *_load_row(doc["pages"]["overall"])])
        out.append(_table(["requests", "count", "req/s", "p50 ms", "p95 ms", "p99 ms",
                           "errors"], rows))  # fmt: skip
        t = doc["target"]
        out += ["", f"Target p95 < {t['p95_ms_below']} ms and >= {t['requests_per_s_at_least']}"
                f" req/s: {'met' if t['met'] else 'not met'}.", ""]  # fmt: skip
    doc = _load("soak")
    if doc:
        mem = doc["memory"]
        out += ["### Soak (`bench.soak`)", "", f"Machine: {_machine(doc)}.",
                f"{doc['minutes']:g} minutes, {doc['concurrency']} connections, "
                f"{doc['write_share']:.0%} writes (form posts with an API token).", ""]  # fmt: skip
        rows = [[k, *_load_row(v)] for k, v in doc["load"]["kinds"].items()]
        rows.append(["all", *_load_row(doc["load"]["overall"])])
        out.append(_table(["requests", "count", "req/s", "p50 ms", "p95 ms", "p99 ms",
                           "errors"], rows))  # fmt: skip
        out += ["", f"Server memory (supervisor and workers): {mem['first_mb']} MiB at the "
                f"start, {mem['last_mb']} MiB at the end, at most {mem['max_mb']} MiB; slope after"
                f" {mem['warmup_s']:g} s of warm-up: {mem['slope_mb_per_min']} MiB/min. "
                f"Errors: {doc['load']['overall']['errors']}.", ""]  # fmt: skip
    return "\n".join(out).rstrip() + "\n"


def _load_row(s: dict[str, Any]) -> list[Any]:
    return [s["requests"], s["requests_per_s"], s["p50_ms"], s["p95_ms"], s["p99_ms"],
            s.get("errors", 0)]  # fmt: skip


def main() -> None:
    text = README.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(f"{before}{START}\n{section()}{END}{after}", encoding="utf-8")
    print(f"updated {README}")


if __name__ == "__main__":
    main()
