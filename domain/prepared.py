"""A subject's slice arranged once, so that each (T, K) read of it is a single pass.

The reference path (`domain.history.believed_at`, then `domain.fold.fold_world`) sorts the
slice by position, applies the revisions reported by K, filters what is visible, sorts by
valid time and folds: five passes and two sorts per read. A served slice changes only when
the log adds to it, so the point-in-time service keeps it `prepare`d: revisions apart,
registry events in log order, domain events already in valid-time order. A read then
applies the few revisions known at K, re-sorts only if one moved an event in valid time,
and folds with visibility checked in the same pass. The property tests hold the served
answers equal to the reference fold.

For a chip, `relevant_criteria` also leaves out the threshold-criteria measures that can
never cover it: no version of their criteria matches any version of the chip's specs, and
such a measure changes nothing in the chip's state, timeline or history.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import MINYEAR, UTC, datetime
from operator import attrgetter
from typing import Any

from domain.coverage import matches_criteria
from domain.fold import fold_ordered
from domain.knowledge import REVISIONS, Belief, _apply
from domain.world import World

_NEVER = datetime(MINYEAR, 1, 1, tzinfo=UTC)


def _valid_time_key(belief: Belief) -> tuple[datetime, int]:
    return (belief.effective_at or _NEVER, belief.position)


@dataclass(frozen=True)
class Prepared:
    registry: list[Belief]  # log order
    domain: list[Belief]  # every other base event, in valid-time order
    revisions: list[Belief]  # in the order they apply: (reported_at, position)
    revision_times: list[datetime]  # their reported_at, to find those known at K
    targets: dict[str, Belief]  # the base events revisions name, by id

    @property
    def size(self) -> int:
        return len(self.registry) + len(self.domain) + len(self.revisions)


def prepare(written: Iterable[Belief]) -> Prepared:
    """Arrange events as written (`knowledge.as_written`) for `prepared_world`."""
    registry: list[Belief] = []
    domain: list[Belief] = []
    revisions: list[Belief] = []
    for belief in sorted(written, key=attrgetter("position")):
        if belief.type in REVISIONS:
            revisions.append(belief)
        elif belief.is_registry:
            registry.append(belief)
        else:
            domain.append(belief)
    domain.sort(key=_valid_time_key)
    revisions.sort(key=attrgetter("reported_at", "position"))
    named = {r.data["event_id"] for r in revisions}
    targets = {b.event.event_id: b for b in (*registry, *domain) if b.event.event_id in named}
    return Prepared(registry, domain, revisions, [r.reported_at for r in revisions], targets)


def prepared_world(prepared: Prepared, as_of: datetime, known_at: datetime) -> World:
    """Equal to `fold_world(believed_at(slice, K, P), T)` for the slice `prepared` holds."""
    known = prepared.revisions[: bisect_right(prepared.revision_times, known_at)]
    if not known:
        return fold_ordered(prepared.registry, prepared.domain, as_of, known_at)
    revised: dict[str, Belief] = {}
    for revision in known:
        target_id = revision.data["event_id"]
        target = revised.get(target_id) or prepared.targets.get(target_id)
        if target is not None:
            revised[target_id] = _apply(target, revision)
    registry = prepared.registry
    if any(b.is_registry for b in revised.values()):
        registry = [revised.get(b.event.event_id, b) for b in registry]
    return fold_ordered(registry, _revised_in_order(prepared, revised), as_of, known_at)


def _revised_in_order(prepared: Prepared, revised: dict[str, Belief]) -> list[Belief]:
    """The domain events in valid-time order with the revised ones swapped in: each is taken
    out where it was written and put back where its (maybe corrected) time puts it."""
    moved = [(prepared.targets[i], b) for i, b in revised.items() if not b.is_registry]
    if not moved:
        return prepared.domain
    domain = list(prepared.domain)
    for old, _new in sorted(moved, key=lambda pair: _valid_time_key(pair[0]), reverse=True):
        del domain[bisect_left(domain, _valid_time_key(old), key=_valid_time_key)]
    for _old, new in moved:
        insort(domain, new, key=_valid_time_key)
    return domain


def relevant_criteria(own: list[Belief], criteria: list[Belief]) -> list[Belief]:
    """The criteria measures' events that may cover a chip and are not in its own slice
    already: those of aggregates with a criteria version matching a specs version of the
    chip (any event or correction). `own` (the chip's slice), `criteria`: events as
    written."""
    specs = spec_versions(own)
    mine = {b.event.aggregate for b in own}
    covering = {
        aggregate
        for aggregate, lists in criteria_versions(criteria).items()
        if any(matches_criteria(c, s) is not None for c in lists for s in specs)
    }
    wanted = covering - mine
    return [b for b in criteria if b.event.aggregate in wanted]


def criteria_versions(criteria: list[Belief]) -> dict[str, list[list[dict[str, Any]]]]:
    """Every criteria each aggregate's events or corrections ever stated (a superset is safe)."""
    versions: dict[str, list[list[dict[str, Any]]]] = {}
    for belief in criteria:
        data = (
            belief.data.get("changes", {}).get("data") if belief.type in REVISIONS else belief.data
        )
        if data and data.get("criteria"):
            versions.setdefault(belief.event.aggregate, []).append(data["criteria"])
    return versions


def spec_versions(own: list[Belief]) -> list[dict[str, Any] | None]:
    """Every specs any registration in the slice ever stated (a superset is safe)."""
    registered = {b.event.event_id for b in own if b.type == "ChipRegistered"}
    specs: list[dict[str, Any] | None] = [
        b.data.get("specs") for b in own if b.event.event_id in registered
    ]
    for belief in own:  # corrections of the registration may change the specs
        if belief.type == "EventCorrected" and belief.data.get("event_id") in registered:
            data = belief.data.get("changes", {}).get("data")
            if data is not None:
                specs.append(data.get("specs"))
    return specs
