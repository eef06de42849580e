"""The reference the point-in-time tests compare with: the fold of docs/state.md (`domain.pit`) over
every event in the store, and the store's whole log read for it.
"""

from __future__ import annotations

from typing import Any

from domain import pit as reference
from domain.clocks import format_instant
from domain.events import Recorded
from domain.views import chip_view, company_view
from services.bootstrap import Container
from services.read.pit import Coordinates


class WholeLog:
    """Every `Recorded` event in the store, read from the library's log (incrementally: the
    examples of a test share one database, and stored events never change)."""

    _current: WholeLog | None = None

    def __init__(self, container: Container):
        self.container, self.last = container, 0
        self.events: list[tuple[int, Recorded]] = []

    @classmethod
    def of(cls, container: Container) -> list[tuple[int, Recorded]]:
        if cls._current is None or cls._current.container is not container:
            cls._current = cls(container)
        return cls._current.read()

    def read(self) -> list[tuple[int, Recorded]]:
        log = self.container.log
        while notes := log.notifications(self.last, 1000):
            for note in notes:
                event = log.mapper.to_domain_event(note)
                if isinstance(event, Recorded):
                    self.events.append((note.id, event))
                self.last = note.id
        return list(self.events)


def expected(
    kind: str, subject: str, log: list[tuple[int, Recorded]], at: Coordinates
) -> dict[str, Any] | None:
    """The reference: the fold of docs/state.md over every event in the store."""
    return reference.state(kind, subject, log, at.as_of, at.known_at, at.position)


def expected_for_all(
    subjects: list[tuple[str, str]], log: list[tuple[int, Recorded]], at: Coordinates, pin: bool
) -> dict[tuple[str, str], dict[str, Any] | None]:
    """`expected` for many subjects at one (T, K, P), folding the whole log once (folding
    it per subject would dominate the run). With `pin`, one subject, varying with P, is also
    asked of `domain.pit.state` itself, which ties this shortcut to the reference."""
    world = reference.world_at(log, at.as_of, at.known_at, at.position)
    echo = {
        "as_of": format_instant(at.as_of),
        "known_at": format_instant(at.known_at),
        "position": at.position,
    }
    answers = {}
    for kind, subject in subjects:
        view = chip_view(world, subject) if kind == "chip" else company_view(world, subject)
        answers[(kind, subject)] = None if view is None else {**view, **echo}
    if pin:
        pinned = subjects[at.position % len(subjects)]
        assert answers[pinned] == expected(*pinned, log, at), pinned
    return answers
