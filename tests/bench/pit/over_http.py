"""`pit_query_p99_ms_http`: GET /v1/chips/{chip} on `regtl serve`, a cold pass from httpx
(answers compared with the in-process ones), then wrk at 1, 2 and 4 connections."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from domain.clocks import format_instant
from tests.bench.common import Reported, emit
from tests.bench.pit.dataset import Dataset
from tests.bench.pit.inprocess import first_difference, served, summary
from tests.bench.pit.workload import END, START, sizes
from tests.bench.served_http import serve_and_measure
from tests.bench.wrk import lua_script

LUA = Path(__file__).parent.with_name("pit_query.lua")


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
    chips = data.probe_chips(size["pit_http_chips"])
    # Cold pass (and warm-up): each chip once, sequentially, from httpx; answers checked
    # against the in-process ones on a sample.
    queries = data.queries(len(chips), chips)
    requests = [
        (
            f"/v1/chips/{query.chip}",
            {
                "as_of": format_instant(query.at.as_of),
                "known_at": format_instant(query.at.known_at),
                "at_position": str(query.at.position),
            },
        )
        for query in queries
    ]
    measured = serve_and_measure(
        data.db,
        requests,
        lambda i: served(data.container, data.container.pit, queries[i]),
        lambda key: chip_script(LUA, key, chips, data.position),
        size["pit_http_seconds"],
        "pit_http",
        explain=lambda i, theirs, mine: first_difference(queries[i], theirs, mine),
        db_cpu=True,
    )
    runs, cold = measured.runs, measured.cold
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
        cold_client_cpu_s=round(measured.cold_client_cpu, 2),
        client=(
            f"wrk + Lua ({LUA.name}): random chip of the {len(chips)} warmed, as_of and "
            "known_at uniform over the data's dates, at_position = checkpoint"
        ),
        server=measured.topology,
        **({"error": "; ".join(problems)} if problems else {}),
        data=data.facts,
    )
    if problems:
        raise Reported("; ".join(problems))
    return line
