"""Every benchmark script runs end to end at a tiny size, so none of them can rot unnoticed.

SQLite always; PostgreSQL too when `CITYCERT_TEST_POSTGRES_URL` names a server we may create
databases on (the benchmarks then make and drop their own `citycert_bench_*` databases there).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import common, import_values, soak, synthetic, web_load, whole_db
from citycert.domain.calculation import RawInput, compute_catalog
from citycert.domain.validation import ValidationContext, validate

PG = os.environ.get("CITYCERT_TEST_POSTGRES_URL")


@pytest.fixture
def kind(backend: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The backend (from the shared fixture); benchmarks make PostgreSQL databases on the
    test server."""
    if backend == "postgresql":
        assert PG is not None
        admin = make_url(PG).render_as_string(hide_password=False)
        monkeypatch.setattr(common, "PG_ADMIN_URL", admin)
    return backend


def _written(out: Path, name: str) -> dict[str, object]:
    doc = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    assert doc["benchmark"] == name
    assert doc["machine"]["nproc"] >= 1
    return doc


def test_synthetic_city_years_are_plausible_and_the_same_whatever_the_chunk() -> None:
    cities = synthetic.synthetic_cities(12)
    alone = synthetic.values_matrix(cities[5:6], 2019)
    together = synthetic.values_matrix(cities, 2019)
    assert (alone[0] == together[5])[~(alone[0] != alone[0])].all()
    p = synthetic.plan()
    inputs: dict[str, dict[str, RawInput]] = {}
    for number, name, value, unit in synthetic.city_year_rows(cities[0], 2020):
        inputs.setdefault(number, {})[name] = RawInput(value, unit)
    results = compute_catalog(p.catalog, inputs)
    assert sum(r.status.value == "ok" for r in results) >= 0.95 * len(results)
    findings = validate(
        p.catalog, inputs, results, context=ValidationContext(city_population=cities[0].population)
    )
    assert not [f for f in findings if f.severity.value == "error"] or cities[0].seed % 50 == 0


def test_whole_db_benchmark_runs_cold_and_warm(kind: str, tmp_path: Path) -> None:
    args = ["--sizes", "3", "--years", "2", "--backends", kind, "--workers", "2"]
    result = whole_db.main([*args, "--pure-cities", "2", "--out-dir", str(tmp_path)])
    (run,) = result["runs"]
    assert run["city_years"] == 6
    assert run["cold"]["report"]["created"] > 0 and run["warm"]["report"]["created"] == 0
    assert run["warm"]["report"]["updated"] == 0
    assert run["cold"]["peak_rss_mb"] > 0
    assert result["pure_engine"]["city_years"] == 4
    _written(tmp_path, "whole_db")


def test_import_benchmark_imports_every_value(kind: str, tmp_path: Path) -> None:
    result = import_values.main(["--sizes", "300,700", "--backend", kind,
                                 "--out-dir", str(tmp_path)])  # fmt: skip
    assert [r["values"] for r in result["runs"]] == [300, 700]
    assert [r["counts"]["created"] for r in result["runs"]] == [300, 700]
    assert all(r["peak_rss_mb"] > 0 for r in result["runs"])
    _written(tmp_path, "import_values")


def test_web_load_benchmark_serves_every_page_without_errors(kind: str, tmp_path: Path) -> None:
    result = web_load.main(["--backend", kind, "--cities", "4", "--years", "2",
                            "--duration", "2", "--concurrency", "2", "--sample-cities", "4",
                            "--out-dir", str(tmp_path)])  # fmt: skip
    pages = result["pages"]
    assert pages["overall"]["requests"] > 0 and pages["overall"]["errors"] == 0
    assert set(pages["kinds"]) == {"profile_html", "profile_json", "compare_html", "compare_json"}
    assert result["static_file"]["overall"]["errors"] == 0
    _written(tmp_path, "web_load")


def test_soak_benchmark_reads_and_writes_without_errors(kind: str, tmp_path: Path) -> None:
    result = soak.main(["--backend", kind, "--minutes", "0.1", "--cities", "4", "--years", "2",
                        "--concurrency", "2", "--write-share", "0.3",
                        "--out-dir", str(tmp_path)])  # fmt: skip
    load = result["load"]
    assert load["kinds"]["write_figure"]["requests"] > 0
    assert load["overall"]["errors"] == 0, load["error_examples"]
    assert result["memory"]["samples"]
    _written(tmp_path, "soak")
