"""Playing a generated history through the writer: `Run` names an example's ids, appends
what the log's rules accept and remembers its events, positions and clock values. How it
names them: tests/properties/runs_names.py; what it appends: tests/properties/runs_envelopes.py.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from domain.clocks import parse_instant
from domain.errors import DomainError
from domain.events import Recorded
from services.bootstrap import Container
from services.write.parsing import InputError, parse_envelope
from services.write.recording import Item
from tests.properties.histories import History
from tests.properties.histories_vocabulary import WINDOW, When
from tests.properties.reference_fold import WholeLog
from tests.properties.runs_envelopes import Envelopes
from tests.properties.runs_names import start_of_day
from tests.support.clock import FakeClock

_examples = itertools.count()


@dataclass
class Run(Envelopes):
    """One example's history as appended: its ids, accepted events and positions."""

    container: Container
    clock: FakeClock
    history: History
    prefix: str = field(default_factory=lambda: f"p{next(_examples)}")
    accepted: list[Recorded] = field(default_factory=list)  # base events, in log order
    created: dict[str, list[Recorded]] = field(default_factory=lambda: defaultdict(list))
    retracted: list[Recorded] = field(default_factory=list)
    revisions: list[Recorded] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    refused: int = 0
    ids: dict[str, itertools.count[int]] = field(
        default_factory=lambda: defaultdict(itertools.count)
    )

    def __post_init__(self) -> None:
        self.start = start_of_day(self.clock.now) - timedelta(days=WINDOW // 2)

    # the history
    def play(self, ops: list[dict[str, Any]]) -> None:
        for op in ops:
            self.clock.advance(minutes=op["tick"])
            body = self.envelope(op)
            if body is None:
                continue  # nothing to follow, correct or reinstate yet
            try:
                result = self.container.writer.append([Item(parse_envelope(body))], "property")
            except (DomainError, InputError):
                self.refused += 1  # the log's rules refused it: histories stay valid
                continue
            appended = result.items[0]
            self.positions.append(appended.position)
            if op["op"] in ("register", "create", "follow"):
                self.accepted.append(appended.event)
                self.created[appended.event.type].append(appended.event)
                continue
            self.revisions.append(appended.event)
            if op["op"] == "retract":
                self.retracted.append(self._target(self.pool(op["pool"]), op["target"]))

    def rewrites_of_the_past(self) -> list[dict[str, Any]]:
        """Revisions reported as of the window's first day, so known at every K asked
        about: a new spec sheet for the first chip, the first domain event retracted. After
        the P of an earlier answer, they must not change it."""
        when, tick = When(0), 1
        ops = [
            {
                "op": "correct",
                "pool": "chips",
                "target": 0,
                "reported": when,
                "tick": tick,
                "changes": {"data": {"change": 1, "specs": {"tpp": 9000}}},
            }
        ]
        if self.pool("domain"):
            ops.append(
                {"op": "retract", "pool": "domain", "target": 0, "reported": when, "tick": tick}
            )
        return ops

    def instants(self) -> list[datetime]:
        """Every clock value the run stored — of its events, their expiries, its revisions
        and what they changed: the edges where answers change."""
        found = {parse_instant(e.reported_at) for e in (*self.accepted, *self.revisions)}
        found |= {parse_instant(e.effective_at) for e in self.accepted if e.effective_at}
        payloads = [e.data for e in self.accepted]
        for revision in self.revisions:
            changes = revision.data.get("changes", {})
            found |= {
                parse_instant(changes[c]) for c in ("effective_at", "reported_at") if c in changes
            }
            payloads.append(changes.get("data") or {})
        for name in ("expires_at", "until", "compliance_at"):
            found |= {parse_instant(p[name]) for p in payloads if p.get(name)}
        return sorted(found) or [self.start]


class Played(NamedTuple):
    """A history played whole, and what the store holds then: its whole log (the
    reference's input), its head and the position the projections reached."""

    run: Run
    log: list[tuple[int, Recorded]]
    head: int
    checkpoint: int


def play_whole(container: Container, clock: FakeClock, history: History) -> Played:
    """Play `history` in two parts, each projected before what follows (so later revisions
    find their targets in the stored views), and read the log it left."""
    run = Run(container, clock, history)
    run.play(history.ops[: history.split])
    container.catch_up()  # later revisions then find their targets in the stored views
    run.play(history.ops[history.split :])
    container.catch_up()
    log = WholeLog.of(container)
    return Played(run, log, container.log.head(), container.projected_position())
