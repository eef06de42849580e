"""Which log positions a subject's point-in-time answer folds, remembered in process.

A subject's slice at P — every event up to P of the aggregates that concerned it by P — is a
function of the log alone (any generation of the views that has projected P gives the same
positions). So once read it never changes: a read at P ≤ what we hold is answered from
memory, and a read at a later P only asks for what the log added since (two small queries
over that span instead of one probe per aggregate, 800 for a busy chip).

The measures with threshold criteria, which every chip's slice holds, are one shared entry.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, select

from projections.state_queries import Reading
from projections.tables import ViewTables

T = TypeVar("T")
CRITERIA = "criteria:"  # the shared entry's name (no subject is spelt like this)


@dataclass(frozen=True)
class Slice:
    """A subject's events up to `upto`: positions ascending, each with the position at which
    its aggregate joined the subject (the row's `first_position`)."""

    upto: int
    positions: tuple[int, ...]
    joined: tuple[int, ...]

    def at(self, position: int) -> tuple[int, ...]:
        """The slice's positions at P ≤ upto."""
        if position >= self.upto:  # everything held (the usual read: P is the head)
            return self.positions
        end = bisect_right(self.positions, position)
        pairs = zip(self.positions[:end], self.joined[:end], strict=True)
        return tuple(p for p, j in pairs if j <= position)

    def extended(self, upto: int, rows: list[tuple[int, int]]) -> Slice:
        if not rows:
            return Slice(upto, self.positions, self.joined)
        merged = sorted({*zip(self.positions, self.joined, strict=True), *rows})
        return Slice(upto, tuple(p for p, _ in merged), tuple(j for _, j in merged))


EMPTY = Slice(0, (), ())


class SliceCache:
    """subject → Slice, least recently used dropped beyond `max_subjects`."""

    def __init__(self, max_subjects: int = 20_000):
        self._items: OrderedDict[str, Slice] = OrderedDict()
        self._max = max_subjects
        self._lock = threading.Lock()

    def positions(self, db: Reading, subject: str, at_position: int) -> tuple[int, ...]:
        """The slice of `subject` (or CRITERIA) at P, reading only what the log added since
        the held entry. P must be projected in the active tables."""
        with self._lock:
            held = self._items.get(subject, EMPTY)
            self._items.move_to_end(subject) if subject in self._items else None
        if at_position > held.upto:
            held = held.extended(
                at_position, _added(db.conn, db.tables, subject, held.upto, at_position)
            )
            with self._lock:
                current = self._items.get(subject, EMPTY)
                if held.upto > current.upto:  # a concurrent reader may have gone further
                    self._items[subject] = held
                    self._items.move_to_end(subject)
                    if len(self._items) > self._max:
                        self._items.popitem(last=False)
        return held.at(at_position)


def _added(
    conn: Connection, tables: ViewTables, subject: str, after: int, upto: int
) -> list[tuple[int, int]]:
    """Rows (position, joined) the slice gains from (after, upto]: events there of
    aggregates already in it, and every event up to `upto` of aggregates that joined there."""
    e = tables.event
    if subject == CRITERIA:
        s = tables.criteria
        member = select(s.c.agg_key, s.c.first_position)
    else:
        s = tables.subject
        member = select(s.c.agg_key, s.c.first_position).where(s.c.subject == subject)
    members = member.where(s.c.first_position <= upto).subquery()
    if after == 0:  # first read: one probe per aggregate is the cheapest way in
        query = (
            select(e.c.position, members.c.first_position)
            .join(members, members.c.agg_key == e.c.agg_key)
            .where(e.c.position <= upto)
        )
        return [(row[0], row[1]) for row in conn.execute(query)]
    # New events of any member: a range scan of (after, upto], each looked up in the members.
    recent = (
        select(e.c.position, members.c.first_position)
        .join(members, members.c.agg_key == e.c.agg_key)
        .where(and_(e.c.position > after, e.c.position <= upto))
    )
    rows = [(row[0], row[1]) for row in conn.execute(recent)]
    # Aggregates that joined in (after, upto]: their older events too.
    joined = (
        select(e.c.position, members.c.first_position)
        .join(members, members.c.agg_key == e.c.agg_key)
        .where(and_(members.c.first_position > after, e.c.position <= after))
    )
    rows += [(row[0], row[1]) for row in conn.execute(joined)]
    return rows


class PreparedCache:
    """Prepared slices by (kind, subject, slice sizes), least recently used dropped."""

    def __init__(self, max_entries: int = 10_000):
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._latest: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, signature: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._items.get(signature)
            if found is not None:
                self._items.move_to_end(signature)
            return found

    def put(self, signature: tuple[Any, ...], prepared: T) -> T:
        with self._lock:
            older = self._latest.get(signature[:2])
            if older is not None and older != signature:
                self._items.pop(older, None)  # superseded: the log added to this slice
            self._latest[signature[:2]] = signature
            self._items[signature] = prepared
            if len(self._items) > self._max:
                dropped, _ = self._items.popitem(last=False)
                if self._latest.get(dropped[:2]) == dropped:
                    del self._latest[dropped[:2]]
        return prepared
