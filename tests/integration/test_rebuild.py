"""`regtl projections rebuild` (SPEC §4, §8): the rebuilt views answer exactly as the live
ones, readers never see a half-built generation, and an interrupted rebuild resumes.

Each test builds a log of a few thousand entries — a synthetic mix of every event type
(tests/bench/loggen.py, stored as the writer stores them) plus a story written through the
writer (corrections, retractions, an idempotency record) — projects it live into
generation `a`, rebuilds it into `b` with small pages (so a rebuild spans many pages, the
pipelined writer and the subject cache's evictions), and compares.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from domain.events import Recorded
from projections.database import write_transaction
from projections.projector import Projector, active_generation, read_checkpoint
from projections.state_queries import Reading
from projections.tables import view_tables
from projections.views import Views
from services.bootstrap import Container, read_log_page
from services.idempotency import IdempotencyClaim
from services.log_reader import LogEntry, LogReader
from services.parsing import parse_envelope
from services.pit import Coordinates
from services.rebuild import Progress, Rebuilder, RebuildInterrupted, status
from services.writer import Item
from tests.bench.loggen import batches
from tests.conftest import Backend
from tests.support import builders as b

ROOT = Path(__file__).resolve().parents[2]
SYNTHETIC = 1500
CHIPS = ["h20", "b30", "chip-0", "chip-3", "chip-7", "chip-12"]
COMPANIES = ["nvidia", "amkor", "co-0", "co-1", "co-5"]


# -- the log ----------------------------------------------------------------------------------

def add(container: Container, envelope: dict[str, Any], claim: IdempotencyClaim | None = None) -> str:
    result = container.writer.append([Item(parse_envelope(envelope))], "tester", claim)
    return str(result.items[0].event.event_id)


def build_log(container: Container, synthetic: int = SYNTHETIC) -> None:
    for batch in batches(synthetic, 500, seed=11):
        container.log.append(batch)
    for envelope in b.basics():
        add(container, envelope)
    add(container, b.company("amkor"))
    add(container, b.chip("b30", specs={"tpp": 4000, "performance_density": 6}))
    imposed = add(container, b.measure(criteria=[{"tpp_min": 3000}], companies=[]))
    add(container, b.amendment(destinations=["CN", "HK"]))
    add(container, b.measure("bis-end-user", chips=[], companies=["amkor"], effective_at="2025-03-01"))
    granted = add(container, b.license_granted(expires_at="2025-12-31"))
    add(container, b.correction(granted, effective_at="2025-08-12"))
    add(container, b.correction(imposed, data={
        "measure_id": "bis-2025-04-h20", "authority": "BIS", "jurisdiction": "US",
        "destinations": ["CN"], "chips": ["h20", "b30"], "control": "ban"}))
    advisory = add(container, b.advisory(companies=["amkor"]))
    add(container, b.retraction(advisory))
    add(container, b.halt(suppliers=["amkor"]))
    add(container, b.investigation(companies=["nvidia", "amkor"]))
    add(container, b.revenue_share(), IdempotencyClaim("key-1", "idem-1", "hash-1"))
    add(container, b.lift(effective_at="2025-11-01"))
    add(container, b.resume())


# -- what readers see -------------------------------------------------------------------------

def coordinates(container: Container) -> list[Coordinates]:
    head = container.projected_position()
    now = container.clock()
    moments = [datetime(2019, 6, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC), now]
    known = [datetime(2025, 8, 11, tzinfo=UTC), now]
    return [Coordinates(t, k, p) for t in moments for k in known for p in (head // 2, head)]


def answers(container: Container, client: TestClient,
            at: list[Coordinates] | None = None) -> dict[str, Any]:
    at = at or coordinates(container)
    found: dict[str, Any] = {}
    with Reading(container.engine) as db:
        for c in at:
            for kind, names in (("chip", CHIPS), ("company", COMPANIES)):
                for name in names:
                    found[f"{kind}:{name}@{c.echo()}"] = container.pit.state(db, kind, name, c)
    for query in ({"limit": 1000}, {"limit": 250, "chip": "h20"}, {"limit": 100, "company": "amkor"},
                  {"limit": 300, "type": "EventCorrected"}):
        cursor, pages = None, []
        while True:
            params = {**query, **({"after": cursor} if cursor else {})}
            response = client.get("/v1/events", params=params)
            assert response.status_code == 200, response.text
            body = response.json()
            pages.append(body["items"])
            if not (cursor := body["next"]):
                break
        found[f"events {query}"] = pages
    return found


def snapshot(engine: Engine, generation: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read model of a generation, in a stable order."""
    tables = view_tables(generation)
    with engine.connect() as conn:
        return {table.name.rsplit("_", 1)[0]: sorted(
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in conn.execute(select(table))) for table in tables.all}


