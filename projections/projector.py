"""Exactly-once projections: view rows and checkpoint move together, in one transaction.

A step reads the checkpoint, fetches the next page of the log, applies it, and moves the
checkpoint with a compare-and-swap (`WHERE position = <the value read>`). If another
projector got there first, the swap changes no row (or a view row collides) and the step
rolls back: every event is applied once, whoever applies it. Every event advances the
checkpoint, including those no view cares about (idempotency records).

The live projector follows whichever generation is active; a rebuild drives the other one.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, literal, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from domain.events import Recorded
from projections.database import is_sqlite, write_transaction
from projections.tables import (
    VIEWS,
    ViewTables,
    projection_checkpoint,
    projection_generation,
    view_tables,
)

log = logging.getLogger(__name__)

LogPage = Sequence[tuple[int, Any]]  # (position, decoded event) pairs
ReadLog = Callable[[int, int], LogPage]


class Projection(Protocol):
    name: str

    def apply(
        self, conn: Connection, tables: ViewTables, events: list[tuple[int, Recorded]]
    ) -> None: ...


def read_checkpoint(conn: Connection, name: str) -> int:
    value = conn.execute(
        select(projection_checkpoint.c.position).where(projection_checkpoint.c.name == name)
    ).scalar()
    return int(value or 0)


def active_generation(conn: Connection, name: str = VIEWS) -> str:
    value = conn.execute(
        select(projection_generation.c.active).where(projection_generation.c.name == name)
    ).scalar()
    return str(value or "a")


def active_tables(conn: Connection) -> ViewTables:
    return view_tables(active_generation(conn))


def active_position(conn: Connection) -> int:
    """The checkpoint of the generation readers use: what a read at P = default sees (one
    statement: it is asked on every read that does not give its own P)."""
    g, c = projection_generation, projection_checkpoint
    active = func.coalesce(select(g.c.active).where(g.c.name == VIEWS).scalar_subquery(), "a")
    value = conn.execute(
        select(c.c.position).where(c.c.name == literal(f"{VIEWS}@") + active)
    ).scalar()
    return int(value or 0)


class Projector:
    """Keeps one generation of the views caught up with the log (None: the active one)."""

    def __init__(
        self,
        engine: Engine,
        read_log: ReadLog,
        projection: Projection,
        generation: str | None = None,
        page: int = 2000,
        checkpoint: str | None = None,
    ):
        self.engine, self.read_log, self.projection = engine, read_log, projection
        self.generation, self.page = generation, page
        self.checkpoint = checkpoint  # a projection outside the view generations (webhooks)
        self.position = 0  # last checkpoint of the active generation this process committed

    def tables(self, conn: Connection) -> ViewTables:
        return view_tables(self.generation) if self.generation else active_tables(conn)

    def step(self) -> int:
        """Apply the next page; return how many log entries it covered (0: caught up or lost)."""
        with self.engine.connect() as conn:
            tables = self.tables(conn)
            name = self.checkpoint or tables.checkpoint_name
            start = read_checkpoint(conn, name)
        page = self.read_log(start, self.page)
        if not page:
            self.position = start
            return 0
        last = page[-1][0]
        events = [(p, e) for p, e in page if isinstance(e, Recorded)]
        try:
            with write_transaction(self.engine) as conn:
                if not self._lock(conn, name):
                    return 0
                self.projection.apply(conn, tables, events)
                moved = conn.execute(
                    update(projection_checkpoint)
                    .where(projection_checkpoint.c.name == name)
                    .where(projection_checkpoint.c.position == start)
                    .values(position=last)
                ).rowcount
                if moved != 1:
                    raise _LostRace
        except _LostRace:
            log.debug("%s: another projector applied %d..%d", name, start + 1, last)
            return 0
        except IntegrityError as error:
            # Another projector committed these rows first — unless the checkpoint has not
            # moved, which means the page itself cannot be applied: say so, loudly.
            with self.engine.connect() as conn:
                if read_checkpoint(conn, name) == start:
                    log.error(
                        "%s: entries %d..%d cannot be applied (%s); the projection is stuck at %d",
                        name,
                        start + 1,
                        last,
                        error.orig,
                        start,
                    )
                else:
                    log.debug("%s: another projector applied %d..%d", name, start + 1, last)
            return 0
        self.position = last
        return len(page)

    def catch_up(self) -> int:
        total = 0
        while (applied := self.step()) > 0:
            total += applied
        return total

    @staticmethod
    def _lock(conn: Connection, name: str) -> bool:
        """On PostgreSQL, an advisory lock keeps rival projectors from doing wasted work."""
        if is_sqlite(conn.engine):
            return True
        key = zlib.crc32(name.encode())
        return bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())


class _LostRace(Exception):
    pass


class ProjectorRunner:
    """A background thread that runs projectors whenever the log grows (or every poll)."""

    def __init__(
        self, projectors: list[Projector], poll_seconds: float = 0.5, settle_seconds: float = 0.02
    ):
        self.projectors, self.poll, self.settle = projectors, poll_seconds, settle_seconds
        self.after_round: Callable[[], None] = lambda: None  # e.g. webhook fan-out
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def nudge(self, _head: int = 0) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="regtl-projector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            # Let a burst of writes land first: one page of many events costs far less than
            # many pages of a few, and a reader that must see its write waits on min_position.
            self._stop.wait(self.settle)
            for projector in self.projectors:
                try:
                    projector.catch_up()
                except OperationalError:  # database briefly unavailable: retry next round
                    log.warning(
                        "projector %s: database unavailable",
                        projector.projection.name,
                        exc_info=True,
                    )
            try:
                self.after_round()
            except OperationalError:
                log.warning("after-projection step: database unavailable", exc_info=True)
            self._wake.wait(self.poll)
