"""What every benchmark shares: throwaway databases, the machine description, results, memory.

Benchmarks never touch an existing database unless `--database-url` names one: by default each
creates its own PostgreSQL database `citycert_bench_<name>_<random>` on the local server (or a
SQLite file in a temporary folder) and drops it at the end. Results go to
`bench/results/<name>.json` and are printed as a table.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from citycert.store import migrate

RESULTS_DIR = Path(__file__).parent / "results"
# The local server's administrative database: benchmarks create their own databases from it.
PG_ADMIN_URL = os.environ.get(
    "CITYCERT_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _run(cmd: Sequence[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def postgres_version(url: str) -> str | None:
    """`PostgreSQL 15.x` of the server behind `url`, or None when it cannot be reached."""
    try:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return str(conn.execute(text("SHOW server_version")).scalar())
        finally:
            engine.dispose()
    except Exception:
        return None


def machine(pg_url: str | None = None) -> dict[str, Any]:
    """The machine the figures come from: cores, memory, CPU model, Python and PostgreSQL."""
    free = _run(["free", "-h"]).splitlines()
    mem = free[1].split()[1] if len(free) > 1 and len(free[1].split()) > 1 else "?"
    return {
        "nproc": int(_run(["nproc"]) or os.cpu_count() or 0),
        "memory_total": mem,
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "postgresql": postgres_version(pg_url or PG_ADMIN_URL),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int) -> float | None:
    """Current resident set size of process `pid` in MiB (None when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def run_child(
    cmd: Sequence[str], *, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run `cmd` through `bench.measure`: exit code, output, wall seconds and its true peak RSS.

    The command is stopped (its whole process group, by id) when it runs over `timeout`.
    """
    with tempfile.TemporaryDirectory(prefix="citycert_bench_run_") as tmp:
        result_path = Path(tmp) / "result.json"
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        launcher = [sys.executable, "-m", "bench.measure", str(result_path), "--", *cmd]
        with out_path.open("w") as out, err_path.open("w") as err:
            here = Path(__file__).parents[1]
            proc = subprocess.Popen(
                launcher, stdout=out, stderr=err, env=env, cwd=here, start_new_session=True
            )
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise RuntimeError(f"{cmd[0]} ran over {timeout:.0f} s and was stopped") from None
        measured = json.loads(result_path.read_text()) if result_path.exists() else {}
        return {
            "returncode": measured.get("returncode", proc.returncode),
            "peak_rss_mb": measured.get("peak_rss_mb"),
            "seconds": measured.get("seconds"),
            "stdout": out_path.read_text(),
            "stderr": err_path.read_text(),
        }


def check_loopback(url: str) -> None:
    """Refuse a database or server that is not on this machine."""
    host = make_url(url).host if "://" in url else None
    if host not in (None, "", *LOOPBACK):
        raise SystemExit(f"benchmarks only run against loopback addresses, not {host!r}")


@contextmanager
def bench_database(
    kind: str, name: str, url: str | None = None, keep: bool = False
) -> Iterator[str]:
    """A migrated database URL: `url` as given, or a throwaway PostgreSQL / SQLite database."""
    if url:
        check_loopback(url)
        migrate.upgrade(url)
        yield url
        return
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix=f"citycert_bench_{name}_"))
        db_url = f"sqlite:///{folder / 'bench.sqlite3'}"
        try:
            migrate.upgrade(db_url)
            yield db_url
        finally:
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
        return
    db_name = f"citycert_bench_{name}_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    db_url = make_url(PG_ADMIN_URL).set(database=db_name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(db_url)
        yield db_url
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of already sorted values, nearest-rank; 0 when empty."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return float(sorted_values[k])


def write_result(name: str, result: dict[str, Any], out_dir: Path | None = None) -> Path:
    """Write `bench/results/<name>.json` (or into `out_dir`) with the time and the machine."""
    folder = out_dir or RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "benchmark": name,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", f"bench.{name}", *sys.argv[1:]]),
        **result,
    }
    path = folder / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned text table on stdout."""
    cells = [[str(h) for h in header], *[[_cell(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, r in enumerate(cells):
        print("  ".join(c.rjust(w) if n else c.ljust(w) for c, w in zip(r, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:,.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def discard(url: str) -> None:
    """Remove a database a benchmark kept (`--keep`): the SQLite folder or the PostgreSQL one."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            shutil.rmtree(Path(parsed.database).parent, ignore_errors=True)
        return
    name = parsed.database or ""
    if not name.startswith("citycert_bench_"):
        raise ValueError(f"refusing to drop {name!r}: not a benchmark database")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
