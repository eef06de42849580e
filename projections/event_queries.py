"""Queries over the log's read model (rm_event), answered as canonical JSON bytes.

Each takes the connection and reads the active generation's tables; bodies are rendered from
the log's own rows (projections/stored.py). An event concerns a chip or company when its
aggregate had named it by the event's position (`rm_subject`), narrowed for production
decisions to what they and their targets name (`rm_event.subjects`; projections/views.py).
A destination group's event also concerns what the measures naming the group by then had
named by then (docs/webhooks.md, "Subscriptions")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, exists, func, literal, or_, select, true, union_all

from domain.ids import GROUP_PREFIX
from projections.database import plan_by_key
from projections.projector import active_tables
from projections.stored import log_table, public_bytes, stored_columns
from projections.tables import ViewTables


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
    positions = _matching_positions(conn, tables, where, after, limit + 1)
    more = len(positions) > limit
    positions = positions[:limit]
    e, log = tables.event, log_table(conn)
    rows = (
        conn.execute(
            select(e.c.position, *stored_columns(log))
            .join(log, log.c.position == e.c.position)
            .where(e.c.position.in_(positions))
            .order_by(e.c.position)
        ).all()
        if positions
        else []
    )
    return EventPage(
        [public_bytes(r.position, r) for r in rows], positions[-1] if more else None, positions
    )


def _matching_positions(
    conn: Connection, tables: ViewTables, where: EventFilter, after: int, count: int
) -> list[int]:
    """The first `count` positions after `after` that pass the filter, in log order.

    With a chip or company, the query starts from that subject's aggregates (`rm_subject`),
    and the groups those name (`_sources`), and reads each one's events in position order,
    so its cost follows the subject's own history. On PostgreSQL a LATERAL subquery per
    aggregate spells that plan out: without statistics (a generation just rebuilt,
    autovacuum off) the planner otherwise walked `rm_event` in position order testing every
    row — a second and more per page at 1M events instead of ~10 ms; and, still without
    statistics, it scanned all of `rm_subject` and compiled the query with JIT (0.1 s and
    0.2 s): `plan_by_key`."""
    e = tables.event
    conditions = [e.c.position > after]
    if where.types:
        conditions.append(e.c.type.in_(where.types))
    if where.effective_from_us is not None:
        conditions.append(e.c.effective_us >= where.effective_from_us)
    if where.effective_to_us is not None:
        conditions.append(e.c.effective_us <= where.effective_to_us)
    if where.recorded_before_us is not None:
        conditions.append(e.c.recorded_us < where.recorded_before_us)
    named = [
        f"{kind}:{slug}"
        for kind, slug in (("chip", where.chip), ("company", where.company))
        if slug is not None
    ]
    if not named:
        query = select(e.c.position).where(*conditions)
        return list(conn.execute(query.order_by(e.c.position).limit(count)).scalars())
    sources = _sources(conn, tables, named[0], "sources")
    for n, other in enumerate(named[1:]):  # both subjects: the aggregates both reach
        more = _sources(conn, tables, other, f"sources_{n}")
        sources = (
            select(sources.c.agg_key, _later(sources.c.since, more.c.since).label("since"))
            .join(more, more.c.agg_key == sources.c.agg_key)
            .subquery(f"both_{n}")
        )
    narrowed = [*conditions, *(_narrowed(tables, subject) for subject in named)]
    plan_by_key(conn)
    if conn.dialect.name == "postgresql":
        per_aggregate = (
            select(e.c.position)
            .where(e.c.agg_key == sources.c.agg_key, e.c.position >= sources.c.since, *narrowed)
            .order_by(e.c.position)
            .limit(count)
            .lateral("per_aggregate")
        )
        query = (
            select(per_aggregate.c.position)
            .select_from(sources)
            .join(per_aggregate, true())
            .order_by(per_aggregate.c.position)
        )
    else:  # SQLite: the sources are few rows, looked up by key, then each one's events
        query = (
            select(e.c.position)
            .select_from(sources)
            .join(e, and_(e.c.agg_key == sources.c.agg_key, e.c.position >= sources.c.since))
            .where(*narrowed)
            .order_by(e.c.position)
        )
    return list(conn.execute(query.limit(count)).scalars())


def _sources(conn: Connection, tables: ViewTables, subject: str, name: str) -> Any:
    """The aggregates whose events concern `subject`, each from the position where it starts
    to, as (`agg_key`, `since`), one row per aggregate: the aggregates that named it
    (`rm_subject`), and each group one of those named, from where both had happened (the
    earliest such position over the aggregates naming the group). Keyed lookups only: the
    subject's rows, then each of its aggregates' rows (on PostgreSQL a LATERAL subquery
    again: without statistics the planner read every row that names any group instead)."""
    own, named = tables.subject.alias(f"{name}_own"), tables.subject.alias(f"{name}_named")
    direct = select(own.c.agg_key, own.c.first_position.label("since")).where(
        own.c.subject == subject
    )
    groups: Any = named
    joined: Any = own.join(named, named.c.agg_key == own.c.agg_key)
    in_range = [_is_group(named.c.subject)]
    if conn.dialect.name == "postgresql":
        groups = (
            select(named.c.subject, named.c.first_position)
            .where(named.c.agg_key == own.c.agg_key, *in_range)
            .offset(0)  # kept a subquery per row: pulled up, it was hash-joined to them all
            .lateral(f"{name}_groups")
        )
        joined, in_range = own.join(groups, true()), []
    via_groups = (
        select(
            groups.c.subject.label("agg_key"),
            func.min(_later(groups.c.first_position, own.c.first_position)).label("since"),
        )
        .select_from(joined)
        .where(own.c.subject == subject, *in_range)
        .group_by(groups.c.subject)
    )
    # Disjoint: a group's own events name no chip or company (projections/views.py).
    return union_all(direct, via_groups).subquery(name)


def _is_group(key: Any) -> Any:
    """`key` is a group's aggregate key, the entry that names it (`group:ear-d5`). Tested on
    the text, not as a range: a range on `rm_subject.subject` let PostgreSQL, without
    statistics, walk the primary key over every row naming any group."""
    return func.substr(key, 1, len(GROUP_PREFIX)) == GROUP_PREFIX


def _later(a: Any, b: Any) -> Any:
    """The greater of two positions, as a CASE both backends read alike (PostgreSQL spells
    it GREATEST, SQLite max())."""
    return case((a > b, a), else_=b)


def subjects_of(conn: Connection, positions: list[int]) -> dict[int, set[str]]:
    """The chips and companies each event concerns: what its aggregate had named by then, or
    for a production decision what it and its target name (projections/views.py); for a
    group's event, also what the aggregates that had named the group by then had named by
    then (docs/webhooks.md, "Subscriptions")."""
    tables = active_tables(conn)
    e, s = tables.event, tables.subject
    found: dict[int, set[str]] = {p: set() for p in positions}
    plan_by_key(conn)
    for row in conn.execute(
        select(e.c.position, s.c.subject)
        .join(s, and_(s.c.agg_key == e.c.agg_key, s.c.first_position <= e.c.position))
        .where(e.c.position.in_(positions))
    ):
        found[row.position].add(row.subject)
    naming, named = s.alias("naming"), s.alias("named")
    for row in conn.execute(
        select(e.c.position, named.c.subject)
        .join(
            naming, and_(naming.c.subject == e.c.agg_key, naming.c.first_position <= e.c.position)
        )
        .join(
            named,
            and_(named.c.agg_key == naming.c.agg_key, named.c.first_position <= e.c.position),
        )
        .where(e.c.position.in_(positions), _is_group(e.c.agg_key))
    ):
        found[row.position].add(row.subject)
    target = e.alias("target")
    for row in conn.execute(
        select(e.c.position, e.c.subjects, target.c.subjects.label("targets"))
        .outerjoin(target, target.c.event_id == e.c.target_event_id)
        .where(e.c.position.in_(positions), e.c.subjects.is_not(None))
    ):
        found[row.position] &= {*row.subjects.split(), *(row.targets or "").split()}
    return found


def _narrowed(tables: ViewTables, subject: str) -> Any:
    """A production decision, or a revision of one, names `subject` (or its target does)."""
    e = tables.event
    target = e.alias()
    return or_(
        e.c.subjects.is_(None),
        _lists(e.c.subjects, subject),
        exists().where(
            target.c.event_id == e.c.target_event_id, _lists(target.c.subjects, subject)
        ),
    )


def _lists(column: Any, subject: str) -> Any:
    """`column` (space-separated subjects) holds `subject`."""
    return (literal(" ") + column + literal(" ")).contains(f" {subject} ", autoescape=True)


def get_event(conn: Connection, event_id: str) -> bytes | None:
    found = event_by_id(conn, event_id)
    return None if found is None else public_bytes(found.position, found)


def event_by_id(conn: Connection, event_id: str) -> Any:
    """The row of one stored event (position, agg_key and the log columns), or None."""
    e, log = active_tables(conn).event, log_table(conn)
    return conn.execute(
        select(e.c.position, e.c.agg_key, *stored_columns(log))
        .join(log, log.c.position == e.c.position)
        .where(e.c.event_id == event_id)
    ).first()


def locate_event(conn: Connection, event_id: str) -> str | None:
    """The aggregate key of a stored event, if the projection has it."""
    e = active_tables(conn).event
    return conn.execute(select(e.c.agg_key).where(e.c.event_id == event_id)).scalar()


def stored_event_ids(conn: Connection, ids: list[str]) -> set[str]:
    e = active_tables(conn).event
    return set(conn.execute(select(e.c.event_id).where(e.c.event_id.in_(ids))).scalars())
