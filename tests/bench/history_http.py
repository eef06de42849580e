"""`history_p99_ms_http` (docs/performance.md; the v2 rows): GET /v1/chips/{chip}/history at
a random K, P fixed — what the timeline page draws, so with `detail=lanes` as the page asks
(docs/state.md, "Lanes: the history a timeline draws") — on `regtl serve`. The full spans
(`detail=full`) are measured in process beside it.

It runs on the point-in-time data set (tests/bench/pit/dataset.py: BENCH_SCALE x 100k
events, 5k chips, 500 companies), built afresh for this figure. First in process
(`container.pit.history` as the route runs it: the fold's share of the time, spans and
slice sizes), then over HTTP: a cold pass from httpx (each chip once; a sample compared byte
for byte with the in-process answers), then wrk at 1, 2 and 4 connections. The figure is
wrk's p99 at 2 connections, as for `pit_query_p99_ms_http`.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain.clocks import format_instant
from projections.state_queries import Reading
from tests.bench.common import BenchFarm, Reported, emit, note, scale, scaled
from tests.bench.pit.dataset import Dataset, Query
from tests.bench.pit.over_http import chip_script
from tests.bench.served_http import serve_and_measure
from tests.bench.stats import ms, pct

FIGURES = ("history_p99_ms_http",)
LUA = Path(__file__).with_name("history_query.lua")


def sizes() -> dict[str, Any]:
    return {
        # a history folds a chip's whole slice: a few hundred questions take minutes at 100k
        "history_chips": scaled(200, 50),
        "history_inprocess_queries": scaled(300, 100),
        "history_http_seconds": max(3, round(10 * scale())),
    }


def run_all(farm: BenchFarm, only: set[str], run: Callable[[str, Callable[[], Any]], None]) -> None:
    if not set(FIGURES) & only:
        return
    data = Dataset(farm)
    try:
        run("history_p99_ms_http", lambda: history_http(data))
    finally:
        data.close()


PAGE_DETAIL = "lanes"  # what the page asks for (services/api/page/assets/api.js)


def _history(data: Dataset, query: Query, detail: str = PAGE_DETAIL) -> dict[str, Any] | None:
    with Reading(data.container.engine) as db:
        return data.container.pit.history(db, "chip", query.chip, query.at, detail=detail)


def _inprocess(data: Dataset, queries: list[Query]) -> dict[str, Any]:
    """Cold (first read of each chip: slice read and decoded) and warm latencies, and what
    the answers held."""
    seen: set[str] = set()
    cold, warm, spans, events = [], [], [], []
    for query in queries:
        t0 = time.perf_counter()
        answer = _history(data, query)
        (warm if query.chip in seen else cold).append(time.perf_counter() - t0)
        seen.add(query.chip)
        assert answer is not None, query.chip
        spans.append(len(answer["spans"]))
        events.append(sum(len(s["events"]) for s in answer["spans"]))
    again, full, full_spans, full_bytes = [], [], [], []
    for query in queries[: len(queries) // 2]:  # every slice cached: the fold alone
        t0 = time.perf_counter()
        _history(data, query)
        again.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        whole = _history(data, query, "full")
        full.append(time.perf_counter() - t0)
        assert whole is not None, query.chip
        full_spans.append(len(whole["spans"]))
        full_bytes.append(len(json.dumps(whole)))
    return {
        "inprocess_cold_p50_ms": ms(pct(cold, 0.5)) if cold else None,
        "inprocess_cold_p99_ms": ms(pct(cold, 0.99)) if cold else None,
        "inprocess_warm_p50_ms": ms(pct(again, 0.5)),
        "inprocess_warm_p99_ms": ms(pct(again, 0.99)),
        "inprocess_warm_max_ms": ms(max(again)),
        "spans_mean": round(statistics.fmean(spans), 1),
        "spans_max": max(spans),
        "span_events_mean": round(statistics.fmean(events), 1),
        # the same warm questions with detail=full: every span the whole state
        "full_inprocess_warm_p50_ms": ms(pct(full, 0.5)),
        "full_inprocess_warm_p99_ms": ms(pct(full, 0.99)),
        "full_spans_max": max(full_spans),
        "full_json_bytes_max": max(full_bytes),
    }


def history_http(data: Dataset) -> dict[str, Any]:
    data.ready()
    size = sizes()
    queries = data.queries(size["history_inprocess_queries"])
    chips = list(dict.fromkeys(q.chip for q in queries))[: size["history_chips"]]
    note(f"history: in process, {len(queries)} queries over {len(chips)} chips")
    inprocess = _inprocess(data, queries)
    note(f"  -> {inprocess}")
    probes = data.queries(len(chips), chips)
    requests = [
        (
            f"/v1/chips/{query.chip}/history",
            {
                "known_at": format_instant(query.at.known_at),
                "at_position": str(query.at.position),
                "detail": PAGE_DETAIL,
            },
        )
        for query in probes
    ]
    measured = serve_and_measure(
        data.db,
        requests,
        lambda i: _history(data, probes[i]),
        lambda key: chip_script(LUA, key, chips, data.position),
        size["history_http_seconds"],
        "history_http",
    )
    runs, cold = measured.runs, measured.cold
    main = runs[2]
    problems = [f"{c} connections: {r['errors']} errors" for c, r in runs.items() if r["errors"]]
    line = emit(
        "history_p99_ms_http",
        main["p99_ms"],
        "ms",
        None,
        target_ms=50,
        connections=2,
        p50_ms=main["p50_ms"],
        max_ms=main["max_ms"],
        requests=main["requests"],
        requests_per_s=main["rps"],
        by_connections={str(c): r for c, r in runs.items()},
        cold_http_p50_ms=ms(pct(cold, 0.5)),
        cold_http_p99_ms=ms(pct(cold, 0.99)),
        **inprocess,
        client=(
            f"wrk + Lua ({LUA.name}): random chip of the {len(chips)} warmed, known_at "
            f"uniform over the data's dates, at_position = checkpoint, detail={PAGE_DETAIL}"
        ),
        server=measured.topology,
        data=data.facts,
        **({"error": "; ".join(problems)} if problems else {}),
    )
    if problems:
        raise Reported("; ".join(problems))
    return line
