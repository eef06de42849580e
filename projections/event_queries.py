"""Queries over the `events` projection, answered as canonical JSON bytes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from projections.tables import rm_event, rm_event_subject


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


def list_events(conn: Connection, where: EventFilter, after: int, limit: int) -> EventPage:
    e = rm_event
    query = select(e.c.position, e.c.body).where(e.c.position > after)
    for kind, slug in (("chip", where.chip), ("company", where.company)):
        if slug is not None:
            s = rm_event_subject.alias(f"s_{kind}")
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
    return EventPage([bytes(r.body) for r in rows], rows[-1].position if more else None)


def get_event(conn: Connection, event_id: str) -> bytes | None:
    body = conn.execute(select(rm_event.c.body).where(rm_event.c.event_id == event_id)).scalar()
    return None if body is None else bytes(body)


def locate_event(conn: Connection, event_id: str) -> str | None:
    """The aggregate key of a stored event, if the projection has it."""
    return conn.execute(select(rm_event.c.agg_key).where(rm_event.c.event_id == event_id)).scalar()
