"""A bounded memory of what the views already store, for one run over consecutive pages.

`Views.apply` must know, for a lifecycle event, every subject its aggregate has stored in
`rm_subject`, and for a revision, the subjects its target stored in `rm_event_subject`; it
fetches both per page from the database. A rebuild applies long runs of consecutive pages
itself, so it can remember them instead: after each committed page this cache holds, for
recently seen aggregates and events, their *complete* stored sets, and the next page asks
the database only about the others. An entry is complete when it was fetched from the
database, carried over from a complete entry, or begun by the aggregate's first event
(version 1: nothing can be stored under that key before it). Nothing else is cached.

It is only right while nobody else writes the same generation. The owner calls `commit()`
once a page is committed — or, pipelining, once it is handed to the writer, and then
`settle()` when that write has committed; until then a miss adds what that page adds to
what the database answers. `clear()` forgets everything: after a page failed to commit, or
when the checkpoint moved under it. Both maps are LRU-bounded, so memory does not grow
with the log; a miss only costs a query.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Set
from dataclasses import dataclass
from typing import Any


class SubjectCache:
    def __init__(self, max_aggregates: int = 100_000, max_events: int = 50_000):
        self.max_aggregates, self.max_events = max_aggregates, max_events
        self.aggregates: OrderedDict[str, frozenset[str]] = OrderedDict()
        self.events: OrderedDict[str, Set[str]] = OrderedDict()
        self._staged: _Staged | None = None
        # What the last committed page added, until the owner knows the database has it
        # (a pipelined rebuild indexes the next page while this one is being written).
        self._unsettled_aggregates: dict[str, set[str]] = {}
        self._unsettled_events: dict[str, Set[str]] = {}
        self.hits = self.misses = 0

    def aggregate(self, key: str) -> frozenset[str] | None:
        found = self.aggregates.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
            self.aggregates.move_to_end(key)
        return found

    def event(self, event_id: str) -> Set[str] | None:
        found = self.events.get(event_id)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
            self.events.move_to_end(event_id)
        return found

    def unsettled_aggregate(self, key: str) -> Set[str]:
        return self._unsettled_aggregates.get(key, _NOTHING)

    def unsettled_event(self, event_id: str) -> Set[str]:
        return self._unsettled_events.get(event_id, _NOTHING)

    def stage(self, page: Any, events: list[tuple[int, Any]]) -> None:
        """What the page adds (called by `Views.index`), kept aside until `commit()`."""
        complete: dict[str, frozenset[str] | None] = {}
        first_seen: dict[str, int] = {}
        for _position, event in events:
            first_seen.setdefault(event.aggregate, event.originator_version)
        for key, added in page.by_aggregate.items():
            stored = page.stored_by_aggregate.get(key)
            if stored is None:
                stored = self.aggregates.get(key)
            if stored is None and first_seen.get(key) == 1:
                stored = frozenset()
            complete[key] = None if stored is None else frozenset(stored | added)  # None: unknown
        # A page's sets are final once indexed (lookups hand out copies): kept as they are.
        self._staged = _Staged(complete, page.by_aggregate, page.by_event)

    def commit(self) -> None:
        """The staged page is (or is being) committed: remember it."""
        staged, self._staged = self._staged, None
        if staged is None:
            return
        for key, subjects in staged.complete.items():
            if subjects is None:
                self.aggregates.pop(key, None)
            else:
                self.aggregates[key] = subjects
                self.aggregates.move_to_end(key)
        for event_id, subjects in staged.events.items():
            self.events[event_id] = subjects
            self.events.move_to_end(event_id)
        while len(self.aggregates) > self.max_aggregates:
            self.aggregates.popitem(last=False)
        while len(self.events) > self.max_events:
            self.events.popitem(last=False)
        self._unsettled_aggregates = staged.added
        self._unsettled_events = staged.events

    def settle(self) -> None:
        """The last committed page is in the database."""
        self._unsettled_aggregates, self._unsettled_events = {}, {}

    def discard(self) -> None:
        self._staged = None

    def clear(self) -> None:
        self.discard()
        self.settle()
        self.aggregates.clear()
        self.events.clear()


@dataclass
class _Staged:
    complete: dict[str, frozenset[str] | None]  # aggregate -> every subject it stored, if known
    added: dict[str, set[str]]  # aggregate -> subjects this page adds
    events: dict[str, Set[str]]  # event id -> its subjects

_NOTHING: frozenset[str] = frozenset()
