"""`ingest_single_concurrent`: single events in process, 16 threads, one event per call."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from typing import Any

from services.bootstrap import bootstrap
from services.settings import Settings
from services.write.parsing import parse_envelope
from services.write.writer import Item
from tests.bench.baseline import Baseline
from tests.bench.common import (
    BenchFarm,
    Stopwatch,
    count_events,
    emit,
    fresh_database,
    note,
    postgres_cpu_delta,
    postgres_cpu_seconds,
)
from tests.bench.stats import ms, pct
from tests.support.builders import company

THREADS = 16


def ingest_single_concurrent(farm: BenchFarm, baseline: Baseline, events: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    with fresh_database(farm) as db:
        container = bootstrap(Settings(database_url=db.service_url))
        saves: list[
            int
        ] = []  # objects per library save() = group size (events, + idempotency records)
        original_save = container.log.save

        def counting_save(*objs: Any, **kwargs: Any) -> Any:
            saves.append(len(objs))
            return original_save(*objs, **kwargs)

        container.log.save = counting_save  # type: ignore[method-assign]
        container.writer.start()
        try:
            for i in range(5):  # warm-up: connections, caches
                container.writer.append([Item(parse_envelope(company(f"warm-{tag}-{i}")))], "bench")
            saves.clear()
            bodies = [company(f"c-{tag}-{i}") for i in range(events)]
            latencies: list[list[float]] = [[] for _ in range(THREADS)]
            errors: list[BaseException] = []
            done = [0] * THREADS
            start = threading.Barrier(THREADS + 1)

            def work(index: int) -> None:
                mine = latencies[index]
                start.wait()
                for body in bodies[index::THREADS]:
                    t0 = time.perf_counter()
                    try:
                        # what the POST route does: validate, then the writer's use case
                        envelope = parse_envelope(body)
                        container.writer.append([Item(envelope)], "bench")
                        done[index] += 1
                    except Exception as error:  # noqa: BLE001 - counted and reported
                        errors.append(error)
                    mine.append(time.perf_counter() - t0)

            pool = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(THREADS)]
            for t in pool:
                t.start()
            pg_before = postgres_cpu_seconds()
            start.wait()
            watch = Stopwatch()
            for t in pool:
                t.join()
            seconds, cpu = watch.elapsed, watch.cpu
            pg_cpu = postgres_cpu_delta(pg_before)
        finally:
            container.writer.stop()
            container.close()
        stored = count_events(db) - 5
    ok = sum(done)
    flat = [x for per in latencies for x in per]
    if errors:
        note(f"ingest_single_concurrent: {len(errors)} errors, first: {errors[0]!r}")
    if ok != stored:
        note(f"ingest_single_concurrent: {ok} appends answered but {stored} rows stored")
    return emit(
        "ingest_single_concurrent",
        ok / seconds,
        "events/s",
        baseline.rate,
        n=events,
        threads=THREADS,
        seconds=round(seconds, 3),
        errors=len(errors),
        stored=stored,
        saves=len(saves),
        mean_group=round(statistics.mean(saves), 2) if saves else None,
        max_group=max(saves) if saves else None,
        latency_p50_ms=ms(pct(flat, 0.5)),
        latency_p99_ms=ms(pct(flat, 0.99)),
        process_cpu_s=round(cpu, 2),
        db_cpu_s=None if pg_cpu is None else round(pg_cpu, 2),
        workload="CompanyRegistered, unique slugs; parse_envelope + writer.append per call; "
        "writer started, projector not running",
        **baseline.describe(),
    )
