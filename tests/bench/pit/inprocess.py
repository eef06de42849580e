"""The in-process point-in-time figures: `pit_query_p99_ms_inprocess` (cold and warm
latency of `container.pit.state` as the route runs it) and `pit_speedup_vs_fold` (against
the reference fold over the whole log read from the store, answers checked equal)."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections import Counter
from typing import Any

from domain.events import Recorded
from domain.pit import state as fold_state
from projections.state_queries import Reading
from services import heap
from services.bootstrap import Container
from services.read.pit import PointInTime
from tests.bench.common import Reported, Stopwatch, emit, postgres_cpu_delta, postgres_cpu_seconds
from tests.bench.pit.dataset import Dataset, Query
from tests.bench.pit.workload import sizes
from tests.bench.stats import ms
from tests.bench.v2_mix import v2_in_answer

SERVED_REPEATS = 5  # the served side of the speedup: each sample query timed this often
SLICE_SAMPLE = 300  # queries whose slice (events read and folded) is counted


def _pct(values: list[float], q: float) -> float:
    """Nearest rank (tests.bench.stats.pct picks one rank higher when q x n is whole)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def summary(latencies: list[float], prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}n": len(latencies),
        f"{prefix}p50_ms": ms(_pct(latencies, 0.5)),
        f"{prefix}p99_ms": ms(_pct(latencies, 0.99)),
        f"{prefix}max_ms": ms(max(latencies)),
        f"{prefix}mean_ms": ms(statistics.fmean(latencies)),
    }


def served(container: Container, pit: PointInTime, query: Query) -> dict[str, Any] | None:
    """What GET /v1/chips/{chip} computes (services/api/routes/subjects.py)."""
    with Reading(container.engine) as db:  # as the route does: connects only if needed
        return pit.state(db, "chip", query.chip, query.at)


def time_queries(
    container: Container, pit: PointInTime, queries: list[Query]
) -> tuple[list[float], int]:
    latencies, missing = [], 0
    for query in queries:
        t0 = time.perf_counter()
        answer = served(container, pit, query)
        latencies.append(time.perf_counter() - t0)
        missing += answer is None
    return latencies, missing


def slice_sizes(container: Container, queries: list[Query]) -> tuple[list[int], list[int]]:
    """Per query: the chip's slice (own aggregates' events + every criteria measure's) and
    what is folded of it (criteria measures that can never cover the chip left out)."""
    from projections.slice_cache import CRITERIA

    raw, folded = [], []
    pit = container.pit
    with Reading(container.engine) as db:
        for query in queries:
            P = query.at.position
            raw.append(
                len(
                    set(pit.slices.positions(db, f"chip:{query.chip}", P))
                    | set(pit.slices.positions(db, CRITERIA, P))
                )
            )
            folded.append(pit.prepared_slice(db, "chip", query.chip, P).size)
    return raw, folded


def v2_shown(container: Container, pit: PointInTime, queries: list[Query]) -> dict[str, Any]:
    """How many of the timed answers show catalog v2 (a destination reached through a
    group, a suspended measure, a review policy, a licence exception), read again untimed."""
    seen: Counter[str] = Counter()
    for query in queries:
        parts = v2_in_answer(served(container, pit, query))
        seen.update(parts)
        seen["any"] += bool(parts)
    return {"n": len(queries), **dict(sorted(seen.items()))}


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def preload(container: Container, pit: PointInTime, chips: list[str], position: int) -> int:
    """The state of a serving process that has answered for a while: every projected event
    decoded (the cache holds 300,000, more than this log) and every chip read once at P, so
    its slice is held (the timed queries then use other T and K)."""
    from sqlalchemy import select

    from projections.projector import active_tables
    from projections.state_queries import written

    with container.engine.connect() as conn:
        e = active_tables(conn).event
        positions = list(conn.execute(select(e.c.position)).scalars())
        count = len(written(Reading(conn=conn), positions, pit.cache))
        for chip in chips:
            pit.prepared_slice(Reading(conn=conn), "chip", chip, position)
    return count