def project(container: Container, generation: str) -> None:
    Projector(container.engine, read_log_page(container.log), Views(), generation=generation,
              page=97).catch_up()


def rebuilder(container: Container, progress: Callable[[Progress], None] | None = None,
              page: int = 150, remembered: int = 64) -> Rebuilder:
    return Rebuilder(container.engine, container.log, page=page, progress=progress,
                     clock=container.clock, remembered=remembered)


@pytest.fixture
def logged(container: Container) -> Container:
    build_log(container)
    container.catch_up()  # the live projector: generation a
    return container


# -- identical answers --------------------------------------------------------------------------

def test_a_rebuild_answers_exactly_as_the_live_views(logged: Container, client: TestClient) -> None:
    container = logged
    live = answers(container, client)
    live_rows = snapshot(container.engine, "a")
    assert len(live_rows["rm_event"]) > SYNTHETIC

    result = rebuilder(container).run()

    assert (result.generation, result.resumed, result.from_position) == ("b", False, 0)
    assert result.position == container.log.head()
    with container.engine.connect() as conn:
        assert active_generation(conn) == "b"
    assert snapshot(container.engine, "b") == live_rows
    assert answers(container, client) == live
    assert status(container.engine).rebuilding is None

    # and back: the next rebuild fills `a` afresh (clearing what it held) and swaps it in
    again = rebuilder(container, page=400, remembered=100_000).run()
    assert again.generation == "a"
    assert snapshot(container.engine, "a") == live_rows
    assert answers(container, client) == live


def test_readers_keep_the_live_generation_until_the_swap(logged: Container,
                                                         client: TestClient) -> None:
    container = logged
    at = coordinates(container)
    live = answers(container, client, at)
    seen: list[int] = []

    def while_rebuilding(step: Progress) -> None:
        if step.position in (0, step.head):
            return
        with container.engine.connect() as conn:
            assert active_generation(conn) == "a"
            assert container.projected_position() == at[-1].position
        if len(seen) % 3 == 0:  # every third page: the full set of answers, unchanged
            assert answers(container, client, at) == live
        seen.append(step.position)

    rebuilder(container, while_rebuilding).run()
    assert len(seen) >= 5  # the rebuild really spanned many pages
    assert answers(container, client, at) == live


def test_writes_during_a_rebuild_are_in_the_swapped_generation(logged: Container,
                                                              client: TestClient) -> None:
    container = logged
    written: list[str] = []

    def writing(step: Progress) -> None:
        if len(written) < 3 and step.position > 0:
            written.append(add(container, b.company(f"late-{len(written)}")))
            container.catch_up()  # the live projector keeps generation a current meanwhile
            with container.engine.connect() as conn:
                assert active_generation(conn) == "a"

    rebuilder(container, writing).run()
    head = container.log.head()
    with container.engine.connect() as conn:
        assert read_checkpoint(conn, "views@b") == head
    assert snapshot(container.engine, "b") == snapshot(container.engine, "a")
    assert client.get("/v1/companies/late-2").status_code == 200

    # the live projector now follows b
    late = add(container, b.company("after-the-swap"))
    container.catch_up()
    with container.engine.connect() as conn:
        assert read_checkpoint(conn, "views@b") == container.log.head()
        assert read_checkpoint(conn, "views@a") == head  # the old generation is left alone
    assert client.get(f"/v1/events/{late}").status_code == 200


