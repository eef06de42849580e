"""docs/performance.md `webhook_deliveries_per_s`: delivery throughput of the production worker.

N CompanyRegistered events (BENCH_SCALE x 5,000) are stored, projected and fanned out (no
worker running) to one subscription created through the container, giving N signed
deliveries; they are parked in the future, a `regtl worker` subprocess is started (the
production worker: projector + fan-out + scheduler + delivery worker), and once it idles every
delivery is made due at once (one UPDATE). The figure is N / (due → every row `delivered` in
webhook_delivery, polled every 20 ms). Sender CPU is the worker process's CPU over that
window. Baseline: a raw `http.client` POST loop to the same receiver from 16 threads with one
new connection per POST (the worker's transport, without the database, the signing or the
leases); the keep-alive rate of the same loop is reported beside it as what connection reuse
could reach.
"""

from __future__ import annotations

import http.client
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from cryptography.fernet import Fernet
from sqlalchemy import text

from domain.clocks import to_micros, utc_now
from services.bootstrap import bootstrap
from services.webhooks.signing import new_secret, signature_header
from tests.bench.common import (
    BenchFarm,
    Reported,
    emit,
    fresh_database,
    postgres_cpu_delta,
    postgres_cpu_seconds,
    proc_cpu_seconds,
)
from tests.bench.stats import rounded
from tests.bench.webhooks.harness import (
    Worker,
    bench_settings,
    company_items,
    delivery_counts,
    subscribe,
)
from tests.bench.webhooks.receiver import Receiver

THREADS_BASELINE = 16  # the worker's default webhook_threads
POLL_SECONDS = 0.02
TARGET_RATE, STRETCH_RATE = 300.0, 500.0


def raw_post_loop(
    url: str, body: bytes, n: int, *, keepalive: bool, threads: int = THREADS_BASELINE
) -> dict[str, Any]:
    """16 threads POSTing `body` with stdlib http.client, as the worker does but nothing else:
    one new connection per POST (the worker's pattern) or one kept-alive connection per thread.
    Signed per request like the worker (HMAC, a fresh timestamp)."""
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    secret = new_secret()
    counter = iter(range(n))
    lock = threading.Lock()
    failures: list[str] = []

    def work() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            msg = f"msg_baseline_{i}"
            stamp = int(time.time())
            headers = {
                "webhook-id": msg,
                "webhook-timestamp": str(stamp),
                "webhook-signature": signature_header([secret], msg, stamp, body),
                "Content-Type": "application/json",
                "Content-Length": str(len(body)),
            }
            try:
                conn.request("POST", "/hook", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 204:
                    failures.append(str(response.status))
            except (OSError, http.client.HTTPException) as error:
                failures.append(repr(error))
                conn.close()
            if not keepalive:
                conn.close()
        conn.close()

    pool = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    cpu0, t0 = time.process_time(), time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"rate": n / seconds, "seconds": seconds, "cpu_s": cpu, "failures": len(failures)}