def pit_inprocess(data: Dataset) -> dict[str, Any]:
    data.ready()
    size = sizes()
    container = data.container
    heap.settle()  # what `regtl serve` does once started (services/heap.py)
    # Cold: a fresh decoded-event cache, each query's chip touched for the first time (the
    # criteria measures every chip's slice holds are decoded by the first query only).
    cold_chips = data.probe_chips(size["pit_cold_queries"])
    cold, _ = time_queries(container, PointInTime(), data.queries(len(cold_chips), cold_chips))
    # Warm: every event already decoded, as in a process that has served for a while.
    pit = container.pit
    rss_before, watch = _rss_mb(), Stopwatch()
    cached = preload(container, pit, data.chips, data.position)
    preload_s, cache_mb = watch.elapsed, _rss_mb() - rss_before
    queries = data.queries(size["pit_queries"])
    time_queries(container, pit, queries[:20])  # connections, statement caches
    pg_before = postgres_cpu_seconds()
    watch = Stopwatch()
    latencies, missing = time_queries(container, pit, queries)
    seconds, cpu, pg_cpu = watch.elapsed, watch.cpu, postgres_cpu_delta(pg_before)
    raw, folded = slice_sizes(container, queries[:SLICE_SAMPLE])
    shown = v2_shown(container, pit, queries)
    line = emit(
        "pit_query_p99_ms_inprocess",
        ms(_pct(latencies, 0.99)),
        "ms",
        None,
        **summary(latencies, ""),
        seconds=round(seconds, 2),
        process_cpu_s=round(cpu, 2),
        db_cpu_s=None if pg_cpu is None else round(pg_cpu, 2),
        not_found=missing,
        **summary(cold, "cold_"),
        cache_preload={
            "events": cached,
            "seconds": round(preload_s, 1),
            "rss_growth_mb": round(cache_mb),
        },
        slice_events={
            "n": len(raw),
            "p50": int(_pct(raw, 0.5)),
            "p99": int(_pct(raw, 0.99)),
            "max": max(raw),
        },
        folded_events={
            "n": len(folded),
            "p50": int(_pct(folded, 0.5)),
            "p99": int(_pct(folded, 0.99)),
            "max": max(folded),
        },
        catalog_v2_answers=shown,
        workload=(
            "container.pit.state(Reading(engine), 'chip', chip, Coordinates(T, K, "
            "P=checkpoint)) per query as the route runs it (a connection only if the "
            "read needs the database), 1 thread, after services.heap.settle(); random chips "
            "(Dataset.probe_chip: half of them named by a measure using catalog v2), T and K "
            "uniform over the data's dates; catalog_v2_answers: how many answers show it; "
            "warm = every event already decoded and every chip read once (its slice "
            "held), as in a process that has served for a while; cold = fresh caches, first touch of each chip"
        ),
        data=data.facts,
    )
    data.results.update(warm_mean=statistics.fmean(latencies), cold_mean=statistics.fmean(cold))
    if missing:
        raise Reported(f"{missing} chips not found")
    return line


def read_whole_log(container: Container, page: int = 10_000) -> list[tuple[int, Any]]:
    events: list[tuple[int, Any]] = []
    after = 0
    while True:
        notes = container.log.notifications(after, page)
        if not notes:
            return events
        for n in notes:
            event = container.log.mapper.to_domain_event(n)
            if isinstance(event, Recorded):
                events.append((n.id, event))
        after = notes[-1].id


def pit_speedup_vs_fold(data: Dataset) -> dict[str, Any]:
    data.ready()
    size = sizes()
    container, pit = data.container, data.container.pit
    if "warm_mean" not in data.results:  # the in-process figure did not run: warm up here
        preload(container, pit, data.chips, data.position)
    sample = data.queries(size["pit_fold_sample"])
    fold_times, read_times, served_times = [], [], []
    mismatches: list[str] = []
    for query in sample:
        t0 = time.perf_counter()
        events = read_whole_log(container)
        t1 = time.perf_counter()
        expected = fold_state(
            "chip", query.chip, events, query.at.as_of, query.at.known_at, query.at.position
        )
        fold_times.append(time.perf_counter() - t0)
        read_times.append(t1 - t0)
        answer = served(container, pit, query)
        for _ in range(SERVED_REPEATS):
            t0 = time.perf_counter()
            served(container, pit, query)
            served_times.append(time.perf_counter() - t0)
        if answer != expected:
            mismatches.append(first_difference(query, expected, answer))
    # More answers checked against the same fold, over the log read once (equality only).
    checks = data.queries(size["pit_equality_sample"])
    events = read_whole_log(container)
    for query in checks:
        expected = fold_state(
            "chip", query.chip, events, query.at.as_of, query.at.known_at, query.at.position
        )
        answer = served(container, pit, query)
        if answer != expected:
            mismatches.append(first_difference(query, expected, answer))
    fold_mean, served_mean = statistics.fmean(fold_times), statistics.fmean(served_times)
    extra = {
        "fold_mean_ms": ms(fold_mean),
        "fold_read_decode_mean_ms": ms(statistics.fmean(read_times)),
        "fold_n": len(fold_times),
        "served_mean_ms": ms(served_mean),
        "served_warm_mean_ms_main_sample": (
            ms(data.results["warm_mean"]) if "warm_mean" in data.results else None
        ),
        "speedup_vs_cold_mean": (
            round(fold_mean / data.results["cold_mean"], 1) if "cold_mean" in data.results else None
        ),
        "log_events": len(events),
        "equal_checked": len(sample) + len(checks),
        "mismatches": len(mismatches),
        "workload": (
            "fold = container.log.notifications over the whole log (pages of 10,000), "
            "mapper.to_domain_event, domain.pit.state; served = container.pit.state, "
            f"warm, on the same (chip, T, K, P), each timed {SERVED_REPEATS} times; value = mean fold / mean served "
            f"over a sample of {len(fold_times)} (the fold is slow); equality also "
            f"checked on {len(checks)} more queries against one read of the log"
        ),
    }
    if mismatches:
        emit(
            "pit_speedup_vs_fold",
            None,
            "x",
            None,
            **extra,
            error=f"{len(mismatches)} answers differ from the reference fold, first: "
            f"{mismatches[0]}",
        )
        raise Reported("answers differ from the fold")
    return emit("pit_speedup_vs_fold", fold_mean / served_mean, "x", None, **extra)


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d
            for k in sorted(set(a) | set(b))
            for d in _differences(a.get(k), b.get(k), f"{path}/{k}")
        ]
    return [] if a == b else [f"{path}: {str(a)[:300]} != {str(b)[:300]}"]


def first_difference(query: Query, left: Any, right: Any) -> str:
    found = _differences(left, right)
    return f"{query.chip} at {query.at.echo()}: {found[0] if found else 'same values, other bytes'}"
