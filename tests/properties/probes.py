"""Where to ask: a `Probe` is drawn independently of what a run stored; `resolve` turns it
into (T, K, P) from the run's window, clock values and positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from services.read.pit import Coordinates
from tests.properties.histories import TARGET
from tests.properties.histories_vocabulary import WINDOW
from tests.properties.runs import Run


@dataclass(frozen=True)
class Probe:
    """Where to ask, drawn independently of what the run stored (Hypothesis must make the
    same choices whatever the shared database holds); `resolve` turns it into (T, K, P).

    A moment is ("day", d): the end of day d of the window (what a bare date means in a
    query); ("edge", i, before): exactly one of the run's clock values, or a microsecond
    before it; ("far", sign): 400 days outside the window; ("now",): the clock (K only).
    A position is ("event", i): one of the run's positions; ("span", f): a fraction of the
    way through the run's part of the log; ("any", f): of the whole log; ("checkpoint",)."""

    as_of: tuple[Any, ...]
    known_at: tuple[Any, ...]
    position: tuple[Any, ...]


def _moments(known: bool) -> st.SearchStrategy[tuple[Any, ...]]:
    day = st.tuples(st.just("day"), st.integers(-3, WINDOW + 3))
    edge = st.tuples(st.just("edge"), TARGET, st.booleans())
    far = st.tuples(st.just("far"), st.sampled_from((-1, 1)))
    if known:  # K: often "now" or later, so that late reports and embargoes show
        return st.one_of(day, edge, far, st.just(("now",)), st.just(("now",)), st.just(("far", 1)))
    return st.one_of(day, day, edge, far)


def probes() -> st.SearchStrategy[Probe]:
    fraction = st.integers(0, 1000)
    position = st.one_of(
        st.tuples(st.just("event"), TARGET),
        st.tuples(st.just("span"), fraction),
        st.tuples(st.just("span"), st.just(1000)),
        st.tuples(st.just("any"), fraction),
        st.just(("checkpoint",)),
    )
    return st.builds(Probe, _moments(False), _moments(True), position)


def _moment(run: Run, choice: tuple[Any, ...]) -> datetime:
    tiny = timedelta(microseconds=1)
    if choice[0] == "day":
        return run.start + timedelta(days=choice[1] + 1) - tiny
    if choice[0] == "edge":
        edges = run.instants()
        return edges[choice[1] % len(edges)] - (tiny if choice[2] else timedelta(0))
    if choice[0] == "far":
        return run.start + timedelta(days=choice[1] * 400)
    return run.clock.now


def _position(run: Run, choice: tuple[Any, ...], head: int, checkpoint: int) -> int:
    if choice[0] == "checkpoint" or (choice[0] == "event" and not run.positions):
        return checkpoint
    if choice[0] == "event":
        return run.positions[choice[1] % len(run.positions)]
    low = 1 if choice[0] == "any" else max(1, min(run.positions, default=head) - 1)
    return low + (head - low) * choice[1] // 1000


def resolve(run: Run, probe: Probe, head: int, checkpoint: int) -> Coordinates:
    return Coordinates(
        _moment(run, probe.as_of),
        _moment(run, probe.known_at),
        _position(run, probe.position, head, checkpoint),
    )
