"""Queries over the log's read model (rm_event), answered as canonical JSON bytes.

Each takes the connection and reads the active generation's tables."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from projections.projector import active_tables


@dataclass(frozen=True)
class EventFilter:
    types: tuple[str, ...] = ()
    chip: str | None = None
    company: str | None = None
    effective_from_us: int | None = None
    effective_to_us: int | None = None
    recorded_before_us: int | None = None


@dataclass(frozen=True)
class EventPage:
    bodies: list[bytes]
    next_after: int | None
    positions: list[int]


def list_events(conn: Connection, where: EventFilter, after: int, limit: int) -> EventPage:
    tables = active_tables(conn)
    e = tables.event
    query = select(e.c.position, e.c.body).where(e.c.position > after)
    for kind, slug in (("chip", where.chip), ("company", where.company)):
        if slug is not None:
            s = tables.event_subject.alias(f"s_{kind}")
            query = query.join(s, and_(s.c.position == e.c.position, s.c.subject == f"{kind}:{slug}"))
    if where.types:
        query = query.where(e.c.type.in_(where.types))
    if where.effective_from_us is not None:
        query = query.where(e.c.effective_us >= where.effective_from_us)
    if where.effective_to_us is not None:
        query = query.where(e.c.effective_us <= where.effective_to_us)
    if where.recorded_before_us is not None:
        query = query.where(e.c.recorded_us < where.recorded_before_us)
    rows = conn.execute(query.order_by(e.c.position).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return EventPage([bytes(r.body) for r in rows], rows[-1].position if more else None,
                     [r.position for r in rows])


def get_event(conn: Connection, event_id: str) -> bytes | None:
    e = active_tables(conn).event
    body = conn.execute(select(e.c.body).where(e.c.event_id == event_id)).scalar()
    return None if body is None else bytes(body)


def locate_event(conn: Connection, event_id: str) -> str | None:
    """The aggregate key of a stored event, if the projection has it."""
    e = active_tables(conn).event
    return conn.execute(select(e.c.agg_key).where(e.c.event_id == event_id)).scalar()


def stored_event_ids(conn: Connection, ids: list[str]) -> set[str]:
    e = active_tables(conn).event
    return set(conn.execute(select(e.c.event_id).where(e.c.event_id.in_(ids))).scalars())
