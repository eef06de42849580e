"""What was believed at a knowledge time K (SPEC §4, steps 1 and 2).

Nothing in the log is ever edited: a correction or a retraction is a later event. To know
what was believed at K, apply to each base event the revisions reported by K, in
(`reported_at`, `position`) order, field by field, the last one winning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.catalog import CATALOG, Role
from domain.clocks import parse_instant
from domain.events import LoggedEvent, Recorded

AnyEvent = Recorded | LoggedEvent

REVISIONS = ("EventCorrected", "EventRetracted")


@dataclass(frozen=True)
class Belief:
    """A base event as believed at K, its revisions applied."""

    event: AnyEvent
    position: int
    effective_at: datetime | None
    reported_at: datetime
    data: dict[str, Any]
    retracted: bool
    revised_by: tuple[str, ...] = ()  # ids of the revisions applied, in order

    @property
    def type(self) -> str:
        return self.event.type

    @property
    def is_registry(self) -> bool:
        return CATALOG[self.event.type].role is Role.REGISTRY


def _instant(text: str | None) -> datetime | None:
    return None if text is None else parse_instant(text)


def _apply(belief: Belief, revision: AnyEvent) -> Belief:
    revised_by = (*belief.revised_by, revision.event_id)
    if revision.type == "EventRetracted":
        return Belief(belief.event, belief.position, belief.effective_at, belief.reported_at,
                      belief.data, retracted=True, revised_by=revised_by)
    changes = revision.data["changes"]
    return Belief(
        belief.event,
        belief.position,
        _instant(changes["effective_at"]) if "effective_at" in changes else belief.effective_at,
        _instant(changes["reported_at"]) if "reported_at" in changes else belief.reported_at,
        changes.get("data", belief.data),
        retracted=False,  # a correction reinstates a retracted event
        revised_by=revised_by,
    )


def all_beliefs(
    events: Iterable[tuple[int, AnyEvent]], known_at: datetime | None = None
) -> list[Belief]:
    """Every base event (retracted or not) with the revisions reported by K applied.

    `events` are (position, event) pairs; K=None means every revision stored.
    """
    bases: dict[str, Belief] = {}
    revisions: list[tuple[datetime, int, Recorded]] = []
    for position, event in events:
        if event.type in REVISIONS:
            reported = parse_instant(event.reported_at)
            if known_at is None or reported <= known_at:
                revisions.append((reported, position, event))
        else:
            bases[event.event_id] = Belief(
                event, position, _instant(event.effective_at), parse_instant(event.reported_at),
                event.data, retracted=False,
            )
    for _, _, revision in sorted(revisions, key=lambda r: (r[0], r[1])):
        target = bases.get(revision.data["event_id"])
        if target is not None:
            bases[target.event.event_id] = _apply(target, revision)
    return sorted(bases.values(), key=lambda b: b.position)


def visible(beliefs: Iterable[Belief], known_at: datetime | None = None) -> list[Belief]:
    """Step 2: drop retracted events and, outside the registry, those reported after K."""
    return [
        b for b in beliefs
        if not b.retracted and (b.is_registry or known_at is None or b.reported_at <= known_at)
    ]
