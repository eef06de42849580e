"""The `views` projection: every read model, maintained from the log in one transaction.

- rm_event: the log's regulatory events, indexed by position, id, aggregate, type and
  effective time (the body stays in the log: projections/stored.py);
- rm_subject: for every chip and company, each aggregate that ever named it and the position
  where it first did. This is the slice a point-in-time answer folds (a superset: the fold
  decides what applies), and it says which events concern a subject: **an event concerns
  every chip and company its aggregate had named up to and including it** — a creation what
  it names; an amendment, a lift, a correction or a retraction also everything named before
  (an amendment that only changes `control` still concerns the measure's chips). Except
  production decisions: a company's halts and resumes share one aggregate, so each concerns
  what it names (`rm_event.subjects`), and a revision of one what it names plus what its
  target named;
  Catalog v2 adds two kinds of row: a measure's aggregate under each group it names
  (`group:ear-d5`), and every group's aggregate under the pseudo-subject `shared:groups`;
- rm_criteria_agg: measures that ever had threshold criteria, which may cover any chip;
- rm_object / rm_registry: created objects and registered chips and companies, by id.

Indexing a page needs nothing from the database: every row is a function of the page's own
events. Rows keyed by an aggregate whose first event (version 1) is in the page cannot be
stored yet, so they are bulk-copied; the rest may be (an amendment names the measure's chips
again) and are inserted with ON CONFLICT DO NOTHING, which keeps the earliest position.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table

from domain.catalog import CATALOG, Role
from domain.clocks import parse_instant, to_micros
from domain.events import Recorded
from domain.ids import GROUP_PREFIX
from domain.subjects import named_subjects
from projections.bulk import Batch, prepare
from projections.tables import VIEWS, ViewTables

PRODUCTION = "production:"  # the aggregate key of a company's production decisions
# The pseudo-subject under which every destination group's events are indexed: measures
# resolve groups at T, so every state may need them (docs/architecture.md, "Slices").
GROUPS = "shared:groups"
# Likewise every ownership pair and every measure that ever reached affiliates, in every
# company's slice: the affiliates fixed point may walk the whole ownership graph.
OWNERSHIP = "shared:ownership"
AFFILIATES = "shared:affiliates"


def _micros(text: str | None) -> int | None:
    if text is None:
        return None
    if (
        len(text) in (20, 27)
        and text[-1] == "Z"
        and text[10] == "T"
        and text[4] == text[7] == "-"
        and text[13] == text[16] == ":"
    ):
        # Canonical as stored (YYYY-MM-DDTHH:MM:SS[.ffffff]Z): the C parser, same instant.
        try:
            return to_micros(datetime.fromisoformat(text))
        except ValueError:
            pass
    return to_micros(parse_instant(text))


class _Rows:
    """Rows for one table: `new` ones (keyed by an aggregate born in this page) and ones
    that may be stored already."""

    def __init__(self) -> None:
        self.new: dict[Any, dict[str, Any]] = {}
        self.maybe: dict[Any, dict[str, Any]] = {}

    def add(self, fresh: bool, key: Any, row: dict[str, Any]) -> None:
        (self.new if fresh else self.maybe).setdefault(key, row)  # the earliest position wins

    def batches(self, dialect: str, table: Table) -> list[Batch | None]:
        return [
            prepare(dialect, table, list(self.new.values())),
            prepare(dialect, table, list(self.maybe.values()), ignore_duplicates=True),
        ]


class _Page:
    """What one page of events adds, collected before one bulk insert per table."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.fresh: set[str] = set()  # aggregates whose first event is in this page
        self.subjects = _Rows()
        self.criteria = _Rows()
        self.objects = _Rows()
        self.registry = _Rows()
        self.batches: list[Batch] | None = None

    def prepare(self, tables: ViewTables, dialect: str) -> None:
        """Build the statements' payloads now (see projections/bulk.py), before `write`."""
        batches = [
            prepare(dialect, tables.event, self.events),
            *self.subjects.batches(dialect, tables.subject),
            *self.criteria.batches(dialect, tables.criteria),
            *self.objects.batches(dialect, tables.object),
            *self.registry.batches(dialect, tables.registry),
        ]
        self.batches = [b for b in batches if b is not None]


