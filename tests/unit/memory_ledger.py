"""An in-memory log for the unit layer: `domain.ledger.Ledger` over a Python list of events.

The write rules (docs/events.md, "Write rules", "Revisions", "Concurrency") are decided by
`domain.decide.decide` against a `Ledger`; the service's one (`services/write/ledger.py`) reads
the database. This one answers the same three questions from a list, so a test can record a
scenario with the builders of `tests/support/builders.py` and ask `decide` about the next
envelope in microseconds. The events it records are the stored form (`domain.events`),
which is also what the folds take (docs/state.md, "What was known", "The fold"): the same
log feeds the fold tests.

Stamping restates the writer's (services/write/recording.py): `recorded_at` is this ledger's
clock, and an absent `reported_at` defaults as docs/clocks.md, "The three clocks" says.
`tests/unit/test_write_path.py` holds it to the writer's own stamping.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.clocks import DateRole, format_instant, parse_instant
from domain.decide import Decision, decide
from domain.dossier import Dossier, aggregate_id, aggregate_key
from domain.envelope import ENVELOPE_ADAPTER, Envelope
from domain.errors import DomainError
from domain.events import EVENT_CLASSES, SCHEMA_VERSION, Recorded
from domain.fold import fold_world
from domain.history import beliefs_at
from domain.knowledge import Belief
from domain.pit import state
from domain.world import World
from tests.support import builders as b

Body = dict[str, Any]

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # the slow tests' FakeClock start, for symmetry
EVERYTHING_KNOWN = datetime(2100, 1, 1, tzinfo=UTC)  # a K after every report in these tests


def at(text: str) -> datetime:
    """An instant from test text: a bare date is the start of that UTC day."""
    return parse_instant(text, DateRole.START)


def event_id(position: int) -> str:
    """Ids follow positions, so a test can name an event before it is recorded."""
    return str(uuid.UUID(int=position))


class MemoryLedger:
    """The log as a list; `decide` sees it through the `Ledger` protocol."""

    def __init__(self, now: datetime = NOW) -> None:
        self.events: list[Recorded] = []
        self.now = now

    # -- domain.ledger.Ledger --------------------------------------------------------------

    def dossier(self, key: str, *, expect_new: bool = False) -> Dossier:
        return Dossier(key, [e for e in self.events if e.aggregate == key])

    def is_registered(self, kind: str, slug: str) -> bool:
        return self.dossier(aggregate_key(kind, slug)).exists

    def locate(self, event_id: str) -> str | None:
        return next((e.aggregate for e in self.events if e.event_id == event_id), None)

    def cached(self, key: str) -> Dossier | None:
        """What `services.write.ledger.StagedLedger` asks of its base: nothing is cached here."""
        return None

    # -- writing -----------------------------------------------------------------------------

    def decide(self, body: Body) -> Decision:
        return decide(parse(body), self)

    def refusal(self, body: Body) -> DomainError:
        """The error `decide` raises for `body` (the test fails if it is accepted)."""
        with pytest.raises(DomainError) as caught:
            self.decide(body)
        return caught.value

    def record(self, *bodies: Body) -> list[Recorded]:
        """Decide and store each body in turn, as the writer does; a refusal raises."""
        return [self.store(self.decide(body)) for body in bodies]

    def store(self, decision: Decision) -> Recorded:
        position = len(self.events) + 1
        # mypy sees only the library's DomainEvent fields here: `Recorded`'s own annotations
        # become dataclass fields at runtime (eventsourcing's metaclass), not to the checker.
        event = EVENT_CLASSES[decision.type](  # type: ignore[call-arg]
            originator_id=aggregate_id(decision.key),
            originator_version=self.dossier(decision.key).version + 1,
            timestamp=self.now,
            event_id=event_id(position),
            aggregate=decision.key,
            effective_at=decision.effective_at,
            reported_at=decision.reported_at or self._default_reported(decision),
            recorded_at=format_instant(self.now),
            recorded_by="unit",
            summary=decision.summary,
            sources=decision.sources,
            data=decision.data,
            schema_version=SCHEMA_VERSION,
        )
        self.events.append(event)
        return event

    def _default_reported(self, decision: Decision) -> str:
        if decision.effective_at is None or decision.type in ("EventCorrected", "EventRetracted"):
            return format_instant(self.now)
        return format_instant(min(parse_instant(decision.effective_at), self.now))

    # -- reading (docs/state.md) -------------------------------------------------------------

    def positioned(self) -> list[tuple[int, Recorded]]:
        return list(enumerate(self.events, start=1))

    def beliefs(
        self, known_at: datetime = EVERYTHING_KNOWN, at_position: int | None = None
    ) -> list[Belief]:
        """The knowledge set at (K, P) ("What was known")."""
        return beliefs_at(self.positioned(), known_at, self._position(at_position))

    def world(
        self, as_of: str, known_at: datetime = EVERYTHING_KNOWN, at_position: int | None = None
    ) -> World:
        return fold_world(self.beliefs(known_at, at_position), at(as_of))

    def chip(
        self,
        chip: str,
        as_of: str,
        known_at: datetime = EVERYTHING_KNOWN,
        at_position: int | None = None,
    ) -> dict[str, Any]:
        return self._state("chip", chip, as_of, known_at, at_position)

    def company(
        self,
        company: str,
        as_of: str,
        known_at: datetime = EVERYTHING_KNOWN,
        at_position: int | None = None,
    ) -> dict[str, Any]:
        return self._state("company", company, as_of, known_at, at_position)

    def _state(
        self, kind: str, subject: str, as_of: str, known_at: datetime, at_position: int | None
    ) -> dict[str, Any]:
        found = state(
            kind, subject, self.positioned(), at(as_of), known_at, self._position(at_position)
        )
        assert found is not None, f"{kind} {subject!r} is not registered"
        return found

    def _position(self, at_position: int | None) -> int:
        return len(self.events) if at_position is None else at_position


def parse(body: Body) -> Envelope:
    """The envelope as the API validates it (docs/events.md, "The envelope")."""
    return ENVELOPE_ADAPTER.validate_python(body)


def pointers(error: DomainError) -> list[str]:
    return [problem.pointer for problem in error.problems]


def assert_revisable(log: MemoryLedger, events: Iterable[Recorded], reported_at: str) -> None:
    """Each event may be corrected (here: its reported_at) and retracted, and either revision
    counts in the event's own object (docs/events.md, "Revisions"). Nothing is stored."""
    for event in events:
        moved = log.decide(b.correction(event.event_id, reported_at=reported_at))
        assert moved.key == event.aggregate
        assert log.decide(b.retraction(event.event_id)).key == event.aggregate
