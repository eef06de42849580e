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

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from domain.catalog import CATALOG, Role
from domain.clocks import parse_instant, to_micros
from domain.events import Recorded
from domain.subjects import named_subjects
from projections.bulk import insert_rows
from projections.canonical import dumps, render_event
from projections.subject_cache import SubjectCache
from projections.tables import VIEWS, ViewTables

REVISIONS = ("EventCorrected", "EventRetracted")


def _micros(text: str | None) -> int | None:
    if text is None:
        return None
    if len(text) in (20, 27) and text[-1] == "Z" and text[10] == "T" and text[4] == text[7] == "-" \
            and text[13] == text[16] == ":":
        # Canonical as stored (YYYY-MM-DDTHH:MM:SS[.ffffff]Z): the C parser, same instant.
        try:
            return to_micros(datetime.fromisoformat(text))
        except ValueError:
            pass
    return to_micros(parse_instant(text))


def insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    insert_rows(conn, table, rows, ignore_duplicates=True)


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
        # What earlier pages stored, fetched once for the whole page (see `_prefetch`).
        self.stored_by_event: dict[str, set[str]] = {}
        self.stored_by_aggregate: dict[str, set[str]] = {}


class Views:
    name = VIEWS

    def __init__(self, cache: SubjectCache | None = None):
        self.cache = cache  # a rebuild's memory of earlier pages (projections/subject_cache.py)

    def apply(self, conn: Connection, tables: ViewTables,
              events: list[tuple[int, Recorded]]) -> None:
        self.write(conn, tables, self.index(conn, tables, events))

    def index(self, conn: Connection, tables: ViewTables,
              events: list[tuple[int, Recorded]]) -> _Page:
        """Work out a page's rows; `conn` is only read (what earlier pages stored)."""
        page = _Page()
        self._prefetch(conn, tables, page, events)
        for position, event in events:
            self._one(conn, tables, page, position, event)
        if self.cache is not None:
            self.cache.stage(page, events)
        return page

    @staticmethod
    def write(conn: Connection, tables: ViewTables, page: _Page) -> None:
        """Insert what `index` worked out, in bulk."""
        insert_rows(conn, tables.event, page.events)
        insert_rows(conn, tables.event_subject, page.event_subjects)
        insert_ignoring_duplicates(conn, tables.subject, [  # pairs already stored: no row
            {"subject": s, "agg_key": a, "first_position": p} for (s, a), p in page.subjects.items()
            if s not in page.stored_by_aggregate.get(a, ())])
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
            "target_event_id": target_id, "body": _exact(dumps(render_event(event, position))),
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

    def _prefetch(self, conn: Connection, tables: ViewTables, page: _Page,
                  events: list[tuple[int, Recorded]]) -> None:
        """What the lookups below need from earlier pages, in two queries per page instead of
        one per lifecycle event and revision. The page's own rows are inserted only after
        every event is indexed, so the stored rows are the same for every event of the page."""
        keys: set[str] = set()
        targets: set[str] = set()
        revised: set[str] = set()
        for _position, event in events:
            role = CATALOG[event.type].role
            if role is Role.REVISION and event.data.get("event_id") is not None:
                targets.add(event.data["event_id"])
                revised.add(event.aggregate)
            elif role in (Role.LIFECYCLE, Role.TERMINAL):
                keys.add(event.aggregate)
        cache = self.cache
        if cache is not None:
            for key in list(keys):
                if (known := cache.aggregate(key)) is not None:
                    page.stored_by_aggregate[key] = set(known)
                    keys.discard(key)
            for target in list(targets):
                if (known := cache.event(target)) is not None:
                    page.stored_by_event[target] = set(known)
                    targets.discard(target)
            for key in revised - keys:  # only to skip rows `write` knows are stored
                if (known := cache.aggregate(key)) is not None:
                    page.stored_by_aggregate[key] = set(known)
        s, e, es = tables.subject, tables.event, tables.event_subject
        if (keys or targets) and conn.dialect.name == "postgresql":
            # Lookups by key, always: a generation being rebuilt has no statistics (its
            # tables were emptied, and the service role may not ANALYZE them), and the
            # planner's guesses chose parallel sequential scans of millions of rows — 0.2
            # to 0.4 s a page at 1M events. For this transaction only.
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for chunk in _chunks(sorted(keys)):
            page.stored_by_aggregate.update((k, set()) for k in chunk)
            for row in conn.execute(select(s.c.agg_key, s.c.subject).where(s.c.agg_key.in_(chunk))):
                page.stored_by_aggregate[row.agg_key].add(row.subject)
        for chunk in _chunks(sorted(targets)):
            page.stored_by_event.update((t, set()) for t in chunk)
            for row in conn.execute(select(e.c.event_id, es.c.subject)
                                    .join(es, e.c.position == es.c.position)
                                    .where(e.c.event_id.in_(chunk))):
                page.stored_by_event[row.event_id].add(row.subject)
        if cache is not None:  # a page still being written is not in the database yet
            for key in keys:
                page.stored_by_aggregate[key] |= cache.unsettled_aggregate(key)
            for target in targets:
                page.stored_by_event[target] |= cache.unsettled_event(target)

    @staticmethod
    def _aggregate_subjects(conn: Connection, tables: ViewTables, page: _Page,
                            key: str) -> set[str]:
        """A lifecycle event concerns everything its object has named so far (an amendment
        that only changes `control` still concerns the measure's chips)."""
        stored = page.stored_by_aggregate.get(key)
        if stored is None:
            stored = set(conn.execute(select(tables.subject.c.subject)
                                      .where(tables.subject.c.agg_key == key)).scalars())
        return set(stored) | page.by_aggregate.get(key, set())

    @staticmethod
    def _target_subjects(conn: Connection, tables: ViewTables, page: _Page,
                         target_id: str) -> set[str]:
        if target_id in page.by_event:
            return set(page.by_event[target_id])
        if target_id in page.stored_by_event:
            return set(page.stored_by_event[target_id])
        found = conn.execute(
            select(tables.event_subject.c.subject)
            .join(tables.event, tables.event.c.position == tables.event_subject.c.position)
            .where(tables.event.c.event_id == target_id)
        ).scalars()
        return set(found)


def _exact(data: bytes) -> bytes:
    """orjson's output keeps a 4 KB buffer; a page of rows holds thousands: copy to size."""
    return bytes(memoryview(data))


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
