"""docs/performance.md `webhook_latency_p99_ms`: idle event → delivered latency.

One process runs the full in-process stack (`container.start(worker=True)`: writer, projector
runner, fan-out, delivery worker, scheduler) and appends one event at a time through
`container.writer.append`, spaced at random so that the stack is idle between events;
latency = the receiver's arrival time − the append call's return (CLOCK_MONOTONIC in both
processes).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from cryptography.fernet import Fernet

from domain.clocks import to_micros, utc_now
from services.bootstrap import bootstrap
from services.webhooks.messages import message_id
from tests.bench.common import BenchFarm, FreshDb, Reported, emit, fresh_database
from tests.bench.stats import pct, rounded
from tests.bench.webhooks.harness import bench_settings, company_items, delivery_counts, subscribe
from tests.bench.webhooks.receiver import Receiver

TARGET_P99_MS = 1000.0


def webhook_latency_p99_ms(
    farm: BenchFarm, events: int, gap: tuple[float, float]
) -> dict[str, Any]:
    key = Fernet.generate_key().decode()
    tag = uuid.uuid4().hex[:6]
    rng = random.Random(20250811)
    with (
        tempfile.TemporaryDirectory(prefix="regtl-bench-wh-") as tmp,
        fresh_database(farm) as db,
        Receiver(Path(tmp), log=True) as receiver,
    ):
        container = bootstrap(bench_settings(db, key, Path(tmp)))
        appended: dict[str, tuple[int, int]] = {}  # msg id → (monotonic ns, wall µs) at return
        try:
            subscribe(container, receiver.url)
            container.start(worker=True)
            for i in range(3):  # warm-up: connections, first rounds
                container.writer.append(company_items(tag + "w", i, 1), "bench")
            _wait_delivered(db, 3, 15)
            for i in range(events):
                time.sleep(rng.uniform(*gap))
                result = container.writer.append(company_items(tag, i, 1), "bench")
                done_ns, done_us = time.monotonic_ns(), to_micros(utc_now())
                event = result.items[0].event
                appended[message_id(event.event_id, event.type)] = (done_ns, done_us)
            delivered = _wait_delivered(db, 3 + events, 15)
        finally:
            container.close()
        with psycopg.connect(db.owner_url) as conn:
            made = {
                str(m): int(c)
                for m, c in conn.execute(
                    "SELECT m.msg_id, d.created_at_us FROM webhook_delivery d "
                    "JOIN webhook_message m ON m.id = d.message_id"
                ).fetchall()
            }
        receiver.stop()
        arrivals = receiver.arrivals()
    latencies, to_fanout = [], []
    for msg, (at_ns, at_us) in appended.items():
        if msg in arrivals:
            latencies.append((arrivals[msg] - at_ns) / 1e6)
        if msg in made:
            to_fanout.append((made[msg] - at_us) / 1000)
    missing = events - len(latencies)
    p99 = pct(latencies, 0.99)
    line = emit(
        "webhook_latency_p99_ms",
        p99 if not missing else None,
        "ms",
        None,
        n=events,
        delivered=delivered - 3,
        received=len(latencies),
        missing=missing,
        p50_ms=rounded(pct(latencies, 0.5)),
        p90_ms=rounded(pct(latencies, 0.9)),
        p99_ms=rounded(p99),
        max_ms=rounded(max(latencies) if latencies else None),
        mean_ms=rounded(statistics.mean(latencies) if latencies else None),
        append_to_fanout_p50_ms=rounded(pct(to_fanout, 0.5)),
        append_to_fanout_p99_ms=rounded(pct(to_fanout, 0.99)),
        gap_s=list(gap),
        stack="bench process: bootstrap + container.start(worker=True) (writer, projector runner, "
        "fan-out, delivery worker, scheduler, LISTEN); one CompanyRegistered per "
        "writer.append call, random gaps",
        clock="receiver CLOCK_MONOTONIC arrival − time.monotonic_ns() at append return",
        receiver=receiver.kind,
        target_ms=TARGET_P99_MS,
        **(
            {"error": f"{missing} of {events} events never reached the receiver"} if missing else {}
        ),
    )
    if missing:
        raise Reported(line["error"])
    return line


def _wait_delivered(db: FreshDb, n: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    delivered = 0
    while time.monotonic() < deadline:
        delivered = delivery_counts(db).get("delivered", 0)
        if delivered >= n:
            break
        time.sleep(0.05)
    return delivered
