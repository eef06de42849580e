"""The composition root: the one place that builds engines, the log, the writer, projectors."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from domain.clocks import utc_now
from domain.events import Recorded
from projections.database import make_engine
from projections.event_queries import locate_event
from projections.listener import LogListener
from projections.projector import Projector, ProjectorRunner, active_position
from projections.views import Views
from services.keys import KeyStore
from services.operations.runtime import Operations
from services.read.pit import PointInTime
from services.settings import Settings
from services.storage.database_names import make_sqlite_files_private
from services.storage.store import POSTGRES_EVENTS_TABLE, EventLog, open_event_log, psycopg_dsn
from services.webhooks.runtime import Webhooks
from services.write.ledger import LogLedger
from services.write.writer import Writer

log = logging.getLogger(__name__)
TAIL_SCAN_LIMIT = 100_000


@dataclass
class Container:
    settings: Settings
    engine: Engine
    log: EventLog
    ledger: LogLedger
    writer: Writer
    projectors: list[Projector]
    runner: ProjectorRunner
    keys: KeyStore
    pit: PointInTime
    webhooks: Webhooks
    clock: Callable[[], datetime]
    operations: Operations  # metrics, rate limits (services/operations/)
    background: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    # The highest checkpoint seen: a read at an explicit P up to it needs no checkpoint query.
    projected_floor: int = 0

    @property
    def events_projector(self) -> Projector:
        return self.projectors[0]

    def projected_position(self) -> int:
        """The active views' checkpoint, as committed (other processes included)."""
        with self.engine.connect() as conn:
            position = active_position(conn)
        # It never goes back (a swap makes a generation active only at the log's head).
        self.projected_floor = max(self.projected_floor, position)
        return position

    def catch_up(self) -> None:
        """Run every projector to the head now (CLI, tests)."""
        for projector in self.projectors:
            projector.catch_up()

    def start(self, *, worker: bool = True) -> None:
        self.writer.start()
        if worker:
            self.runner.start()
            self.webhooks.start()
            if self.settings.is_postgres:  # writes by other processes wake us at once
                listener = LogListener(
                    psycopg_dsn(self.settings.database_url),
                    POSTGRES_EVENTS_TABLE,
                    self.runner.nudge,
                )
                listener.start()
                self.extras["listener"] = listener
        self.background = True

    def close(self) -> None:
        if self.background:
            self.writer.stop()
            self.runner.stop()
            self.webhooks.stop()
            if "listener" in self.extras:
                self.extras["listener"].stop()
        self.log.close()
        self.engine.dispose()


def read_log_page(event_log: EventLog) -> Callable[[int, int], list[tuple[int, Any]]]:
    def read(after: int, limit: int) -> list[tuple[int, Any]]:
        notes = event_log.notifications(after, limit)
        return [(n.id, event_log.mapper.to_domain_event(n)) for n in notes]

    return read


def _locator(
    engine: Engine, event_log: EventLog, checkpoint: Callable[[], int]
) -> Callable[[str], str | None]:
    """Find an event's aggregate: the projection first, then the log's unprojected tail."""
    read = read_log_page(event_log)

    def locate(event_id: str) -> str | None:
        with engine.connect() as conn:
            key = locate_event(conn, event_id)
        if key is not None:
            return key
        after, scanned = checkpoint(), 0
        while scanned < TAIL_SCAN_LIMIT:
            page = read(after, 1000)
            if not page:
                return None
            for position, event in page:
                if isinstance(event, Recorded) and event.event_id == event_id:
                    return event.aggregate
                after = position
            scanned += len(page)
        return None

    return locate


def bootstrap(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    monotonic: Callable[[], float] = time.monotonic,
) -> Container:
    """`monotonic`: the rate limiter's time (never the wall clock, which may jump)."""
    if not settings.is_postgres:  # databases made before files were kept private
        make_sqlite_files_private(settings.database_url)
    engine = make_engine(settings.database_url, settings.postgres_pool_size)
    event_log = open_event_log(settings)
    operations = Operations.build(settings, engine, event_log, clock, monotonic)
    operations.count_appends(event_log)  # regtl_events_appended_total, before the writer
    projectors = [Projector(engine, read_log_page(event_log), Views())]
    runner = ProjectorRunner(projectors, settings.projector_poll_seconds)

    def checkpoint() -> int:
        with engine.connect() as conn:
            return active_position(conn)

    ledger = LogLedger(event_log, _locator(engine, event_log, checkpoint))
    writer = Writer(
        event_log,
        ledger,
        clock,
        idempotency_ttl=settings.idempotency_ttl_seconds,
        max_group=settings.writer_max_group,
        on_appended=runner.nudge,
    )
    keys = KeyStore(engine, cache_seconds=settings.key_cache_seconds)
    webhooks = Webhooks(settings, engine, read_log_page(event_log), clock)
    runner.after_round = webhooks.after_projection
    webhooks.worker.observe = operations.metrics.observe_delivery
    return Container(
        settings,
        engine,
        event_log,
        ledger,
        writer,
        projectors,
        runner,
        keys,
        PointInTime(),
        webhooks,
        clock,
        operations,
    )
