"""An interrupted rebuild — an exception, a stop asked for, a process killed by a signal or
`kill -9` — keeps every page it committed, and the next run resumes to the same views
(`--restart` starts over)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from projections.database import write_transaction
from services.bootstrap import Container
from services.rebuild.generations import status
from services.rebuild.rebuild import Progress, RebuildInterrupted
from tests.conftest import Backend
from tests.support.rebuilds import (
    ROOT,
    answers,
    build_log,
    rebuilder,
    snapshot,
)

# -- interrupted, then resumed -----------------------------------------------------------------


class Interrupted(Exception):
    pass


def test_an_interrupted_rebuild_resumes_where_it_stopped(
    logged: Container, client: TestClient
) -> None:
    container = logged
    live = answers(container, client)
    live_rows = snapshot(container.engine, "a")
    pages: list[int] = []

    def interrupt(step: Progress) -> None:
        if step.position > 0:
            pages.append(step.position)
        if len(pages) == 4:
            raise Interrupted

    with pytest.raises(Interrupted):
        rebuilder(container, interrupt).run()

    where = status(container.engine)
    assert (where.active, where.rebuilding) == ("a", "b")
    assert where.checkpoints["b"] == pages[-1]
    assert 0 < pages[-1] < where.head
    assert answers(container, client) == live  # still served by a, whole

    result = rebuilder(container).run()
    assert (result.generation, result.resumed, result.from_position) == ("b", True, pages[-1])
    assert snapshot(container.engine, "b") == live_rows
    assert answers(container, client) == live


def test_a_stop_asked_for_ends_the_rebuild_after_the_page_being_written(
    logged: Container, client: TestClient
) -> None:
    container = logged
    stop = threading.Event()
    seen: list[int] = []

    def ask_after_two_pages(step: Progress) -> None:
        if step.position > 0:
            seen.append(step.position)
        if len(seen) == 2:
            stop.set()  # as the CLI's signal handler does

    with pytest.raises(RebuildInterrupted):
        rebuilder(container, ask_after_two_pages, page=100).run(stop=stop)
    where = status(container.engine)
    assert (where.active, where.rebuilding) == ("a", "b")
    # the page in flight when asked commits (or, not yet begun, never starts); no other
    assert where.checkpoints["b"] - seen[1] in (0, 100)
    assert where.checkpoints["b"] < where.head

    result = rebuilder(container).run(stop=threading.Event())
    assert (result.resumed, result.from_position) == (True, where.checkpoints["b"])
    assert snapshot(container.engine, "b") == snapshot(container.engine, "a")


def test_a_stop_asked_for_before_the_start_changes_nothing(logged: Container) -> None:
    container = logged
    stop = threading.Event()
    stop.set()
    with pytest.raises(RebuildInterrupted):
        rebuilder(container).run(stop=stop)
    where = status(container.engine)
    assert where.rebuilding is None  # not even begun: nothing cleared, nothing recorded
    assert rebuilder(container).run().generation == "b"


def test_restart_discards_an_interrupted_rebuild(logged: Container) -> None:
    container = logged

    def interrupt(step: Progress) -> None:
        if step.position > 0:
            raise Interrupted

    with pytest.raises(Interrupted):
        rebuilder(container, interrupt).run()
    result = rebuilder(container).run(restart=True)
    assert (result.resumed, result.from_position) == (False, 0)
    assert snapshot(container.engine, "b") == snapshot(container.engine, "a")


def _cli(backend: Backend, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "REGTL_DATABASE_URL": backend.settings.database_url,
        "REGTL_DATA_DIR": str(backend.settings.data_dir),
        "COLUMNS": "100",
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from services.cli.main import main; main()", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_progress(
    container: Container, process: subprocess.Popen[str], at_least: int = 1
) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        where = status(container.engine)
        if where.rebuilding == "b" and where.checkpoints["b"] >= at_least:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    pytest.fail("the rebuild made no progress")


@contextmanager
def _no_more_pages(container: Container) -> Iterator[None]:
    """Hold the checkpoint row of generation b (SQLite: the write lock), so that the rebuild
    commits no page while the signal is on its way; released after sending it, so that the
    page being written can commit as the rebuild stops."""
    with write_transaction(container.engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "SELECT position FROM projection_checkpoint WHERE name = 'views@b' FOR UPDATE"
            )
        yield


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_killed_rebuild_process_resumes_to_the_same_views(
    backend: Backend, container: Container, client: TestClient, how: signal.Signals
) -> None:
    build_log(container, 4000)  # more, so that the process is caught mid-way
    container.catch_up()
    live = answers(container, client)
    process = _cli(backend, "projections", "rebuild", "--page", "100")
    _wait_for_progress(container, process)
    with _no_more_pages(container):  # a slow signal cannot let it finish first
        process.send_signal(how)
        if how == signal.SIGKILL:
            process.wait(timeout=60)
    _out, err = process.communicate(timeout=60)
    where = status(container.engine)
    assert (where.active, where.rebuilding) == ("a", "b"), err
    assert 0 < where.checkpoints["b"] < where.head
    if how != signal.SIGKILL:
        assert process.returncode == 130, err
        assert "regtl projections rebuild" in err and "resume" in err

    again = _cli(backend, "projections", "rebuild")
    _out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert "resumed at position" in err
    assert snapshot(container.engine, "b") == snapshot(container.engine, "a")
    assert answers(container, client) == live

    shown = _cli(backend, "projections", "status")
    out, _err = shown.communicate(timeout=60)
    assert "generation b: active" in out
