"""The writer's view of the log: aggregates loaded on demand and cached in process.

Caching is safe because the log only grows: a registered id stays registered, and a stale
cached aggregate can only make a save fail on the (originator_id, version) primary key,
after which the writer evicts it and decides again with a fresh load.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import cast

from domain.dossier import Dossier, aggregate_id, aggregate_key
from domain.events import Recorded
from services.storage.store import EventLog

EventLocator = Callable[[str], str | None]


class LogLedger:
    def __init__(self, log: EventLog, locate_stored: EventLocator, max_cached: int = 50_000):
        self._log = log
        self._locate_stored = locate_stored
        self._max = max_cached
        self._dossiers: OrderedDict[str, Dossier] = OrderedDict()
        self._registered: set[str] = set()
        self._locations: OrderedDict[str, str] = OrderedDict()

    def cached(self, key: str) -> Dossier | None:
        return self._dossiers.get(key)

    def dossier(self, key: str, *, expect_new: bool = False) -> Dossier:
        cached = self._dossiers.get(key)
        if cached is not None:
            self._dossiers.move_to_end(key)
            return cached
        events = cast(list[Recorded], list(self._log.events.get(aggregate_id(key))))
        dossier = Dossier(key, events)
        self._remember(key, dossier)
        return dossier

    def is_registered(self, kind: str, slug: str) -> bool:
        key = aggregate_key(kind, slug)
        if key in self._registered:
            return True
        if self.dossier(key).exists:
            self._registered.add(key)
            return True
        return False

    def locate(self, event_id: str) -> str | None:
        key = self._locations.get(event_id)
        if key is None:
            key = self._locate_stored(event_id)
            if key is not None:
                self._note_location(event_id, key)
        return key

    def accept(self, dossiers: Iterable[Dossier]) -> None:
        """Adopt aggregates the writer has just saved."""
        for dossier in dossiers:
            self._remember(dossier.key, dossier)
            for event in dossier.events[-1:]:
                self._note_location(event.event_id, dossier.key)
            if dossier.key.startswith(("chip:", "company:")):
                self._registered.add(dossier.key)

    def forget(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._dossiers.pop(key, None)

    def _remember(self, key: str, dossier: Dossier) -> None:
        self._dossiers[key] = dossier
        self._dossiers.move_to_end(key)
        while len(self._dossiers) > self._max:
            self._dossiers.popitem(last=False)

    def _note_location(self, event_id: str, key: str) -> None:
        self._locations[event_id] = key
        while len(self._locations) > self._max * 4:
            self._locations.popitem(last=False)


class StagedLedger:
    """A group's scratch view: later requests (and batch items) see what earlier ones create.

    Optimistic creation: an id about to be created is presumed new without reading the log
    (a read per new id was half the writer's time). The (originator_id, version) primary key
    still refuses a real duplicate at commit, and the writer then decides again with
    `optimistic=False`, reading the log, so the duplicate gets its 409.
    """

    def __init__(self, base: LogLedger | StagedLedger, *, optimistic: bool = False):
        self.base = base
        self.optimistic = optimistic
        self.dossiers: dict[str, Dossier] = {}  # changed in this view
        self.seen: dict[str, Dossier] = {}  # looked up in this view, unchanged
        self.locations: dict[str, str] = {}

    def cached(self, key: str) -> Dossier | None:
        return self.dossiers.get(key) or self.seen.get(key) or self.base.cached(key)

    def dossier(self, key: str, *, expect_new: bool = False) -> Dossier:
        found = self.dossiers.get(key) or self.seen.get(key)
        if found is None:
            if expect_new and self.optimistic and self.base.cached(key) is None:
                found = Dossier(key)
            else:
                found = self.base.dossier(key, expect_new=expect_new)
            self.seen[key] = found
        return found

    def is_registered(self, kind: str, slug: str) -> bool:
        key = aggregate_key(kind, slug)
        staged = self.dossiers.get(key)
        return (staged is not None and staged.exists) or self.base.is_registered(kind, slug)

    def locate(self, event_id: str) -> str | None:
        return self.locations.get(event_id) or self.base.locate(event_id)

    def stage(self, key: str, event: Recorded) -> Dossier:
        dossier = self.dossier(key).appended(event)
        self.dossiers[key] = dossier
        self.locations[event.event_id] = key
        return dossier

    def child(self) -> StagedLedger:
        """A nested scratch view for one request inside a group (dropped if it fails)."""
        return StagedLedger(self, optimistic=self.optimistic)

    def merge(self, nested: StagedLedger) -> None:
        self.dossiers.update(nested.dossiers)
        self.locations.update(nested.locations)
