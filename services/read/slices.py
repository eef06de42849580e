"""Which log positions a chip's or company's answer folds (docs/architecture.md,
"Point-in-time reads").

A subject's slice is its own aggregates (every one that ever named it), plus what its state
may depend on without naming it:
- every destination group (a measure resolves its groups at T);
- for a chip, the measures and tariffs that ever had threshold criteria (filtered to those
  that may cover it, `domain.prepared.relevant_criteria`);
- for a company, every ownership pair and every measure that ever reached affiliates (the
  affiliates fixed point walks the whole ownership graph);
- the events that grant an application or implement an announcement of its own slice:
  they are indexed under that object's key (`application:<id>`, `announcement:<id>`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from projections.slice_cache import CRITERIA, SliceCache
from projections.state_queries import DecodedCache, Reading, written
from projections.views import AFFILIATES, GROUPS, OWNERSHIP

SHARED = {"chip": (GROUPS,), "company": (GROUPS, OWNERSHIP, AFFILIATES)}
LINKED = ("announcement:", "application:")


class SliceParts:
    def __init__(self, slices: SliceCache, cache: DecodedCache, max_links: int = 20_000):
        self.slices, self.cache = slices, cache
        self._links: OrderedDict[tuple[str, str, int], tuple[str, ...]] = OrderedDict()
        self._max = max_links
        self._lock = threading.Lock()

    def parts(
        self, db: Reading, kind: str, subject: str, position: int
    ) -> tuple[list[int], tuple[int, ...], tuple[object, ...]]:
        """(the positions folded as they are, the criteria candidates of a chip, a signature
        that changes whenever either does: slices only grow with P)."""
        own = self.slices.positions(db, f"{kind}:{subject}", position)
        found = [own, *(self.slices.positions(db, s, position) for s in SHARED[kind])]
        for key in self._linked(db, kind, subject, own):
            found.append(self.slices.positions(db, key, position))
        criteria = self.slices.positions(db, CRITERIA, position) if kind == "chip" else ()
        signature = (kind, subject, len(criteria), *(len(p) for p in found))
        return sorted({p for part in found for p in part}), criteria, signature

    def _linked(
        self, db: Reading, kind: str, subject: str, own: tuple[int, ...]
    ) -> tuple[str, ...]:
        """The applications and announcements among the subject's own aggregates."""
        key = (kind, subject, len(own))
        with self._lock:
            held = self._links.get(key)
        if held is None:
            held = tuple(
                sorted(
                    {
                        b.event.aggregate
                        for b in written(db, list(own), self.cache)
                        if b.event.aggregate.startswith(LINKED)
                    }
                )
            )
            with self._lock:
                self._links[key] = held
                if len(self._links) > self._max:
                    self._links.popitem(last=False)
        return held
