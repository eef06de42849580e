"""Concurrent writers lose nothing and positions strictly increase (threads and processes)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from domain.clocks import parse_instant
from domain.events import Recorded
from services.bootstrap import Container
from services.write.parsing import parse_envelope
from services.write.writer import Item
from tests.conftest import Backend
from tests.support import builders as b

ROOT = Path(__file__).resolve().parents[2]


def _log(container: Container) -> list[tuple[int, Recorded]]:
    notes = container.log.notifications(0, 100_000)
    decoded = [(n.id, container.log.mapper.to_domain_event(n)) for n in notes]
    return [(p, e) for p, e in decoded if isinstance(e, Recorded)]


def _append(container: Container, body: dict) -> int:
    return container.writer.append([Item(parse_envelope(body))], "t").items[0].position


def test_eight_threads_lose_nothing(container: Container) -> None:
    container.writer.start()
    with ThreadPoolExecutor(8) as pool:
        positions = list(pool.map(lambda i: _append(container, b.company(f"c-{i}")), range(200)))
    log = _log(container)
    assert len(set(positions)) == 200
    assert sorted(e.data["company"] for _, e in log) == sorted(f"c-{i}" for i in range(200))
    assert [p for p, _ in log] == sorted(p for p, _ in log)
    recorded = [parse_instant(e.recorded_at) for _, e in log]
    assert recorded == sorted(recorded)


def test_eight_threads_on_one_aggregate_chain_versions(container: Container) -> None:
    for body in [*b.basics(), b.measure("shared", chips=["h20"])]:
        _append(container, body)
    container.writer.start()
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(lambda i: _append(container, b.amendment("shared", control="ban")), range(80))
        )
    versions = [e.originator_version for _, e in _log(container) if e.aggregate == "measure:shared"]
    assert versions == list(range(1, 82))


@pytest.mark.slow
def test_two_processes_lose_nothing(backend: Backend, container: Container) -> None:
    if backend.name != "postgres":
        pytest.skip("many processes share one PostgreSQL; SQLite is one process")
    for body in [*b.basics(), b.measure("shared", chips=["h20"])]:
        _append(container, body)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.append_worker",
                backend.settings.database_url,
                prefix,
                "60",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("pa", "pb")
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    log = _log(container)
    companies = {e.data["company"] for _, e in log if e.type == "CompanyRegistered"}
    assert {f"{p}-{i}" for p in ("pa", "pb") for i in range(60)} <= companies
    shared = [e.originator_version for _, e in log if e.aggregate == "measure:shared"]
    assert shared == list(range(1, 122))  # the creator and 120 amendments, none lost
    positions = [p for p, _ in log]
    assert positions == sorted(set(positions))


def test_recorded_at_never_goes_back_across_a_restart(
    backend: Backend, container: Container
) -> None:
    from datetime import timedelta

    from services.bootstrap import bootstrap
    from tests.support.clock import FakeClock

    first = container.writer.append([Item(parse_envelope(b.company("a")))], "t").items[0]
    behind = FakeClock(parse_instant(first.event.recorded_at) - timedelta(days=1))
    restarted = bootstrap(backend.settings, clock=behind)
    try:
        second = restarted.writer.append([Item(parse_envelope(b.company("b")))], "t").items[0]
    finally:
        restarted.close()
    assert second.event.recorded_at >= first.event.recorded_at
