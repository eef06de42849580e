"""`pit_query_p99_ms_http`: GET /v1/chips/{chip} on `regtl serve`, a cold pass from httpx
(answers compared with the in-process ones), then wrk at 1, 2 and 4 connections."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from domain.clocks import format_instant
from projections.canonical import dumps
from tests.bench.common import (
    Reported,
    Stopwatch,
    emit,
    note,
    postgres_cpu_delta,
    postgres_cpu_seconds,
)
from tests.bench.pit.dataset import Dataset
from tests.bench.pit.inprocess import first_difference, served, summary
from tests.bench.pit.workload import END, START, sizes
from tests.bench.server import Server
from tests.bench.wrk import lua_script, run_wrk, script_file, wrk_binary, wrk_summary

LUA = Path(__file__).parent.with_name("pit_query.lua")
HTTP_CHECKED = 50  # HTTP answers compared byte for byte with the in-process ones


def chip_script(lua: Path, server_key: str, chips: list[str], position: int) -> str:
    """A wrk script asking about a random one of `chips` at a random K (and T) over the data's
    dates, at `position` (pit_query.lua, history_query.lua)."""
    low, high = START - timedelta(days=30), END + timedelta(days=90)
    return lua_script(
        lua,
        KEY=server_key,
        CHIPS=", ".join(f'"{c}"' for c in chips),
        LOW=str(int(low.timestamp())),
        HIGH=str(int(high.timestamp())),
        POSITION=str(position),
    )


def pit_http(data: Dataset) -> dict[str, Any]:
    data.ready()
    size = sizes()
    wrk = wrk_binary()
    chips = data.probe_chips(size["pit_http_chips"])
    runs: dict[int, dict[str, Any]] = {}
    with Server(data.db) as server:
        headers = {"Authorization": f"Bearer {server.key}"}
        # Cold pass (and warm-up): each chip once, sequentially, from httpx; answers checked
        # against the in-process ones on a sample.
        cold: list[float] = []
        mismatches: list[str] = []
        client_watch = Stopwatch()
        with httpx.Client(
            base_url=server.base, headers=headers, timeout=30, trust_env=False
        ) as client:
            for i, query in enumerate(data.queries(len(chips), chips)):
                params = {
                    "as_of": format_instant(query.at.as_of),
                    "known_at": format_instant(query.at.known_at),
                    "at_position": str(query.at.position),
                }
                t0 = time.perf_counter()
                answer = client.get(f"/v1/chips/{query.chip}", params=params)
                cold.append(time.perf_counter() - t0)
                if answer.status_code != 200:
                    raise RuntimeError(
                        f"GET /v1/chips/{query.chip} answered "
                        f"{answer.status_code}: {answer.text[:300]}"
                    )
                if i < HTTP_CHECKED:
                    mine = served(data.container, data.container.pit, query)
                    if answer.content != dumps(mine):
                        mismatches.append(first_difference(query, answer.json(), mine))
        cold_client_cpu = client_watch.cpu
        if mismatches:
            raise RuntimeError(
                f"{len(mismatches)} of {min(HTTP_CHECKED, len(chips))} HTTP "
                f"answers differ from the in-process ones, first: {mismatches[0]}"
            )
        with script_file(chip_script(LUA, server.key, chips, data.position)) as script:
            for connections in (1, 2, 4):
                args = [
                    wrk,
                    f"-t{min(2, connections)}",
                    f"-c{connections}",
                    f"-d{size['pit_http_seconds']}s",
                    "--timeout",
                    "10s",
                    "--latency",
                    "-s",
                    script,
                    server.base,
                ]
                note(f"pit_http: {' '.join(args)}")
                server_cpu_before = server.cpu_seconds()
                pg_before = postgres_cpu_seconds()
                text, user, system = run_wrk(args)
                s = wrk_summary(text)
                runs[connections] = {
                    "requests": s["requests"],
                    "seconds": round(s["duration_us"] / 1e6, 2),
                    "rps": round(s["requests"] / (s["duration_us"] / 1e6), 1),
                    "p50_ms": round(s["p50_us"] / 1000, 2),
                    "p99_ms": round(s["p99_us"] / 1000, 2),
                    "max_ms": round(s["max_us"] / 1000, 2),
                    "errors": sum(s["errors"].values()),
                    "client_cpu_s": round(user + system, 2),
                    "server_cpu_s": round(server.cpu_seconds() - server_cpu_before, 2),
                    "db_cpu_s": (
                        None if (pg := postgres_cpu_delta(pg_before)) is None else round(pg, 2)
                    ),
                }
                note(f"  -> {runs[connections]}")
        topology = server.topology
    main = runs[2]
    problems = [
        f"{c} connections: {r['errors']} errors of {r['requests']}"
        for c, r in runs.items()
        if r["errors"] or not r["requests"]
    ]
    line = emit(
        "pit_query_p99_ms_http",
        main["p99_ms"],
        "ms",
        None,
        connections=2,
        p50_ms=main["p50_ms"],
        max_ms=main["max_ms"],
        requests=main["requests"],
        seconds=main["seconds"],
        requests_per_s=main["rps"],
        client_cpu_s=main["client_cpu_s"],
        server_cpu_s=main["server_cpu_s"],
        db_cpu_s=main["db_cpu_s"],
        by_connections={str(c): r for c, r in runs.items()},
        **summary(cold, "cold_"),
        cold_client="httpx, 1 connection, sequential",
        cold_client_cpu_s=round(cold_client_cpu, 2),
        client=(
            f"wrk + Lua ({LUA.name}): random chip of the {len(chips)} warmed, as_of and "
            "known_at uniform over the data's dates, at_position = checkpoint"
        ),
        server=topology,
        **({"error": "; ".join(problems)} if problems else {}),
        data=data.facts,
    )
    if problems:
        raise Reported("; ".join(problems))
    return line
