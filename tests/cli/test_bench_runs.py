"""`make bench` keeps working: its figures at a tiny scale, each with a value, none failing;
and the logs it generates are ones the writer accepts.

Not a timed test (the figures are whatever this machine gives); it catches a benchmark
broken by a change elsewhere, which otherwise shows only when someone next runs
`make bench`. The HTTP figures (fixed 10 s runs under wrk) are left to `make bench`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_POSTGRES
from tests.support import postgres

ROOT = Path(__file__).resolve().parents[2]
FIGURES = (
    "ingest_batch",
    "pit_query_p99_ms_inprocess",
    "pit_speedup_vs_fold",
    "rebuild_events_per_s",
    "rebuild_peak_rss_mb",
    "webhook_deliveries_per_s",
    "webhook_latency_p99_ms",
)


def _tiny(module: str, unavailable: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m module` at the root with BENCH_SCALE=0.001 and `env`; skipped with the
    reason `unavailable` where PostgreSQL does not answer (unless it is required)."""
    if not postgres.available() and not REQUIRE_POSTGRES:
        pytest.skip(unavailable)
    return subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env={**os.environ, "BENCH_SCALE": "0.001", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_benchmarks_run_at_a_tiny_scale() -> None:
    done = _tiny("tests.bench", "the benchmarks need PostgreSQL", BENCH_ONLY=",".join(FIGURES))
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    figures = {line["figure"]: line for line in lines if "figure" in line}
    assert done.returncode == 0, done.stderr[-3000:]
    assert set(figures) == set(FIGURES), done.stderr[-3000:]
    for name, figure in figures.items():
        assert "error" not in figure, (name, figure["error"])
        assert isinstance(figure["value"], float | int) and figure["value"] > 0, (name, figure)


def test_the_generated_logs_pass_the_writer() -> None:
    """Both generated logs (catalog v2 included) go through the real write path with no
    refusal, stored as the bench stores them directly (tests/bench/writer_check.py)."""
    done = _tiny(
        "tests.bench.writer_check",
        "the writer check needs PostgreSQL",
        BENCH_CHECK_LOG_EVENTS="4000",
    )
    logs = {line["log"]: line for line in map(json.loads, done.stdout.splitlines())}
    assert done.returncode == 0, (logs, done.stderr[-3000:])
    assert set(logs) == {"point-in-time", "rebuild"}
    for line in logs.values():
        assert line["events"] > 1000 and line["refused"] == 0 and line["differ"] == 0, line
