"""The events a point-in-time answer needs, read from the active views (docs/architecture.md, "Point-in-time reads").

A chip's or company's state depends only on the aggregates that ever concerned it (plus,
for a chip, the measures that ever had threshold criteria): their events up to P are the
subject's slice (`slice_cache`), and the reference fold does the rest. The cost is bounded
by the subject's own history, not by the size of the log. Decoded events are immutable per
position, so they are cached in process.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import Connection, Engine, select

from domain.events import LoggedEvent
from domain.knowledge import Belief, as_written
from projections.projector import active_generation
from projections.stored import log_table, public_body, stored_columns
from projections.tables import ViewTables, view_tables

FREEZE_EVERY = 2_000


class DecodedCache:
    """position → the event as written (decoded, clocks parsed), bounded: a log row never
    changes once projected, and revisions are applied per read, on top."""

    def __init__(self, max_entries: int = 300_000):
        self._items: OrderedDict[int, Belief] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()
        self._added = 0

    def get_many(self, positions: list[int]) -> dict[int, Belief]:
        with self._lock:
            return {p: e for p in positions if (e := self._items.get(p)) is not None}

    def put(self, position: int, event: LoggedEvent) -> Belief:
        written = as_written(position, event)
        with self._lock:
            self._items[position] = written
            if len(self._items) > self._max:
                self._items.popitem(last=False)
            self._added += 1
            if self._added % FREEZE_EVERY == 0:
                # Hundreds of thousands of long-lived cached objects make every full
                # collection walk them all (0.4 s pauses seen at 100k events): move what
                # exists now out of the collector's sight (services/heap.py). The young
                # generations are collected first, so that recent garbage cycles are not
                # frozen with the cache.
                gc.collect(1)
                gc.freeze()
        return written


def logged(public: dict[str, Any], aggregate: str) -> LoggedEvent:
    return LoggedEvent(
        public["id"],
        public["type"],
        aggregate,
        public["effective_at"],
        public["reported_at"],
        public["data"],
        public,
    )


class Reading:
    """One read's access to the database, connected on first use: a warm point-in-time read
    (its slice and events held in memory) needs no database at all, not even a pool
    checkout. Given a connection, uses it and leaves it open."""

    def __init__(
        self,
        engine: Engine | None = None,
        conn: Connection | None = None,
        tables: ViewTables | None = None,
    ):
        self._engine, self._conn, self._owned = engine, conn, conn is None
        self._tables = tables

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            assert self._engine is not None
            self._conn = self._engine.connect()
        return self._conn

    @property
    def tables(self) -> ViewTables:
        """The active generation's tables (looked up once per read)."""
        if self._tables is None:
            self._tables = view_tables(active_generation(self.conn))
        return self._tables

    def close(self) -> None:
        if self._owned and self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def written(db: Reading, positions: list[int], cache: DecodedCache) -> list[Belief]:
    """The events at these positions as written, in log order (decoded once, then cached)."""
    known = cache.get_many(positions)
    missing = [p for p in positions if p not in known]
    if missing:
        _decode_into(db.conn, db.tables, missing, cache, known)
    return [known[p] for p in sorted(positions)]


def events_of(
    conn: Connection,
    tables: ViewTables,
    aggregates: list[str],
    at_position: int,
    cache: DecodedCache,
) -> list[Belief]:
    """Every event of these aggregates up to P, as written, in log order."""
    if not aggregates:
        return []
    e = tables.event
    positions: list[int] = list(
        conn.execute(
            select(e.c.position).where(e.c.agg_key.in_(aggregates), e.c.position <= at_position)
        ).scalars()
    )
    return written(Reading(conn=conn, tables=tables), positions, cache)


def _decode_into(
    conn: Connection,
    tables: ViewTables,
    missing: list[int],
    cache: DecodedCache,
    known: dict[int, Belief],
) -> None:
    e, log = tables.event, log_table(conn)
    for start in range(0, len(missing), 500):
        rows = conn.execute(
            select(e.c.position, e.c.agg_key, *stored_columns(log))
            .join(log, log.c.position == e.c.position)
            .where(e.c.position.in_(missing[start : start + 500]))
        ).all()
        for row in rows:
            event = logged(public_body(row.position, row), row.agg_key)
            known[row.position] = cache.put(row.position, event)


def object_events(
    conn: Connection,
    tables: ViewTables,
    kind: str,
    object_id: str,
    at_position: int,
    cache: DecodedCache,
) -> list[Belief] | None:
    o = tables.object
    key = conn.execute(
        select(o.c.agg_key).where(
            o.c.kind == kind, o.c.id == object_id, o.c.first_position <= at_position
        )
    ).scalar()
    return None if key is None else events_of(conn, tables, [key], at_position, cache)


def registered_ids(
    conn: Connection, tables: ViewTables, kind: str, after: str | None, limit: int, at_position: int
) -> list[str]:
    r = tables.registry
    query = select(r.c.id).where(r.c.kind == kind, r.c.first_position <= at_position)
    if after is not None:
        query = query.where(r.c.id > after)
    return list(conn.execute(query.order_by(r.c.id).limit(limit)).scalars())


def object_ids(
    conn: Connection, tables: ViewTables, kind: str, after: str | None, limit: int, at_position: int
) -> list[tuple[str, str]]:
    o = tables.object
    query = select(o.c.id, o.c.agg_key).where(o.c.kind == kind, o.c.first_position <= at_position)
    if after is not None:
        query = query.where(o.c.id > after)
    return [(r.id, r.agg_key) for r in conn.execute(query.order_by(o.c.id).limit(limit))]
