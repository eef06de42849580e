"""`make bench`: docs/performance.md figures, one JSON object per line on stdout (progress on stderr).

BENCH_SCALE (default 1; 0.1 for a quick run) scales event counts and durations. Each figure
gets a fresh migrated PostgreSQL database; every database and role made here is dropped at
the end, on failure and on SIGTERM/SIGINT too. A figure that fails prints a line with
`value: null` and its `error`, and the run exits non-zero after the remaining figures.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from tests.bench import baseline as lib
from tests.bench import checks, history_http, ingest, pit, rebuild, webhooks
from tests.bench.common import BenchFarm, Reported, emit, machine_line, note, scale, scaled
from tests.support import postgres

FIGURES = (
    "ingest_single_concurrent",
    "ingest_single_http",
    "ingest_batch",
    *pit.FIGURES,
    *checks.FIGURES,
    *history_http.FIGURES,
    *webhooks.FIGURES,
    *rebuild.FIGURES,
)


def _selected() -> set[str]:
    """BENCH_ONLY=fig1,fig2 runs a subset (for profiling); default: every figure."""
    raw = os.environ.get("BENCH_ONLY", "").strip()
    if not raw:
        return set(FIGURES)
    chosen = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = chosen - set(FIGURES)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown figures {sorted(unknown)}; known: {FIGURES}")
    return chosen


def _terminate(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _pg_settings() -> dict[str, str]:
    with postgres._admin() as conn:
        rows = conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'shared_buffers')"
        ).fetchall()
    return {str(name): str(value) for name, value in rows}


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    signal.signal(signal.SIGTERM, _terminate)
    if not postgres.available():
        print(f"PostgreSQL does not answer at {postgres.admin_url()}", file=sys.stderr)
        return 2
    sizes = {
        "library_single_events": scaled(2000, 300),
        "ingest_single_concurrent_events": scaled(8000, 800),
        "ingest_single_http_seconds": max(3, round(10 * scale())),
        "batch": 1000,
        "http_batches": scaled(20, 3),
        "library_batches": scaled(30, 3),
        **pit.sizes(),
        **history_http.sizes(),
        **checks.sizes(),
        **webhooks.sizes(),
        **rebuild.sizes(),
    }
    machine_line(
        {
            **sizes,
            "postgres_settings": _pg_settings(),
            "figures": [f for f in FIGURES if f in _selected()],
        }
    )
    only = _selected()
    failed: list[str] = []
    started = time.perf_counter()
    farm = BenchFarm()

    def run(figure: str, body: Callable[[], Any]) -> None:
        if figure not in only:
            return
        note(f"{figure} ...")
        t0 = time.perf_counter()
        try:
            body()
        except KeyboardInterrupt:
            raise
        except Reported:
            failed.append(figure)
        except Exception as error:  # noqa: BLE001 - reported in the output, run continues
            traceback.print_exc(file=sys.stderr)
            failed.append(figure)
            emit(figure, None, "", None, error=f"{type(error).__name__}: {error}"[:2000])
        note(f"{figure} took {time.perf_counter() - t0:.1f} s")

    try:
        single_figures = {"ingest_single_concurrent", "ingest_single_http"} & only
        single = (
            lib.single_event_baseline(farm, sizes["library_single_events"])
            if single_figures
            else None
        )
        run(
            "ingest_single_concurrent",
            lambda: ingest.ingest_single_concurrent(
                farm, single, sizes["ingest_single_concurrent_events"]
            ),
        )
        run(
            "ingest_single_http",
            lambda: ingest.ingest_single_http(farm, single, sizes["ingest_single_http_seconds"]),
        )
        batched = (
            lib.batch_baseline(farm, sizes["batch"], sizes["library_batches"])
            if "ingest_batch" in only
            else None
        )
        run(
            "ingest_batch",
            lambda: ingest.ingest_batch(farm, batched, sizes["batch"], sizes["http_batches"]),
        )
        pit.run_all(farm, only, run)
        history_http.run_all(farm, only, run)
        webhooks.run_all(farm, only, run)
        rebuild.run_all(farm, only, run)
    except KeyboardInterrupt:
        note("interrupted; dropping bench databases")
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the clean-up finish
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        farm.close()
        note(f"total {time.perf_counter() - started:.1f} s; databases and role dropped")
    if failed:
        note(f"failed figures: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