def webhook_deliveries_per_s(farm: BenchFarm, n: int) -> dict[str, Any]:
    key = Fernet.generate_key().decode()
    tag = uuid.uuid4().hex[:6]
    with (
        tempfile.TemporaryDirectory(prefix="regtl-bench-wh-") as tmp,
        fresh_database(farm) as db,
        Receiver(Path(tmp)) as receiver,
    ):
        work = Path(tmp)
        container = bootstrap(bench_settings(db, key, work))
        try:
            sub_id = subscribe(container, receiver.url)
            t0 = time.perf_counter()
            for start in range(0, n, 500):  # the writer not started: written in this thread
                container.writer.append(
                    company_items(tag, start, min(500, n - start)), "bench", batch=True
                )
            appended_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            container.catch_up()
            projected_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            container.webhooks.fanout.catch_up()
            fanout_s = time.perf_counter() - t0
            with container.engine.connect() as conn:
                body_bytes = conn.execute(
                    text("SELECT avg(length(body)) FROM webhook_message")
                ).scalar()
                sample = bytes(
                    conn.execute(
                        text("SELECT body FROM webhook_message ORDER BY id LIMIT 1")
                    ).scalar_one()
                )
        finally:
            container.close()
        counts = delivery_counts(db)
        if counts.get("pending", 0) != n:
            raise RuntimeError(f"fan-out made {counts}, expected {n} pending deliveries")
        # parked: due in a day, until the worker is up and idle
        with psycopg.connect(db.owner_url) as conn:
            conn.execute(
                "UPDATE webhook_delivery SET next_attempt_us = next_attempt_us + %s",
                (86_400_000_000,),
            )
        with Worker(db, key, work) as worker:
            time.sleep(1.0)  # its first rounds (projector, fan-out: nothing to do) are over
            pg0, sender0, recv0 = (
                postgres_cpu_seconds(),
                worker.cpu_seconds(),
                receiver.cpu_seconds(),
            )
            with psycopg.connect(db.owner_url, autocommit=True) as conn:
                t0 = time.perf_counter()
                conn.execute(
                    "UPDATE webhook_delivery SET next_attempt_us = %s", (to_micros(utc_now()),)
                )
                limit = max(60.0, n / 20)
                delivered = 0
                first_seen: float | None = None
                while True:
                    row = conn.execute(
                        "SELECT count(*) FILTER (WHERE status = 'delivered'), "
                        "count(*) FILTER (WHERE status NOT IN ('pending', 'delivered'))"
                        " FROM webhook_delivery"
                    ).fetchone()
                    assert row is not None
                    delivered, other = int(row[0]), int(row[1])
                    now = time.perf_counter()
                    if delivered and first_seen is None:
                        first_seen = now - t0
                    if delivered + other >= n or now - t0 > limit:
                        break
                    time.sleep(POLL_SECONDS)
                seconds = time.perf_counter() - t0
                sender_cpu = worker.cpu_seconds() - sender0
                receiver_cpu = receiver.cpu_seconds() - recv0
                pg_cpu = postgres_cpu_delta(pg0)
                db_cpu = _backend_cpu(conn, db.name, pg0)
            worker_log = worker.tail()
        with psycopg.connect(db.owner_url) as conn:
            attempts = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE status_code BETWEEN 200 AND 299), "
                "min(attempted_at_us), max(attempted_at_us) FROM webhook_attempt"
            ).fetchone()
        assert attempts is not None
        # reference: the same receiver, the raw http.client loop (16 threads)
        fresh = raw_post_loop(receiver.url, sample, n, keepalive=False)
        kept = raw_post_loop(receiver.url, sample, n, keepalive=True)
        receiver.stop()
    rate = delivered / seconds
    extra: dict[str, Any] = {}
    if delivered != n:
        extra["error"] = (
            f"only {delivered} of {n} delivered in {seconds:.1f} s "
            f"(other statuses: {other}); worker log: {worker_log[-500:]}"
        )
    line = emit(
        "webhook_deliveries_per_s",
        rate if delivered == n else None,
        "deliveries/s",
        fresh["rate"],
        n=n,
        delivered=delivered,
        seconds=round(seconds, 3),
        first_delivered_after_s=rounded(first_seen, 3),
        rate_after_first_delivery=(
            None
            if first_seen is None or seconds <= first_seen
            else round(delivered / (seconds - first_seen), 1)
        ),
        poll_s=POLL_SECONDS,
        attempts=int(attempts[0]),
        attempts_2xx=int(attempts[1]),
        sender="`regtl worker` subprocess (projector + fan-out + scheduler + delivery worker, "
        "webhook_threads=16, batch 100)",
        sender_cpu_s=round(sender_cpu, 2),
        sender_cpu_ms_per_delivery=round(1000 * sender_cpu / max(delivered, 1), 3),
        sender_cpu_utilisation=round(sender_cpu / seconds, 2),
        receiver=receiver.kind,
        receiver_cpu_s=round(receiver_cpu, 2),
        receiver_requests_from_worker=(
            None if "requests" not in receiver.stats else receiver.stats["requests"] - 2 * n
        ),
        receiver_unsigned=receiver.stats.get("unsigned"),
        db_cpu_s=None if db_cpu is None else round(db_cpu, 2),
        db_cpu_is="this database's backends (the worker's connections), not the poller",
        all_postgres_cpu_s=None if pg_cpu is None else round(pg_cpu, 2),
        body_bytes=None if body_bytes is None else round(float(body_bytes)),
        prepare={
            "append_s": round(appended_s, 2),
            "project_s": round(projected_s, 2),
            "fanout_s": round(fanout_s, 2),
            "fanout_per_s": round(n / fanout_s, 1) if fanout_s else None,
        },
        baseline_is="raw http.client POST loop, 16 threads, new connection per POST, signed, "
        "same receiver and body (bench process)",
        baseline_cpu_ms_per_post=round(1000 * fresh["cpu_s"] / n, 3),
        keepalive_loop_per_s=round(kept["rate"], 1),
        keepalive_loop_cpu_ms_per_post=round(1000 * kept["cpu_s"] / n, 3),
        baseline_failures=fresh["failures"] + kept["failures"],
        target=TARGET_RATE,
        stretch=STRETCH_RATE,
        subscription=sub_id,
        **extra,
    )
    if delivered != n:
        raise Reported(line["error"])
    return line


def _backend_cpu(
    conn: psycopg.Connection[Any], database: str, before: dict[int, float]
) -> float | None:
    """CPU of the live backends connected to `database` since `before` (this one excluded)."""
    if not before:
        return None
    pids = [
        int(r[0])
        for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    ]
    total = 0.0
    for pid in pids:
        try:
            total += proc_cpu_seconds(pid) - before.get(pid, 0.0)
        except (OSError, IndexError, ValueError):
            continue
    return total
