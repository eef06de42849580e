"""How far each projection is behind the log, read when /metrics is scraped
(docs/deploy.md, "Metrics"): the log's head, each checkpoint, and the one oldest entry not
yet applied — indexed single-row reads, whatever the log's size."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from eventsourcing.domain import DomainEvent
from sqlalchemy import Engine

from projections.projector import active_position, read_checkpoint
from services.operations.metrics import Lag
from services.storage.store import EventLog
from services.webhooks.fanout import FANOUT

log = logging.getLogger(__name__)
VIEWS = "views"  # the read models readers use (the active generation)


def lag_reader(
    engine: Engine, event_log: EventLog, clock: Callable[[], datetime]
) -> Callable[[], list[Lag]]:
    def measure() -> list[Lag]:
        try:
            return _measure(engine, event_log, clock)
        except Exception:  # noqa: BLE001
            # A scrape while the database is away still answers the counted families;
            # the lag is absent rather than made up, and /readyz says why.
            log.warning("projection lag not measured", exc_info=True)
            return []

    return measure


def _measure(engine: Engine, event_log: EventLog, clock: Callable[[], datetime]) -> list[Lag]:
    with engine.connect() as conn:
        checkpoints = {VIEWS: active_position(conn), FANOUT: read_checkpoint(conn, FANOUT)}
    head = event_log.head()
    oldest: dict[int, float] = {}  # a checkpoint's age, read once when two are equal
    lags = []
    for projection, position in checkpoints.items():
        behind = max(0, head - position)
        if behind and position not in oldest:
            oldest[position] = _age(event_log, position, clock)
        lags.append(Lag(projection, behind, oldest.get(position, 0.0) if behind else 0.0))
    return lags


def _age(event_log: EventLog, checkpoint: int, clock: Callable[[], datetime]) -> float:
    """Seconds since the first entry after `checkpoint` was recorded (its timestamp is its
    recorded_at, services/write/recording.py; idempotency records carry one too)."""
    entries = event_log.notifications(checkpoint, 1)
    if not entries:
        return 0.0
    event = event_log.mapper.to_domain_event(entries[0])
    if not isinstance(event, DomainEvent):
        return 0.0
    return max(0.0, (clock() - event.timestamp).total_seconds())
