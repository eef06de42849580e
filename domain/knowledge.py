"""What was believed at a knowledge time K (docs/state.md, "What was known").

Nothing in the log is ever edited: a correction or a retraction is a later event. To know
what was believed at K, apply to each base event the revisions reported by K, in
(`reported_at`, `position`) order, field by field, the last one winning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from operator import attrgetter
from typing import Any

from domain.catalog import CATALOG, Role
from domain.clocks import parse_instant
from domain.events import LoggedEvent, Recorded

AnyEvent = Recorded | LoggedEvent

REVISIONS = ("EventCorrected", "EventRetracted")


@dataclass(frozen=True, slots=True)
class Belief:
    """An event as believed at K: a base event with its revisions applied (or, before
    `beliefs`, any stored event as it was written). Clocks are parsed once, here."""

    event: AnyEvent
    position: int
    effective_at: datetime | None
    reported_at: datetime
    data: dict[str, Any]
    retracted: bool
    revised_by: tuple[str, ...]  # ids of the revisions applied, in order
    type: str
    is_registry: bool


def _instant(text: str | None) -> datetime | None:
    return None if text is None else parse_instant(text)


def as_written(position: int, event: AnyEvent) -> Belief:
    """A stored event before any revision: immutable per position, so callers may cache it."""
    return Belief(
        event,
        position,
        _instant(event.effective_at),
        parse_instant(event.reported_at),
        event.data,
        False,
        (),
        event.type,
        CATALOG[event.type].role is Role.REGISTRY,
    )


def _apply(belief: Belief, revision: Belief) -> Belief:
    revised_by = (*belief.revised_by, revision.event.event_id)
    if revision.type == "EventRetracted":
        return replace(belief, retracted=True, revised_by=revised_by)
    changes = revision.data["changes"]
    return replace(
        belief,
        effective_at=_instant(changes["effective_at"])
        if "effective_at" in changes
        else belief.effective_at,
        # A correction cannot clear reported_at (docs/events.md, "Revisions"): never null.
        reported_at=(_instant(changes["reported_at"]) or belief.reported_at)
        if "reported_at" in changes
        else belief.reported_at,
        data=changes.get("data", belief.data),
        retracted=False,  # a correction reinstates a retracted event
        revised_by=revised_by,
    )


def all_beliefs(
    events: Iterable[tuple[int, AnyEvent]], known_at: datetime | None = None
) -> list[Belief]:
    """Every base event (retracted or not) with the revisions reported by K applied.

    `events` are (position, event) pairs; K=None means every revision stored.
    """
    return revised((as_written(position, event) for position, event in events), known_at)


def revised(written: Iterable[Belief], known_at: datetime | None = None) -> list[Belief]:
    """`all_beliefs` over events already made into beliefs by `as_written` (a cache's)."""
    ordered = sorted(written, key=attrgetter("position"))
    revisions = [
        b
        for b in ordered
        if b.type in REVISIONS and (known_at is None or b.reported_at <= known_at)
    ]
    bases = [b for b in ordered if b.type not in REVISIONS]
    if not revisions:  # the common case: nothing to apply, and no index to build
        return bases
    revisions.sort(key=attrgetter("reported_at", "position"))
    index = {b.event.event_id: i for i, b in enumerate(bases)}
    for revision in revisions:
        at = index.get(revision.data["event_id"])
        if at is not None:
            bases[at] = _apply(bases[at], revision)
    return bases


def visible(beliefs: Iterable[Belief], known_at: datetime | None = None) -> list[Belief]:
    """Step 2: drop retracted events and, outside the registry, those reported after K."""
    return [
        b
        for b in beliefs
        if not b.retracted and (b.is_registry or known_at is None or b.reported_at <= known_at)
    ]
