"""docs/performance.md webhook figures: delivery throughput and idle event → delivered latency.

`deliveries`: `webhook_deliveries_per_s` (throughput of the `regtl worker` subprocess);
`latency`: `webhook_latency_p99_ms` (idle event → delivered, full in-process stack);
`receiver`: the receiving HTTP server both send to; `harness`: what both set up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.bench.common import BenchFarm, scaled
from tests.bench.webhooks.deliveries import webhook_deliveries_per_s
from tests.bench.webhooks.latency import webhook_latency_p99_ms

__all__ = ["FIGURES", "run_all", "sizes"]

FIGURES = ("webhook_deliveries_per_s", "webhook_latency_p99_ms")


def sizes() -> dict[str, Any]:
    return {
        "webhook_deliveries": scaled(5000, 500),
        "webhook_latency_events": scaled(200, 60),
        "webhook_latency_gap_s": [0.1, 0.4],
    }


def run_all(farm: BenchFarm, only: set[str], run: Callable[[str, Callable[[], Any]], None]) -> None:
    chosen = sizes()
    run(
        "webhook_deliveries_per_s",
        lambda: webhook_deliveries_per_s(farm, chosen["webhook_deliveries"]),
    )
    lo, hi = chosen["webhook_latency_gap_s"]
    run(
        "webhook_latency_p99_ms",
        lambda: webhook_latency_p99_ms(farm, chosen["webhook_latency_events"], (lo, hi)),
    )
