"""The webhook machinery of one process: fan-out projector, scheduler, delivery worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from domain.clocks import to_micros
from projections.projector import Projector, active_position
from services.settings import Settings
from services.webhooks.fanout import FANOUT, FanOut
from services.webhooks.retries import parse_schedule
from services.webhooks.scheduler import fire_due
from services.webhooks.secrets_box import SecretBox, load_or_create_key
from services.webhooks.worker import DeliveryWorker

log = logging.getLogger(__name__)


class Webhooks:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        read_log: Callable[[int, int], list[tuple[int, Any]]],
        clock: Callable[[], datetime],
    ):
        self.engine = engine
        self.now_us = lambda: to_micros(clock())
        self.box = SecretBox(load_or_create_key(settings.secret_key, settings.data_dir))

        def up_to_views(after: int, limit: int) -> list[tuple[int, Any]]:
            # An event's subjects come from the views: never fan out ahead of them.
            with engine.connect() as conn:
                ceiling = active_position(conn)
            return [(p, e) for p, e in read_log(after, limit) if p <= ceiling]

        self.fanout = Projector(
            engine, up_to_views, FanOut(self.now_us), checkpoint=FANOUT, page=500
        )
        self.worker = DeliveryWorker(
            engine,
            self.box,
            self.now_us,
            schedule=parse_schedule(settings.webhook_retry_schedule),
            allow_private=settings.webhook_allow_private,
            threads=settings.webhook_threads,
        )
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    def step(self) -> None:
        """One full round, in order (tests and the CLI drive this directly)."""
        self.fanout.catch_up()
        fire_due(self.engine, self.now_us)
        while self.worker.run_once():
            pass

    def after_projection(self) -> None:
        """Called by the projector runner once the views moved: fan out, then send."""
        self.fanout.catch_up()
        self.worker.nudge()

    def start(self) -> None:
        self.worker.start()
        self._timer = threading.Thread(target=self._tick, name="regtl-schedule", daemon=True)
        self._timer.start()

    def stop(self) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.join(timeout=5)
        self.worker.stop()

    def _tick(self) -> None:
        """Once a second: fire derived messages that fell due (and catch up the fan-out)."""
        while not self._stop.wait(1.0):
            try:
                self.fanout.catch_up()
                if fire_due(self.engine, self.now_us):
                    self.worker.nudge()
            except Exception:  # the timer must survive a bad round; the next one retries
                log.exception("webhook schedule round failed")
