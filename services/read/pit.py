"""Point-in-time reads (docs/state.md): resolve (T, K, P), fetch the subject's slice, fold.

Every answer carries the coordinates it was computed at, so the same (T, K, P) — with K
not later than the first request's time — gives the same bytes later, whatever was
appended since.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.clocks import format_instant
from domain.export_check import NotRegistered, Question
from domain.history import EVERYTHING, Window, believed_at, diff, history, registered, timeline
from domain.knowledge import Belief
from domain.lanes import along_the_fold
from domain.objects import KINDS, LINKED, object_view
from domain.prepared import Prepared, prepare, prepared_world, relevant_criteria
from domain.views import subject_view
from projections.slice_cache import PreparedCache, SliceCache
from projections.state_queries import DecodedCache, Reading, object_events, written
from services.read.checks import served_check
from services.read.slices import SliceParts


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


def _span_echo(at: Coordinates, window: Window) -> dict[str, Any]:
    """A timeline's or history's coordinates: K and P (they span all valid time), and the
    window's ends when given (docs/state.md, "Timelines, history and diffs")."""
    echo: dict[str, Any] = {"known_at": format_instant(at.known_at), "position": at.position}
    for name, end in (("from", window.start), ("to", window.end)):
        if end is not None:
            echo[name] = format_instant(end)
    return echo


class PointInTime:
    def __init__(self, cache: DecodedCache | None = None, slices: SliceCache | None = None):
        self.cache = cache or DecodedCache()
        self.slices = slices or SliceCache()
        self.prepared = PreparedCache()
        self.parts = SliceParts(self.slices, self.cache)
        # One chip lanes history fold at a time (docs/performance.md, "Histories"): a fold
        # is pure Python with no I/O, so two at once only share the GIL and each takes twice
        # as long; taken in turn, the first ends at full speed and the second starts then.
        # Full histories and a company's lanes (cut from its full states), which may take a
        # few hundred ms, neither wait for that turn nor hold it.
        self._folding_chip_lanes = threading.Lock()

    def prepared_slice(self, db: Reading, kind: str, subject: str, position: int) -> Prepared:
        """The subject's slice at P (services/read/slices.py) arranged for `prepared_world`,
        kept while the log adds nothing to it."""
        positions, criteria, signature = self.parts.parts(db, kind, subject, position)
        held: Prepared | None = self.prepared.get(signature)
        if held is None:
            mine = written(db, positions, self.cache)
            if criteria:
                others = written(db, list(criteria), self.cache)
                mine += relevant_criteria(mine, others)
            held = self.prepared.put(signature, prepare(mine))
        return held

    def _beliefs(self, db: Reading, kind: str, subject: str, at: Coordinates) -> list[Belief]:
        """The subject's slice at P (for a chip, with every criteria measure), believed at K."""
        positions, criteria, _ = self.parts.parts(db, kind, subject, at.position)
        chosen = sorted({*positions, *criteria})
        return believed_at(written(db, chosen, self.cache), at.known_at, at.position)

    def state(self, db: Reading, kind: str, subject: str, at: Coordinates) -> dict[str, Any] | None:
        world = prepared_world(
            self.prepared_slice(db, kind, subject, at.position), at.as_of, at.known_at
        )
        view = subject_view(world, kind, subject)
        return None if view is None else {**view, **at.echo()}

    def check(
        self, db: Reading, question: Question, at: Coordinates
    ) -> dict[str, Any] | NotRegistered:
        """The export check (docs/checks.md) over the union of the chip's slice and the parts
        of the exporter's and end user's slices it reads (services/read/checks.py)."""
        return served_check(self, db, question, at)

    def timeline(
        self, db: Reading, kind: str, subject: str, at: Coordinates, window: Window = EVERYTHING
    ) -> dict[str, Any] | None:
        beliefs = self._beliefs(db, kind, subject, at)
        if not registered(kind, subject, beliefs):
            return None
        items = timeline(kind, subject, beliefs, window)
        return {kind: subject, "items": items, **_span_echo(at, window)}

    def history(
        self,
        db: Reading,
        kind: str,
        subject: str,
        at: Coordinates,
        window: Window = EVERYTHING,
        detail: str = "full",
    ) -> dict[str, Any] | None:
        beliefs = self._beliefs(db, kind, subject, at)
        turn = along_the_fold(kind, detail)
        with self._folding_chip_lanes if turn else contextlib.nullcontext():
            spans = history(kind, subject, beliefs, window, detail)
        if spans is None:
            return None
        return {kind: subject, "spans": spans, **_span_echo(at, window)}

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
        linked: list[Belief] = []
        if kind in LINKED:  # the grants or implementations indexed under its key
            positions = self.slices.positions(db, f"{kind}:{object_id}", at.position)
            linked = written(db, list(positions), self.cache)
        beliefs = believed_at([*events, *linked], at.known_at, at.position)
        view = object_view(kind, object_id, beliefs, at.as_of, version=len(events))
        return None if view is None else {**view, **at.echo()}