class StoredPairs:
    """A rebuild's bounded memory of the (subject, aggregate) pairs it has stored, so a page
    does not offer the database pairs it knows are there (an optimisation only: a pair it
    forgot is offered with ON CONFLICT DO NOTHING). Valid while pages commit in order; a
    rebuild starts a new one whenever a page fails to commit."""

    def __init__(self, max_aggregates: int = 100_000):
        self.max = max_aggregates
        self._pairs: OrderedDict[str, set[str]] = OrderedDict()

    def has(self, subject: str, aggregate: str) -> bool:
        return subject in self._pairs.get(aggregate, ())

    def remember(self, pairs: list[tuple[str, str]]) -> None:
        store = self._pairs
        for subject, aggregate in pairs:
            known = store.get(aggregate)
            if known is None:
                store[aggregate] = {subject}
            else:
                known.add(subject)
                store.move_to_end(aggregate)
        while len(store) > self.max:
            store.popitem(last=False)


class Views:
    name = VIEWS

    def __init__(self, stored: StoredPairs | None = None):
        self.stored = stored

    def apply(
        self, conn: Connection, tables: ViewTables, events: list[tuple[int, Recorded]]
    ) -> None:
        self.write(conn, tables, self.index(events))

    def index(self, events: list[tuple[int, Recorded]]) -> _Page:
        """Work out a page's rows (no database needed)."""
        page = _Page()
        for position, event in events:
            self._one(page, position, event)
        stored = self.stored
        if stored is not None:
            maybe = page.subjects.maybe
            for pair in [p for p in maybe if stored.has(*p)]:
                del maybe[pair]
            stored.remember([*page.subjects.new, *maybe])
        return page

    @staticmethod
    def write(conn: Connection, tables: ViewTables, page: _Page) -> None:
        """Insert what `index` worked out, in bulk (one statement per table and kind)."""
        if page.batches is None:
            page.prepare(tables, conn.dialect.name)
        assert page.batches is not None
        for batch in page.batches:
            batch.write(conn)

    @staticmethod
    def _one(page: _Page, position: int, event: Recorded) -> None:
        event_type = CATALOG[event.type]
        role = event_type.role
        key = event.aggregate
        data = event.data
        if event.originator_version == 1:
            page.fresh.add(key)
        fresh = key in page.fresh
        if role is Role.REVISION:
            target_id = data.get("event_id")
            named = data.get("changes", {}).get("data") or {}
        else:
            target_id, named = None, data
            if role is Role.CREATOR:
                object_id = data[event_type.id_field]
                page.objects.add(
                    fresh,
                    (event_type.kind, object_id),
                    {
                        "kind": event_type.kind,
                        "id": object_id,
                        "agg_key": key,
                        "first_position": position,
                    },
                )
            elif role is Role.REGISTRY:
                registered = data[event_type.id_field]
                page.registry.add(
                    fresh,
                    (event_type.kind, registered),
                    {"kind": event_type.kind, "id": registered, "first_position": position},
                )
        if named.get("criteria"):
            page.criteria.add(fresh, key, {"agg_key": key, "first_position": position})
        subjects = named_subjects(named)
        if key.startswith(GROUP_PREFIX):
            subjects.add(GROUPS)  # every chip's and company's slice holds the groups
        elif key.startswith("ownership:"):
            subjects.add(OWNERSHIP)
        if named.get("affiliates_min_percent") is not None:
            subjects.add(AFFILIATES)
        for subject in subjects:
            page.subjects.add(
                fresh,
                (subject, key),
                {"subject": subject, "agg_key": key, "first_position": position},
            )
        page.events.append(
            {
                "position": position,
                "event_id": event.event_id,
                "type": event.type,
                "agg_key": key,
                "effective_us": _micros(event.effective_at),
                "reported_us": _micros(event.reported_at),
                "recorded_us": _micros(event.recorded_at),
                "target_event_id": target_id,
                "subjects": " ".join(sorted(subjects)) if key.startswith(PRODUCTION) else None,
            }
        )
