"""The events a point-in-time answer needs, read from the active views (DESIGN.md).

A chip's or company's state depends only on the aggregates that ever concerned it (plus,
for a chip, the measures that ever had threshold criteria). Two indexed queries fetch those
aggregates' events up to P; the reference fold then does the rest. The cost is bounded by
the subject's own history, not by the size of the log. Decoded events are immutable per
position, so they are cached in process.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict

import orjson
from sqlalchemy import Connection, select, union

from domain.events import LoggedEvent
from projections.tables import ViewTables

FREEZE_EVERY = 20_000


class DecodedCache:
    """position → LoggedEvent, bounded (a log row never changes once projected)."""

    def __init__(self, max_entries: int = 300_000):
        self._items: OrderedDict[int, LoggedEvent] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()
        self._added = 0

    def get_many(self, positions: list[int]) -> dict[int, LoggedEvent]:
        with self._lock:
            return {p: e for p in positions if (e := self._items.get(p)) is not None}

    def put(self, position: int, event: LoggedEvent) -> None:
        with self._lock:
            self._items[position] = event
            if len(self._items) > self._max:
                self._items.popitem(last=False)
            self._added += 1
            if self._added % FREEZE_EVERY == 0:
                # Hundreds of thousands of long-lived cached objects make every full
                # collection walk them all (0.4 s pauses seen at 100k events): move what
                # exists now out of the collector's sight.
                gc.freeze()


def decode(body: bytes, aggregate: str) -> LoggedEvent:
    public = orjson.loads(body)
    return LoggedEvent(public["id"], public["type"], aggregate, public["effective_at"],
                       public["reported_at"], public["data"], public)


def aggregates_of(conn: Connection, tables: ViewTables, subject: str, at_position: int) -> list[str]:
    s = tables.subject
    query = select(s.c.agg_key).where(s.c.subject == subject, s.c.first_position <= at_position)
    if subject.startswith("chip:"):
        c = tables.criteria
        query = union(query, select(c.c.agg_key).where(c.c.first_position <= at_position))
    return list(conn.execute(query).scalars())


def events_of(conn: Connection, tables: ViewTables, aggregates: list[str], at_position: int,
              cache: DecodedCache) -> list[tuple[int, LoggedEvent]]:
    """Every event of these aggregates up to P, in log order (decoded once, then cached)."""
    if not aggregates:
        return []
    e = tables.event
    positions = list(conn.execute(
        select(e.c.position).where(e.c.agg_key.in_(aggregates), e.c.position <= at_position)
    ).scalars())
    return _decoded(conn, tables, positions, cache)


def subject_events(conn: Connection, tables: ViewTables, subject: str, at_position: int,
                   cache: DecodedCache) -> list[tuple[int, LoggedEvent]]:
    """One statement: the aggregates (a subquery, not hundreds of bound keys), their
    events up to P. A big slice (a flagship chip, every criteria measure) stays one query."""
    e, s = tables.event, tables.subject
    aggregates = select(s.c.agg_key).where(s.c.subject == subject,
                                           s.c.first_position <= at_position)
    if subject.startswith("chip:"):
        c = tables.criteria
        aggregates = union(aggregates, select(c.c.agg_key).where(c.c.first_position <= at_position))
    positions = list(conn.execute(
        select(e.c.position).where(e.c.agg_key.in_(aggregates), e.c.position <= at_position)
    ).scalars())
    return _decoded(conn, tables, positions, cache)


def _decoded(conn: Connection, tables: ViewTables, positions: list[int],
             cache: DecodedCache) -> list[tuple[int, LoggedEvent]]:
    e = tables.event
    known = cache.get_many(positions)
    missing = [p for p in positions if p not in known]
    for start in range(0, len(missing), 500):
        rows = conn.execute(select(e.c.position, e.c.agg_key, e.c.body)
                            .where(e.c.position.in_(missing[start:start + 500]))).all()
        for row in rows:
            event = decode(bytes(row.body), row.agg_key)
            cache.put(row.position, event)
            known[row.position] = event
    return [(p, known[p]) for p in sorted(positions)]


def object_events(conn: Connection, tables: ViewTables, kind: str, object_id: str,
                  at_position: int, cache: DecodedCache) -> list[tuple[int, LoggedEvent]] | None:
    o = tables.object
    key = conn.execute(select(o.c.agg_key).where(o.c.kind == kind, o.c.id == object_id,
                                                 o.c.first_position <= at_position)).scalar()
    return None if key is None else events_of(conn, tables, [key], at_position, cache)


def registered_ids(conn: Connection, tables: ViewTables, kind: str, after: str | None,
                   limit: int, at_position: int) -> list[str]:
    r = tables.registry
    query = select(r.c.id).where(r.c.kind == kind, r.c.first_position <= at_position)
    if after is not None:
        query = query.where(r.c.id > after)
    return list(conn.execute(query.order_by(r.c.id).limit(limit)).scalars())


def object_ids(conn: Connection, tables: ViewTables, kind: str, after: str | None, limit: int,
               at_position: int) -> list[tuple[str, str]]:
    o = tables.object
    query = select(o.c.id, o.c.agg_key).where(o.c.kind == kind, o.c.first_position <= at_position)
    if after is not None:
        query = query.where(o.c.id > after)
    return [(r.id, r.agg_key) for r in conn.execute(query.order_by(o.c.id).limit(limit))]
