"""Exactly-once projection (docs/architecture.md, "Rebuilding the projections"): the view rows and the
checkpoint move in one transaction, so a projector killed mid-page resumes without
skipping or repeating an entry, and rival projectors never both apply one.

The projectors run in processes of their own (tests/support/projector_worker.py), which log
every page they begin and commit; the result is compared, table by table, with a clean
projection of the same log into the other generation.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from projections.projector import Projector, read_checkpoint
from projections.tables import view_tables
from projections.views import Views
from services.bootstrap import Container, read_log_page
from tests.conftest import Backend
from tests.support.rebuilds import build_log, snapshot

ROOT = Path(__file__).resolve().parents[2]


def worker(backend: Backend, log_file: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.projector_worker",
            backend.settings.database_url,
            str(log_file),
            *args,
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def lines(log_file: Path) -> list[list[str]]:
    if not log_file.exists():
        return []
    return [line.split() for line in log_file.read_text().splitlines() if line.strip()]


def commits(log_file: Path) -> list[tuple[int, int]]:
    return [(int(parts[1]), int(parts[2])) for parts in lines(log_file) if parts[0] == "commit"]


def recorded_positions(container: Container) -> list[int]:
    from domain.events import Recorded

    read = read_log_page(container.log)
    return [p for p, e in read(0, 1_000_000) if isinstance(e, Recorded)]


def assert_projected_exactly_once(container: Container) -> None:
    head = container.log.head()
    a = view_tables("a")
    with container.engine.connect() as conn:
        assert read_checkpoint(conn, "views@a") == head
        positions = list(
            conn.execute(select(a.event.c.position).order_by(a.event.c.position)).scalars()
        )
        rows = conn.execute(select(func.count()).select_from(a.event)).scalar()
    assert positions == recorded_positions(container)
    assert rows == len(positions)
    # the same rows, every table, as one clean pass over the log into the other generation
    Projector(
        container.engine, read_log_page(container.log), Views(), generation="b", page=500
    ).catch_up()
    assert snapshot(container.engine, "a") == snapshot(container.engine, "b")


def wait_for(predicate, process: subprocess.Popen[bytes], seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            pytest.fail(f"worker exited: {process.communicate()}")
        time.sleep(0.005)
    pytest.fail("timed out")


def test_a_projector_killed_mid_page_resumes_without_skipping_or_repeating(
    backend: Backend, container: Container, tmp_path: Path
) -> None:
    build_log(container, 2500)
    head = container.log.head()
    log_file = tmp_path / "first.log"
    first = worker(backend, log_file, "--page", "40", "--delay", "0.2")

    def inside_a_page() -> bool:  # committed a few pages, and is now in the middle of one
        parts = lines(log_file)
        return len(commits(log_file)) >= 5 and bool(parts) and parts[-1][0] == "begin"

    wait_for(inside_a_page, first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    done = commits(log_file)
    with container.engine.connect() as conn:
        checkpoint = read_checkpoint(conn, "views@a")
        stored = conn.execute(select(func.count()).select_from(view_tables("a").event)).scalar()
    assert 0 < checkpoint < head
    assert checkpoint >= done[-1][1]  # (it may have committed the page it was killed in)
    # whatever was in flight left nothing behind: the rows are exactly those up to it
    assert stored == len([p for p in recorded_positions(container) if p <= checkpoint])

    second = worker(backend, tmp_path / "second.log", "--page", "40", "--until-head")
    assert second.wait(timeout=300) == 0, second.communicate()
    resumed = commits(tmp_path / "second.log")
    assert resumed[0][0] == checkpoint  # it started exactly where the killed one stopped
    assert_projected_exactly_once(container)


@pytest.mark.parametrize("lock", ["advisory-lock", "no-lock"])
def test_two_projectors_never_both_apply_an_entry(
    backend: Backend, container: Container, tmp_path: Path, lock: str
) -> None:
    build_log(container, 3000)
    head = container.log.head()
    extra = ["--no-lock"] if lock == "no-lock" else []
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    workers = [worker(backend, f, "--page", "25", "--until-head", *extra) for f in logs]
    for process in workers:
        assert process.wait(timeout=300) == 0, process.communicate()

    ranges = sorted((start, end, i) for i, f in enumerate(logs) for start, end in commits(f))
    # the committed pages chain from 0 to the head, each applied by exactly one process
    assert ranges[0][0] == 0 and ranges[-1][1] == head
    for (_s, end, _w), (start, _e, _v) in zip(ranges, ranges[1:], strict=False):
        assert start == end
    assert_projected_exactly_once(container)


def test_a_page_that_cannot_be_applied_is_reported_not_taken_for_a_lost_race(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    build_log(container, 50)
    head = container.log.head()
    e = view_tables("a").event
    with container.engine.begin() as conn:  # a row the checkpoint does not account for
        conn.execute(
            e.insert().values(
                position=1,
                event_id="x",
                type="ChipRegistered",
                agg_key="chip:x",
                reported_us=0,
                recorded_us=0,
            )
        )
    projector = Projector(container.engine, read_log_page(container.log), Views(), page=20)
    with caplog.at_level("ERROR", logger="projections.projector"):
        assert projector.step() == 0
    with container.engine.connect() as conn:
        assert read_checkpoint(conn, "views@a") == 0 < head  # nothing applied
    assert "cannot be applied" in caplog.text and "stuck at 0" in caplog.text
