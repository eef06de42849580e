"""Reading the log in bulk, for `regtl projections rebuild`: pages of entries, straight from
the library's table, decoded just enough to index.

The library's `select_notifications` builds a `Notification` per row (UUIDs revived, a
dataclass constructed) and its mapper revives every JSON object through a Python hook;
indexing needs none of that. A page is one query in PostgreSQL's binary format (half the
client CPU of the text format), and an entry keeps only what `projections.views` reads.
Reading by position is safe: the library takes a table lock to insert, so positions commit
in order and a page never skips an entry that commits later.

- an entry of ours in the plain stored form (projections/stored.py) → a `LogEntry`;
- one of ours in any other form → the library's own decoding of that row (a `Recorded`,
  which has the same attributes), so the answer never depends on the fast path;
- anything else in the log (idempotency records) → None: no read model indexes it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from domain.events import Recorded
from projections.database import is_sqlite
from projections.stored import event_type, plain_state
from services.storage.store import POSTGRES_EVENTS_TABLE, SQLITE_EVENTS_TABLE, EventLog

LogPage = list[tuple[int, Any]]  # (position, LogEntry | Recorded | None)


@dataclass(frozen=True, slots=True)
class LogEntry:
    """What the views index of one stored event (the attributes `Recorded` has too)."""

    type: str
    event_id: str
    aggregate: str
    originator_version: int
    effective_at: str | None
    reported_at: str
    recorded_at: str
    data: dict[str, Any]


class LogReader:
    def __init__(self, engine: Engine, event_log: EventLog):
        self.engine, self.log = engine, event_log
        self.sqlite = is_sqlite(engine)

    def __call__(self, after: int, limit: int) -> LogPage:
        """Up to `limit` entries after position `after`, in log order."""
        return [
            (position, self._entry(position, version, topic, state))
            for position, version, topic, state in self._rows(after, limit)
        ]

    def _rows(self, after: int, limit: int) -> list[tuple[int, int, str, bytes]]:
        with self.engine.connect() as conn:
            if self.sqlite:
                return [
                    (r[0], r[1], r[2], r[3])
                    for r in conn.exec_driver_sql(
                        f"SELECT rowid, originator_version, topic, state FROM {SQLITE_EVENTS_TABLE} "
                        "WHERE rowid > ? ORDER BY rowid LIMIT ?",
                        (after, limit),
                    )
                ]
            driver: Any = conn.connection.driver_connection
            with driver.cursor(binary=True) as cursor:
                cursor.execute(
                    "SELECT notification_id, originator_version, topic, state "
                    f"FROM public.{POSTGRES_EVENTS_TABLE} WHERE notification_id > %s "
                    "ORDER BY notification_id LIMIT %s",
                    (after, limit),
                )
                rows: list[tuple[int, int, str, bytes]] = cursor.fetchall()
                return rows

    def _entry(self, position: int, version: int, topic: str, state: bytes) -> Any:
        kind = event_type(topic)
        if kind is None:
            return None
        values = plain_state(topic, state)
        if values is None:
            return self._decoded(position)
        return LogEntry(
            kind,
            values["event_id"],
            values["aggregate"],
            version,
            values["effective_at"],
            values["reported_at"],
            values["recorded_at"],
            values["data"],
        )

    def _decoded(self, position: int) -> Recorded | None:
        """The library's own reading of one entry."""
        found = self.log.notifications(position - 1, 1)
        event = self.log.mapper.to_domain_event(found[0]) if found else None
        return event if isinstance(event, Recorded) else None


class PrefetchingReader:
    """`read(after, limit)`: while one page is being indexed and written, the next is already
    being read and decoded in a background thread (at most one page ahead)."""

    def __init__(self, fetch: Callable[[int, int], LogPage]):
        self.fetch = fetch
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="regtl-rebuild-read")
        self._ahead: tuple[int, int, Future[LogPage]] | None = None

    def read(self, after: int, limit: int) -> LogPage:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[:2] == (after, limit):
            page = ahead[2].result()
        else:  # first page, or someone else moved the checkpoint: read it now
            if ahead is not None:
                ahead[2].cancel()
            page = self.fetch(after, limit)
        if len(page) == limit:
            self._ahead = (page[-1][0], limit, self._pool.submit(self.fetch, page[-1][0], limit))
        return page

    def close(self) -> None:
        if self._ahead is not None:
            self._ahead[2].cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
