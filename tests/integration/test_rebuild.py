"""`regtl projections rebuild` (docs/state.md, "Projections"; docs/cli.md): the rebuilt views answer exactly as the live
ones, and readers never see a half-built generation.

Each test projects a log of a few thousand entries (tests/support/rebuilds.py) live into
generation `a`, rebuilds it into `b` with small pages (so a rebuild spans many pages, the
pipelined writer and the evictions of the pairs it remembers), and compares.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from projections.projector import active_generation, read_checkpoint
from services.bootstrap import Container, read_log_page
from services.rebuild.generations import status
from services.rebuild.rebuild import Progress
from tests.support import builders as b
from tests.support.rebuilds import (
    SYNTHETIC,
    add,
    answers,
    coordinates,
    project,
    rebuilder,
    snapshot,
)

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


def test_readers_keep_the_live_generation_until_the_swap(
    logged: Container, client: TestClient
) -> None:
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


def test_writes_during_a_rebuild_are_in_the_swapped_generation(
    logged: Container, client: TestClient
) -> None:
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