def test_the_swap_applies_a_short_tail_in_its_own_transaction(logged: Container) -> None:
    container = logged
    rebuild = rebuilder(container, page=50)
    generation, resumed = rebuild.begin()
    assert (generation, resumed) == ("b", False)
    project(container, "b")
    for i in range(3):  # written after the rebuild caught up, before it swaps
        add(container, b.company(f"tail-{i}"))
    read = read_log_page(container.log)
    assert rebuild.swap("b", read) == (True, container.log.head(), container.log.head())
    container.catch_up()
    project(container, "a")
    assert snapshot(container.engine, "b") == snapshot(container.engine, "a")


def test_the_swap_waits_while_the_generation_is_behind(logged: Container) -> None:
    container = logged
    rebuild = rebuilder(container, page=50)
    rebuild.begin()
    swapped, position, head = rebuild.swap("b", read_log_page(container.log))
    assert (swapped, position) == (False, 0) and head == container.log.head()
    with container.engine.connect() as conn:
        assert active_generation(conn) == "a"


# -- interrupted, then resumed -----------------------------------------------------------------

class Interrupted(Exception):
    pass


def test_an_interrupted_rebuild_resumes_where_it_stopped(logged: Container,
                                                          client: TestClient) -> None:
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
        logged: Container, client: TestClient) -> None:
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


def test_a_stop_asked_for_before_the_start_changes_nothing(
        logged: Container) -> None:
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
    env = {**os.environ, "REGTL_DATABASE_URL": backend.settings.database_url,
           "REGTL_DATA_DIR": str(backend.settings.data_dir), "COLUMNS": "100"}
    return subprocess.Popen([sys.executable, "-c", "from services.cli import main; main()", *args],
                            cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_progress(container: Container, process: subprocess.Popen[str],
                       at_least: int = 1) -> None:
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
            conn.exec_driver_sql("SELECT position FROM projection_checkpoint "
                                 "WHERE name = 'views@b' FOR UPDATE")
        yield


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_killed_rebuild_process_resumes_to_the_same_views(
        backend: Backend, container: Container, client: TestClient, how: signal.Signals) -> None:
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


# -- the rebuild's own parts --------------------------------------------------------------------

def test_the_log_reader_gives_what_the_mapper_decodes(logged: Container) -> None:
    container = logged
    notes = container.log.notifications(0, 100_000)
    assert len(notes) == container.log.head()
    read = LogReader(container.engine, container.log)
    entries = read(0, 100_000)
    assert [p for p, _e in entries] == [n.id for n in notes]
    fields = ("type", "event_id", "aggregate", "originator_version", "effective_at",
              "reported_at", "recorded_at", "data")
    skipped = 0
    for note, (_position, entry) in zip(notes, entries, strict=True):
        expected = container.log.mapper.to_domain_event(note)
        if not isinstance(expected, Recorded):
            assert entry is None  # the idempotency record: not indexed
            skipped += 1
            continue
        assert isinstance(entry, LogEntry)  # every event here is in the plain form
        assert {f: getattr(entry, f) for f in fields} == {f: getattr(expected, f) for f in fields}
    assert skipped == 1
    assert read(notes[-3].id, 2) == entries[-2:]  # pages start after the position given


def test_an_entry_not_in_the_plain_form_is_read_by_the_library(logged: Container) -> None:
    container = logged
    note = container.log.notifications(0, 1)[0]
    read = LogReader(container.engine, container.log)
    entry = read._entry(note.id, note.originator_version, note.topic, b'{"not": "plain"}')
    assert isinstance(entry, Recorded)  # the library decoded the stored row instead
    assert entry.__dict__ == container.log.mapper.to_domain_event(note).__dict__
