"""Queries over the log's read model (rm_event), answered as canonical JSON bytes.

Each takes the connection and reads the active generation's tables; bodies are rendered from
the log's own rows (projections/stored.py). An event concerns a chip or company when its
aggregate had named it by the event's position (`rm_subject`), narrowed for production
decisions to what they and their targets name (`rm_event.subjects`; projections/views.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, literal, or_, select

from projections.projector import active_tables
from projections.stored import log_table, public_bytes, stored_columns


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
    e, log = tables.event, log_table(conn)
    query = (select(e.c.position, *stored_columns(log))
             .join(log, log.c.position == e.c.position).where(e.c.position > after))
    named = [f"{kind}:{slug}" for kind, slug in (("chip", where.chip), ("company", where.company))
             if slug is not None]
    if named:
        target = e.alias("target")
        query = query.outerjoin(target, target.c.event_id == e.c.target_event_id)
        for n, subject in enumerate(named):
            s = tables.subject.alias(f"s_{n}")
            query = query.join(s, and_(s.c.agg_key == e.c.agg_key, s.c.subject == subject,
                                       s.c.first_position <= e.c.position)).where(
                or_(e.c.subjects.is_(None), _lists(e.c.subjects, subject),
                    _lists(target.c.subjects, subject)))
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
    return EventPage([public_bytes(r.position, r) for r in rows],
                     rows[-1].position if more else None, [r.position for r in rows])


def _lists(column: Any, subject: str) -> Any:
    """`column` (space-separated subjects) holds `subject`."""
    return (literal(" ") + column + literal(" ")).contains(f" {subject} ", autoescape=True)


def get_event(conn: Connection, event_id: str) -> bytes | None:
    found = event_by_id(conn, event_id)
    return None if found is None else public_bytes(found.position, found)


def event_by_id(conn: Connection, event_id: str) -> Any:
    """The row of one stored event (position, agg_key and the log columns), or None."""
    e, log = active_tables(conn).event, log_table(conn)
    return conn.execute(select(e.c.position, e.c.agg_key, *stored_columns(log))
                        .join(log, log.c.position == e.c.position)
                        .where(e.c.event_id == event_id)).first()


def locate_event(conn: Connection, event_id: str) -> str | None:
    """The aggregate key of a stored event, if the projection has it."""
    e = active_tables(conn).event
    return conn.execute(select(e.c.agg_key).where(e.c.event_id == event_id)).scalar()


def stored_event_ids(conn: Connection, ids: list[str]) -> set[str]:
    e = active_tables(conn).event
    return set(conn.execute(select(e.c.event_id).where(e.c.event_id.in_(ids))).scalars())
