"""Ingest over HTTP: `ingest_single_http` (wrk, 16 connections, one event per request) and
`ingest_batch` (batches of 1,000 from httpx)."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.bench.baseline import Baseline
from tests.bench.common import (
    BenchFarm,
    Reported,
    Stopwatch,
    count_events,
    emit,
    fresh_database,
    note,
    postgres_cpu_delta,
    postgres_cpu_seconds,
)
from tests.bench.ingest.inprocess import THREADS
from tests.bench.server import Server
from tests.bench.stats import ms, pct
from tests.bench.wrk import lua_script, run_wrk, script_file, wrk_binary, wrk_summary
from tests.support.builders import company

LUA = Path(__file__).parent.with_name("single_event.lua")
MAX_NON_2XX_FRACTION = 0.01


# -- 2. over HTTP, wrk, 16 connections -----------------------------------------------------


def ingest_single_http(farm: BenchFarm, baseline: Baseline, duration: float) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    wrk = wrk_binary()
    with fresh_database(farm) as db, Server(db) as server:
        # warm-up, and proof that the request wrk will send is accepted (201)
        for i in range(5):
            body = json.dumps(company(f"warm-{tag}-{i}")).encode()
            status, answer = server.post("/v1/events", body)
            if status != 201:
                raise RuntimeError(f"warm-up POST answered {status}: {answer[:500]!r}")
        with script_file(lua_script(LUA, KEY=server.key, TAG=tag)) as script:
            seconds = max(1, round(duration))
            args = [
                wrk,
                "-t2",
                f"-c{THREADS}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script,
                f"{server.base}/v1/events",
            ]
            note(f"ingest_single_http: {' '.join(args)}")
            server_cpu_before = server.cpu_seconds()
            pg_before = postgres_cpu_seconds()
            worker_cpu_before = server.worker_cpu_seconds()
            text, user, system = run_wrk(args)
            server_cpu = server.cpu_seconds() - server_cpu_before
            worker_cpu = server.worker_cpu_seconds() - worker_cpu_before
            pg_cpu = postgres_cpu_delta(pg_before)
        time.sleep(0.5)  # let any request still in flight when wrk stopped land
        stored = count_events(db) - 5
        log_tail = server.log_tail(600)
    s = wrk_summary(text)
    wall = s["duration_us"] / 1e6
    errors = s["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    non_2xx = errors["status"]
    created = s["requests"] - non_2xx - socket_errors
    # The Lua script counts 201s only if wrk calls response(); it does not (that would slow
    # wrk), so "created" is requests minus non-2xx minus socket errors (the route answers 201
    # or a problem) and is checked against the rows the log holds.
    problems = []
    if s["requests"] == 0 or (non_2xx + socket_errors) > MAX_NON_2XX_FRACTION * s["requests"]:
        problems.append(
            f"{non_2xx} non-2xx and {socket_errors} socket errors of {s['requests']} "
            f"requests; server log tail: {log_tail}"
        )
    if abs(stored - created) > THREADS:
        problems.append(f"wrk counted {created} created but the log holds {stored} new rows")
    line = emit(
        "ingest_single_http",
        created / wall,
        "requests/s (201)",
        baseline.rate,
        connections=THREADS,
        wrk_threads=2,
        seconds=round(wall, 3),
        requests=s["requests"],
        non_2xx=non_2xx,
        socket_errors=socket_errors,
        wrk_errors=errors,
        stored=stored,
        latency_p50_ms=round(s["p50_us"] / 1000, 2),
        latency_p99_ms=round(s["p99_us"] / 1000, 2),
        client_cpu_s=round(user + system, 2),
        server_cpu_s=round(server_cpu, 2),
        db_cpu_s=None if pg_cpu is None else round(pg_cpu, 2),
        worker_cpu_s=round(worker_cpu, 2),
        server=f"{server.topology}, log level "
        + os.environ.get("BENCH_SERVER_LOG_LEVEL", "warning"),
        **({"error": "; ".join(problems)} if problems else {}),
        **baseline.describe(),
    )
    if problems:
        raise Reported("; ".join(problems))
    return line


# -- 3. batches of 1,000 over HTTP -----------------------------------------------------------

BATCH_CONNECTIONS = int(os.environ.get("BENCH_BATCH_CONNECTIONS", "2"))


def _projection_catch_up(server: Server, timeout: float = 300.0) -> float:
    """Start the worker and time how long projections take to reach the log's head: the
    work the API-only figure leaves for later, measured rather than hidden."""
    server.start_worker()
    start = time.perf_counter()
    with httpx.Client(base_url=server.base, timeout=10, trust_env=False) as client:
        while time.perf_counter() - start < timeout:
            report = client.get("/readyz").json()
            if all(p["lag"] == 0 for p in report["projections"].values()):
                return time.perf_counter() - start
            time.sleep(0.05)
    raise Reported(f"projections did not catch up within {timeout:.0f} s")


def ingest_batch(farm: BenchFarm, baseline: Baseline, batch: int, batches: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    bodies = [
        json.dumps({"events": [company(f"b-{tag}-{b}-{i}") for i in range(batch)]}).encode()
        for b in range(batches)
    ]
    topology = os.environ.get("BENCH_BATCH_TOPOLOGY", "api-only")
    with fresh_database(farm) as db, Server(db, topology=topology) as server:
        headers = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}
        latencies: list[float] = []
        failures: list[str] = []
        with httpx.Client(
            base_url=server.base, headers=headers, timeout=60, trust_env=False
        ) as client:
            warm = json.dumps({"events": [company(f"warm-{tag}-{i}") for i in range(5)]}).encode()
            answer = client.post("/v1/events/batch", content=warm)
            if answer.status_code != 201:
                raise RuntimeError(
                    f"warm-up batch answered {answer.status_code}: {answer.text[:500]}"
                )
            server_cpu_before = server.cpu_seconds()
            worker_cpu_before = server.worker_cpu_seconds()
            pg_before = postgres_cpu_seconds()
            watch = Stopwatch()
            created = 0
            lock = threading.Lock()

            def send(mine: list[bytes]) -> None:
                nonlocal created
                # Each sender has its own connection, so the server is never idle while a
                # client builds its next request or reads an answer.
                with httpx.Client(
                    base_url=server.base, headers=headers, timeout=60, trust_env=False
                ) as own:
                    for body in mine:
                        t0 = time.perf_counter()
                        answer = own.post("/v1/events/batch", content=body)
                        with lock:
                            latencies.append(time.perf_counter() - t0)
                            if answer.status_code == 201:
                                created += len(answer.json()["items"])
                            else:
                                failures.append(f"{answer.status_code}: {answer.text[:300]}")

            senders = [
                threading.Thread(target=send, args=(bodies[n::BATCH_CONNECTIONS],))
                for n in range(BATCH_CONNECTIONS)
            ]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
            seconds, client_cpu = watch.elapsed, watch.cpu
            server_cpu = server.cpu_seconds() - server_cpu_before
            worker_cpu = server.worker_cpu_seconds() - worker_cpu_before
            pg_cpu = postgres_cpu_delta(pg_before)
        stored = count_events(db) - 5
        topology = server.topology
        catch_up = (
            _projection_catch_up(server)
            if topology.startswith("regtl serve --no-worker;")
            else None
        )
    line = emit(
        "ingest_batch",
        created / seconds,
        "events/s",
        baseline.rate,
        batch=batch,
        batches=batches,
        seconds=round(seconds, 3),
        failed_batches=len(failures),
        stored=stored,
        batch_p50_ms=ms(pct(latencies, 0.5)),
        batch_max_ms=ms(max(latencies)),
        client_cpu_s=round(client_cpu, 2),
        server_cpu_s=round(server_cpu, 2),
        db_cpu_s=None if pg_cpu is None else round(pg_cpu, 2),
        worker_cpu_s=round(worker_cpu, 2),
        server=topology,
        projection_catch_up_s=None if catch_up is None else round(catch_up, 2),
        projection_events_per_s=None if not catch_up else round((stored + 5) / catch_up),
        client=f"httpx, {BATCH_CONNECTIONS} connections, each sequential, bodies pre-serialised",
        **({"error": f"{len(failures)} batches failed, first: {failures[0]}"} if failures else {}),
        **baseline.describe(),
    )
    if failures:
        raise Reported(f"{len(failures)} batches failed")
    return line
