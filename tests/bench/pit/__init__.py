"""docs/performance.md point-in-time figures: chip state at random (T, K), in process and over HTTP, and
against the reference fold over the whole log read from the store.

One fresh database holds BENCH_SCALE x (100k events, 5k chips, 500 companies): a valid history
made by `History` (registrations first, lifecycle events after their creators in log order and
in valid time, versions consecutive per aggregate, ~5 % corrections and retractions). The
events are stored directly with `container.log.append` in batches (BENCH_PIT_LOAD=writer sends
the same envelopes through `container.writer.append(batch=True)` instead: every write rule is
checked, much slower), then projected with `container.catch_up()`. All three figures share it.

Modules: `workload` (sizes, knobs, mix), `generator` + `lifecycles` + `history` (the valid
history), `load` (storing it), `dataset` (the shared data set, its queries), `inprocess`
and `over_http` (the figures).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.bench.common import BenchFarm
from tests.bench.pit.dataset import Dataset
from tests.bench.pit.inprocess import pit_inprocess, pit_speedup_vs_fold
from tests.bench.pit.over_http import pit_http
from tests.bench.pit.workload import sizes

__all__ = ["FIGURES", "run_all", "sizes"]

FIGURES = ("pit_query_p99_ms_inprocess", "pit_query_p99_ms_http", "pit_speedup_vs_fold")


def run_all(farm: BenchFarm, only: set[str], run: Callable[[str, Callable[[], Any]], None]) -> None:
    """Run the selected point-in-time figures on one shared data set (dropped afterwards)."""
    from tests.bench import checks  # the export check's figures share the data set

    if not (set(FIGURES) | set(checks.FIGURES)) & only:
        return
    data = Dataset(farm)
    try:
        run("pit_query_p99_ms_inprocess", lambda: pit_inprocess(data))
        run("pit_speedup_vs_fold", lambda: pit_speedup_vs_fold(data))
        run("pit_query_p99_ms_http", lambda: pit_http(data))
        checks.run_on(data, run)
    finally:
        data.close()
