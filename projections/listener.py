"""Wake projectors when the log grows, from any process (PostgreSQL LISTEN/NOTIFY).

The library's PostgreSQL recorder sends `NOTIFY <events table>` in every insert
transaction; listening on it lets a projector in another process (`regtl worker`) start at
once instead of at its next poll. Polling stays as the fallback: a lost connection or a
missed notification only costs latency, never an event.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

log = logging.getLogger(__name__)


class LogListener:
    def __init__(self, dsn: str, channel: str, on_notify: Callable[[], None]):
        self.dsn, self.channel, self.on_notify = dsn, channel, on_notify
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="regtl-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'LISTEN "{self.channel}"')
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.on_notify()
            except psycopg.Error:
                log.warning("LISTEN %s: connection lost; retrying", self.channel, exc_info=True)
                self._stop.wait(2.0)
