"""The operations side of one container: its metrics, its rate limiter and the projection
lag collector, made by the composition root (services/bootstrap.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from domain.events import Recorded
from services.operations.lag import lag_reader
from services.operations.metrics import Metrics, ProjectionLag
from services.operations.rate_limits import RateLimiter, parse_rate
from services.settings import Settings
from services.storage.store import EventLog


@dataclass
class Operations:
    metrics: Metrics
    limiter: RateLimiter
    lag: ProjectionLag

    @classmethod
    def build(
        cls,
        settings: Settings,
        engine: Engine,
        event_log: EventLog,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float],
    ) -> Operations:
        metrics = Metrics()
        rate = parse_rate(settings.rate_limit) if settings.rate_limit else None
        limiter = RateLimiter(rate, monotonic, on_refused=metrics.count_rate_limited)
        return cls(metrics, limiter, ProjectionLag(lag_reader(engine, event_log, clock)))

    def count_appends(self, event_log: EventLog) -> None:
        """Count the events of every append once it returns, i.e. once they are durable.

        The writer's `on_appended` callback carries only the new head, a position shared
        with other processes' writes and with idempotency records, so it cannot say how
        many events this process stored; the append's recordings can. Wrapped here, in the
        composition root, so that services/write/writer.py stays as it is.
        """
        append = event_log.append

        def counted(events: Sequence[Any]) -> Any:
            recordings = append(events)
            self.metrics.count_appended(
                sum(1 for r in recordings if isinstance(r.domain_event, Recorded))
            )
            return recordings

        # An instance attribute in front of the method: the one append every writer calls.
        event_log.append = counted  # type: ignore[method-assign]
