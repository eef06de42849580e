"""Point-in-time answers (docs/state.md): state of a chip or company at (T, K, P), from events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.clocks import format_instant
from domain.fold import fold_world
from domain.history import beliefs_at
from domain.knowledge import AnyEvent
from domain.views import subject_view
from domain.world import World


def world_at(
    events: Iterable[tuple[int, AnyEvent]], as_of: datetime, known_at: datetime, at_position: int
) -> World:
    """Steps 1-3: the knowledge set at (K, P), then the fold at T."""
    return fold_world(beliefs_at(events, known_at, at_position), as_of)


def state(
    kind: str,
    subject: str,
    events: Iterable[tuple[int, AnyEvent]],
    as_of: datetime,
    known_at: datetime,
    at_position: int,
) -> dict[str, Any] | None:
    """A chip's or company's state with its coordinates, or None if not registered at P."""
    world = world_at(events, as_of, known_at, at_position)
    view = subject_view(world, kind, subject)
    if view is None:
        return None
    return {
        **view,
        "as_of": format_instant(as_of),
        "known_at": format_instant(known_at),
        "position": at_position,
    }
