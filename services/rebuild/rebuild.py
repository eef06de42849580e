"""`regtl projections rebuild`: every read model rebuilt from the log, then swapped in.

The views exist in two generations (projections/tables.py). A rebuild fills the inactive
one while the live projector keeps the active one current and readers keep reading it:

1. **Start** (one transaction): clear the inactive generation's tables, reset its
   checkpoint to 0 and record the rebuild in `projection_rebuild`. If that row already
   names the inactive generation, an earlier run was interrupted: resume from its
   checkpoint instead (every page it committed is complete, with its checkpoint).
2. **Pages** of 5,000 log entries, each written with its checkpoint in one transaction by
   compare-and-swap, as the live projector does (projections/projector.py): a crash,
   Ctrl-C or SIGTERM loses at most the page in flight, and two rebuilds (or a rebuild and
   anything else) never apply an entry twice. Pipelined, so the database and Python work
   at once: while page n is written (a writer thread: COPY, checkpoint, commit), page n+1
   is indexed here and page n+2 read and decoded (a reader thread). Indexing reads
   nothing back (projections/views.py); a bounded `StoredPairs` only spares the database
   pairs this run already stored. Memory is bounded by the pages in flight and that
   memory, not by the log.
3. **Swap** (one transaction): once the generation's checkpoint is the log's head *as read
   in that transaction* (a short tail is applied in it), make it active and delete the
   rebuild row; otherwise catch up again. Readers see the old generation up to that
   commit and the new one after it; the live projectors (in every process) pick the new
   generation up on their next step, since they look up the active generation each time.

The start and the swap are services/rebuild/transitions.py; the pages are here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError

from domain.clocks import utc_now
from projections.database import write_transaction
from projections.projector import Projector, read_checkpoint
from projections.tables import ViewTables, projection_checkpoint, view_tables
from projections.views import StoredPairs, Views
from services.heap import QuietGC
from services.rebuild import transitions
from services.rebuild.transitions import RebuildStalled as RebuildStalled
from services.storage.log_reader import LogPage, LogReader, PrefetchingReader
from services.storage.store import EventLog

log = logging.getLogger(__name__)

PAGE = 5_000  # log entries per transaction: ~3 pages are in memory at once (pipelined)
REMEMBERED = 100_000  # aggregates whose stored (subject, aggregate) pairs a rebuild remembers
STALL_SECONDS = 30.0  # no progress by anyone for this long: give up and say why


@dataclass(frozen=True)
class Progress:
    generation: str
    resumed: bool
    from_position: int  # where this run started (0, or where an interrupted run stopped)
    position: int  # the generation's checkpoint now
    head: int  # the log's head, as last read


@dataclass(frozen=True)
class RebuildResult:
    generation: str  # the generation now active
    resumed: bool
    from_position: int
    position: int  # its checkpoint at the swap: the log's head then
    seconds: float

    @property
    def entries(self) -> int:
        return self.position - self.from_position


class RebuildInterrupted(KeyboardInterrupt):
    """A stop was asked for (`stop` set): raised between pages, never inside a transaction."""


class _Lost(Exception):
    pass


# -- the rebuild ----------------------------------------------------------------------------


class Rebuilder:
    def __init__(
        self,
        engine: Engine,
        event_log: EventLog,
        *,
        page: int = PAGE,
        progress: Callable[[Progress], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
        poll_seconds: float = 0.2,
        stall_seconds: float = STALL_SECONDS,
        remembered: int = REMEMBERED,
    ):
        self.engine, self.log, self.page, self.remembered = engine, event_log, page, remembered
        self.progress = progress or (lambda _p: None)
        self.clock, self.poll, self.stall = clock, poll_seconds, stall_seconds
        self._stop: threading.Event | None = None

    def run(
        self, *, restart: bool = False, quiet_gc: bool = False, stop: threading.Event | None = None
    ) -> RebuildResult:
        """Rebuild (or resume) and swap; raises whatever interrupts it, leaving it resumable.

        `stop` set (the CLI sets it on SIGINT or SIGTERM): the page being written commits,
        then `RebuildInterrupted` is raised. Stopping between pages, not wherever a signal
        lands, keeps every connection in a state the pool can take back."""
        self._stop = stop
        self._stop_if_asked()  # before `begin`, which may clear a generation
        started = time.perf_counter()
        generation, resumed = self.begin(restart=restart)
        tables = view_tables(generation)
        start = position = self._checkpoint(tables)
        reader = PrefetchingReader(LogReader(self.engine, self.log))
        writer = ThreadPoolExecutor(1, thread_name_prefix="regtl-rebuild-write")
        collector = QuietGC() if quiet_gc else None
        head, pages, last_move = self.log.head(), 0, time.monotonic()
        self.progress(Progress(generation, resumed, start, start, head))

        def committed(at: int) -> None:
            nonlocal head, pages
            pages += 1
            if collector is not None:
                collector.tick()
            if pages % 10 == 0:
                head = self.log.head()
            head = max(head, at)
            self.progress(Progress(generation, resumed, start, at, head))

        try:
            if collector is not None:
                collector.__enter__()
            while True:
                before = position
                position = self._pages(tables, position, reader, writer, committed)
                # Caught up as of the last read, or another process holds this generation.
                self._stop_if_asked()
                swapped, position, head = self.swap(generation, reader.fetch)
                if swapped:
                    self.progress(Progress(generation, resumed, start, position, head))
                    return RebuildResult(
                        generation, resumed, start, position, time.perf_counter() - started
                    )
                if position != before:
                    last_move = time.monotonic()
                elif time.monotonic() - last_move > self.stall:
                    raise RebuildStalled(
                        f"generation {generation} is stuck at position {position} of {head}: "
                        "another process holds it, or an entry cannot be applied (see the log)"
                    )
                else:
                    time.sleep(self.poll)
        finally:
            writer.shutdown(wait=True)  # a page being written commits or rolls back first
            reader.close()
            if collector is not None:
                collector.__exit__(None, None, None)

    def _stop_if_asked(self) -> None:
        if self._stop is not None and self._stop.is_set():
            raise RebuildInterrupted("stopped between pages, as asked")

    def _checkpoint(self, tables: ViewTables) -> int:
        with self.engine.connect() as conn:
            return read_checkpoint(conn, tables.checkpoint_name)

    def _pages(
        self,
        tables: ViewTables,
        position: int,
        reader: PrefetchingReader,
        writer: ThreadPoolExecutor,
        committed: Callable[[int], None],
    ) -> int:
        """Apply pages from `position` until the log runs out (as read) or a page fails to
        commit (someone else writes this generation); return the checkpoint then.

        Pipelined: while one page is written (and committed with its checkpoint, in one
        transaction, in `writer`), the next is indexed here, and the one after that read
        and decoded by `reader`. `StoredPairs` remembers what earlier pages of this call
        stored (the page still being written included: if it fails, this call returns and
        what was indexed after it is dropped with that memory)."""
        views = Views(StoredPairs(self.remembered))
        dialect = self.engine.dialect.name
        cursor = position  # the end of the last page handed to the writer
        pending: tuple[Future[bool], int] | None = None
        try:
            while True:
                self._stop_if_asked()
                entries = reader.read(cursor, self.page)
                page = None
                last = entries[-1][0] if entries else cursor
                if entries:
                    events = [(p, e) for p, e in entries if e is not None]
                    page = views.index(events)
                    page.prepare(tables, dialect)  # here, not in the writer's transaction
                    del entries, events  # decoded pages are the bulk of the memory in use
                if pending is not None:
                    future, end = pending
                    pending = None
                    if not future.result():
                        return self._checkpoint(tables)
                    position = end
                    committed(end)
                if page is None:
                    return position
                pending = (writer.submit(self._write, tables, cursor, last, page), last)
                cursor = last
        finally:
            if pending is not None:
                pending[0].cancel()

    def _write(self, tables: ViewTables, start: int, last: int, page: Any) -> bool:
        """One page and its checkpoint, in one transaction; False: another process won."""
        try:
            with write_transaction(self.engine) as conn:
                if not Projector._lock(conn, tables.checkpoint_name):  # same lock as projectors
                    raise _Lost
                Views.write(conn, tables, page)
                moved = conn.execute(
                    update(projection_checkpoint)
                    .where(
                        projection_checkpoint.c.name == tables.checkpoint_name,
                        projection_checkpoint.c.position == start,
                    )
                    .values(position=last)
                ).rowcount
                if moved != 1:
                    raise _Lost
        except (_Lost, IntegrityError):
            log.debug("%s: another process applied %d..%d", tables.checkpoint_name, start + 1, last)
            return False
        return True

    def begin(self, *, restart: bool = False) -> tuple[str, bool]:
        """Pick the generation to fill (services/rebuild/transitions.py): (generation, resumed)."""
        return transitions.begin(self.engine, self.clock, restart=restart)

    def swap(
        self, generation: str, read: Callable[[int, int], LogPage] | None = None
    ) -> tuple[bool, int, int]:
        """Make `generation` active once it has reached the log's head, applying a short
        tail (services/rebuild/transitions.py): (swapped, its checkpoint, the head)."""
        return transitions.swap(self.engine, generation, read, self.page)
