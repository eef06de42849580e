"""The steps the served-read HTTP figures share (`pit_query_p99_ms_http`, `check_p99_ms_http`,
`history_p99_ms_http`): `regtl serve` on the data set's database, a cold pass from httpx (each
request once, sequentially; it also warms the server) whose first answers are compared byte
for byte with the in-process ones, then wrk at 1, 2 and 4 connections with the figure's Lua
script."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from projections.canonical import dumps
from tests.bench.common import (
    FreshDb,
    Stopwatch,
    note,
    postgres_cpu_delta,
    postgres_cpu_seconds,
)
from tests.bench.server import Server
from tests.bench.wrk import run_wrk, script_file, wrk_binary, wrk_summary

CONNECTIONS = (1, 2, 4)
CHECKED = 50  # HTTP answers compared byte for byte with the in-process ones

Request = tuple[str, dict[str, str]]  # a path and its query parameters


@dataclass
class ServedRuns:
    cold: list[float]  # the httpx pass: seconds per request
    cold_client_cpu: float  # this process's CPU seconds during that pass
    runs: dict[int, dict[str, Any]]  # wrk's, by connections
    topology: str  # the server's


def serve_and_measure(
    db: FreshDb,
    requests: Sequence[Request],
    in_process: Callable[[int], Any],
    script: Callable[[str], str],
    seconds: int,
    label: str,
    *,
    explain: Callable[[int, Any, Any], str] | None = None,
    db_cpu: bool = False,
) -> ServedRuns:
    """Serve `db`; GET each of `requests` once from httpx (any answer but 200 raises), the
    first CHECKED equal to `dumps(in_process(i))` byte for byte (else RuntimeError naming how
    many differ and the first: `explain(i, HTTP answer, in-process answer)`, or the request);
    then wrk for `seconds` at each of CONNECTIONS with `script(server key)`. With `db_cpu`,
    each run also gives its wall seconds and PostgreSQL's CPU seconds."""
    wrk = wrk_binary()
    with Server(db) as server:
        watch = Stopwatch()
        cold = _cold_pass(server, requests, in_process, explain)
        cold_client_cpu = watch.cpu
        runs: dict[int, dict[str, Any]] = {}
        with script_file(script(server.key)) as path:
            for connections in CONNECTIONS:
                args = [wrk, f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s"]
                args += ["--timeout", "10s", "--latency", "-s", path, server.base]
                note(f"{label}: {' '.join(args)}")
                runs[connections] = _wrk_run(server, args, db_cpu)
                note(f"  -> {runs[connections]}")
        return ServedRuns(cold, cold_client_cpu, runs, server.topology)


def _cold_pass(
    server: Server,
    requests: Sequence[Request],
    in_process: Callable[[int], Any],
    explain: Callable[[int, Any, Any], str] | None,
) -> list[float]:
    latencies: list[float] = []
    mismatches: list[str] = []
    with httpx.Client(
        base_url=server.base,
        headers={"Authorization": f"Bearer {server.key}"},
        timeout=30,
        trust_env=False,
    ) as client:
        for i, (path, params) in enumerate(requests):
            t0 = time.perf_counter()
            answer = client.get(path, params=params)
            latencies.append(time.perf_counter() - t0)
            if answer.status_code != 200:
                raise RuntimeError(
                    f"GET {path} {params} answered {answer.status_code}: {answer.text[:300]}"
                )
            if i < CHECKED:
                mine = in_process(i)
                if answer.content != dumps(mine):
                    said = explain(i, answer.json(), mine) if explain else f"GET {path} {params}"
                    mismatches.append(said)
    if mismatches:
        raise RuntimeError(
            f"{len(mismatches)} of {min(CHECKED, len(requests))} HTTP answers differ from "
            f"the in-process ones, first: {mismatches[0]}"
        )
    return latencies


def _wrk_run(server: Server, args: list[str], db_cpu: bool) -> dict[str, Any]:
    server_cpu_before = server.cpu_seconds()
    pg_before = postgres_cpu_seconds() if db_cpu else {}
    text, user, system = run_wrk(args)
    s = wrk_summary(text)
    run: dict[str, Any] = {"requests": s["requests"]}
    if db_cpu:
        run["seconds"] = round(s["duration_us"] / 1e6, 2)
    run |= {
        "rps": round(s["requests"] / (s["duration_us"] / 1e6), 1),
        "p50_ms": round(s["p50_us"] / 1000, 2),
        "p99_ms": round(s["p99_us"] / 1000, 2),
        "max_ms": round(s["max_us"] / 1000, 2),
        "errors": sum(s["errors"].values()),
        "client_cpu_s": round(user + system, 2),
        "server_cpu_s": round(server.cpu_seconds() - server_cpu_before, 2),
    }
    if db_cpu:
        pg = postgres_cpu_delta(pg_before)
        run["db_cpu_s"] = None if pg is None else round(pg, 2)
    return run
