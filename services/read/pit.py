"""Point-in-time reads (docs/state.md): resolve (T, K, P), fetch the subject's slice, fold.

Every answer carries the coordinates it was computed at, so the same (T, K, P) — with K
not later than the first request's time — gives the same bytes later, whatever was
appended since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.clocks import format_instant
from domain.history import believed_at, diff, history, timeline, view_of
from domain.knowledge import Belief
from domain.objects import KINDS, object_view
from domain.prepared import Prepared, prepare, prepared_world, relevant_criteria
from domain.views import subject_view
from projections.slice_cache import CRITERIA, PreparedCache, SliceCache
from projections.state_queries import DecodedCache, Reading, object_events, written
from projections.views import GROUPS


@dataclass(frozen=True)
class Coordinates:
    as_of: datetime
    known_at: datetime
    position: int

    def echo(self) -> dict[str, Any]:
        return {
            "as_of": format_instant(self.as_of),
            "known_at": format_instant(self.known_at),
            "position": self.position,
        }


class PointInTime:
    def __init__(self, cache: DecodedCache | None = None, slices: SliceCache | None = None):
        self.cache = cache or DecodedCache()
        self.slices = slices or SliceCache()
        self.prepared = PreparedCache()

    def prepared_slice(self, db: Reading, kind: str, subject: str, position: int) -> Prepared:
        """The subject's slice at P arranged for `prepared_world` (for a chip, with the criteria
        measures that may cover it; for every subject, with the destination groups), kept
        while the log adds nothing to it."""
        own = self.slices.positions(db, f"{kind}:{subject}", position)
        shared = self.slices.positions(db, CRITERIA, position) if kind == "chip" else ()
        groups = self.slices.positions(db, GROUPS, position)
        signature = (kind, subject, len(own), len(shared), len(groups))  # slices grow with P
        held: Prepared | None = self.prepared.get(signature)
        if held is None:
            mine = written(db, sorted({*own, *groups}), self.cache)
            if shared:
                others = written(db, list(shared), self.cache)
                mine += relevant_criteria(mine, others)
            held = self.prepared.put(signature, prepare(mine))
        return held

    def _beliefs(self, db: Reading, kind: str, subject: str, at: Coordinates) -> list[Belief]:
        """The subject's slice at P (for a chip, with the criteria measures), believed at K."""
        positions = set(self.slices.positions(db, f"{kind}:{subject}", at.position))
        positions.update(self.slices.positions(db, GROUPS, at.position))
        if kind == "chip":
            positions.update(self.slices.positions(db, CRITERIA, at.position))
        return believed_at(written(db, sorted(positions), self.cache), at.known_at, at.position)

    def state(self, db: Reading, kind: str, subject: str, at: Coordinates) -> dict[str, Any] | None:
        world = prepared_world(
            self.prepared_slice(db, kind, subject, at.position), at.as_of, at.known_at
        )
        view = subject_view(world, kind, subject)
        return None if view is None else {**view, **at.echo()}

    def timeline(
        self, db: Reading, kind: str, subject: str, at: Coordinates
    ) -> dict[str, Any] | None:
        beliefs = self._beliefs(db, kind, subject, at)
        if view_of(kind, subject, beliefs, at.as_of) is None:
            return None
        echo = {k: v for k, v in at.echo().items() if k != "as_of"}
        return {kind: subject, "items": timeline(kind, subject, beliefs), **echo}

    def history(
        self, db: Reading, kind: str, subject: str, at: Coordinates
    ) -> dict[str, Any] | None:
        beliefs = self._beliefs(db, kind, subject, at)
        spans = history(kind, subject, beliefs)
        if spans is None:
            return None
        echo = {k: v for k, v in at.echo().items() if k != "as_of"}
        return {kind: subject, "spans": spans, **echo}

    def diff(
        self,
        db: Reading,
        kind: str,
        subject: str,
        before: Coordinates,
        after: Coordinates,
        axis: str,
    ) -> dict[str, Any] | None:
        old = self.state(db, kind, subject, before)
        new = self.state(db, kind, subject, after)
        if old is None and new is None:
            return None
        return {
            kind: subject,
            "axis": axis,
            "position": after.position,
            "from": {k: v for k, v in before.echo().items() if k != "position"},
            "to": {k: v for k, v in after.echo().items() if k != "position"},
            "changes": diff(old or {}, new or {}),
        }

    def object(
        self, db: Reading, segment: str, object_id: str, at: Coordinates
    ) -> dict[str, Any] | None:
        kind, _ = KINDS[segment]
        events = object_events(db.conn, db.tables, kind, object_id, at.position, self.cache)
        if events is None:
            return None
        beliefs = believed_at(events, at.known_at, at.position)
        view = object_view(kind, object_id, beliefs, at.as_of, version=len(events))
        return None if view is None else {**view, **at.echo()}
