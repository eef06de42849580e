"""The `views` projection: every read model, maintained from the log in one transaction.

- rm_event / rm_event_subject: the log as GET /v1/events serves it, and which chips and
  companies each event concerns (a lifecycle event inherits what its object named; a
  revision inherits its target's subjects);
- rm_subject: every aggregate that ever concerned a chip or company — the slice a
  point-in-time answer folds (a superset: the fold decides what applies);
- rm_criteria_agg: measures that ever had threshold criteria, which may cover any chip;
- rm_object / rm_registry: created objects and registered chips and companies, by id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.catalog import CATALOG, Role
from domain.clocks import parse_instant, to_micros
from domain.events import Recorded
from domain.subjects import named_subjects
from projections.canonical import dumps, render_event
from projections.tables import VIEWS, ViewTables

REVISIONS = ("EventCorrected", "EventRetracted")


def _micros(text: str | None) -> int | None:
    return None if text is None else to_micros(parse_instant(text))


def insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = conn.dialect.name
    statement = (sqlite_insert(table) if dialect == "sqlite" else pg_insert(table))
    conn.execute(statement.on_conflict_do_nothing(), rows)


class _Page:
    """What one page of events adds, collected before one bulk insert per table."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.event_subjects: list[dict[str, Any]] = []
        self.subjects: dict[tuple[str, str], int] = {}
        self.criteria: dict[str, int] = {}
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.registry: dict[tuple[str, str], int] = {}
        self.by_event: dict[str, set[str]] = {}  # subjects of events in this page
        self.by_aggregate: dict[str, set[str]] = {}


class Views:
    name = VIEWS

    def apply(self, conn: Connection, tables: ViewTables,
              events: list[tuple[int, Recorded]]) -> None:
        page = _Page()
        for position, event in events:
            self._one(conn, tables, page, position, event)
        if page.events:
            conn.execute(insert(tables.event), page.events)
        if page.event_subjects:
            conn.execute(insert(tables.event_subject), page.event_subjects)
        insert_ignoring_duplicates(conn, tables.subject, [
            {"subject": s, "agg_key": a, "first_position": p} for (s, a), p in page.subjects.items()])
        insert_ignoring_duplicates(conn, tables.criteria, [
            {"agg_key": a, "first_position": p} for a, p in page.criteria.items()])
        insert_ignoring_duplicates(conn, tables.object, list(page.objects.values()))
        insert_ignoring_duplicates(conn, tables.registry, [
            {"kind": k, "id": i, "first_position": p} for (k, i), p in page.registry.items()])

    def _one(self, conn: Connection, tables: ViewTables, page: _Page, position: int,
             event: Recorded) -> None:
        role = CATALOG[event.type].role
        key = event.aggregate
        target_id = event.data.get("event_id") if role is Role.REVISION else None
        if target_id is not None:
            subjects = self._target_subjects(conn, tables, page, target_id)
            changed = event.data.get("changes", {}).get("data") or {}
            subjects |= named_subjects(changed)
            if changed.get("criteria"):
                page.criteria.setdefault(key, position)
        else:
            subjects = named_subjects(event.data)
            if role in (Role.LIFECYCLE, Role.TERMINAL):
                subjects |= self._aggregate_subjects(conn, tables, page, key)
            if event.data.get("criteria"):
                page.criteria.setdefault(key, position)
            self._index_ids(page, role, event, position)
        page.by_event[event.event_id] = subjects
        page.by_aggregate.setdefault(key, set()).update(subjects)
        for subject in subjects:
            page.subjects.setdefault((subject, key), position)
        page.events.append({
            "position": position, "event_id": event.event_id, "type": event.type,
            "agg_key": key, "effective_us": _micros(event.effective_at),
            "reported_us": _micros(event.reported_at), "recorded_us": _micros(event.recorded_at),
            "target_event_id": target_id, "body": dumps(render_event(event, position)),
        })
        page.event_subjects += [{"subject": s, "position": position} for s in sorted(subjects)]

    @staticmethod
    def _index_ids(page: _Page, role: Role, event: Recorded, position: int) -> None:
        event_type = CATALOG[event.type]
        if role is Role.CREATOR:
            object_id = event.data[event_type.id_field]
            page.objects.setdefault((event_type.kind, object_id), {
                "kind": event_type.kind, "id": object_id, "agg_key": event.aggregate,
                "first_position": position})
        elif role is Role.REGISTRY:
            page.registry.setdefault((event_type.kind, event.data[event_type.id_field]), position)

    @staticmethod
    def _aggregate_subjects(conn: Connection, tables: ViewTables, page: _Page,
                            key: str) -> set[str]:
        """A lifecycle event concerns everything its object has named so far (an amendment
        that only changes `control` still concerns the measure's chips)."""
        stored = conn.execute(select(tables.subject.c.subject)
                              .where(tables.subject.c.agg_key == key)).scalars()
        return set(stored) | page.by_aggregate.get(key, set())

    @staticmethod
    def _target_subjects(conn: Connection, tables: ViewTables, page: _Page,
                         target_id: str) -> set[str]:
        if target_id in page.by_event:
            return set(page.by_event[target_id])
        found = conn.execute(
            select(tables.event_subject.c.subject)
            .join(tables.event, tables.event.c.position == tables.event_subject.c.position)
            .where(tables.event.c.event_id == target_id)
        ).scalars()
        return set(found)
