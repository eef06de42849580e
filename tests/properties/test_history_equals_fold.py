"""History spans served from a subject's slice equal the spans over the whole log, and the
spans themselves equal folding anew at every change instant (docs/state.md, "Timelines,
history and diffs").

`domain.history.history` folds the world once and reads the state at each change instant;
the reference of docs/state.md folds the knowledge set at each T. These properties draw
histories as tests/properties/test_served_equals_fold.py does and check, at random (K, P):
- served (`PointInTime.history`, the slice) == `history` over every event in the store:
  bounds, states and `events` alike (the ids of a span are the subject's own events, so
  other examples' events sharing an instant must not appear);
- each span's state is the fold at its start (`view_of` at `from`; the first: before any
  change), neighbours differ, and every change instant inside a span folds to its state;
- `events`: `[]` for the first span; for each other, at least one event, each taking effect
  at its start or setting what ends by itself then, in fold order;
- a `from`/`to` window keeps exactly the spans that share an instant with it;
- with `detail=lanes` (docs/state.md, "Lanes: the history a timeline draws"), served and over
  the whole log alike, the spans are the full ones cut to their lanes with equal
  neighbours merged, each keeping the bounds' start and the events of its first: a chip's
  lanes are computed along the fold by `domain.lanes.ChipLanes`, never from the full state,
  so this is what holds them to it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from domain.clocks import format_instant, parse_instant
from domain.history import (
    Window,
    _change_instants,
    _span_state,
    beliefs_at,
    history,
    view_of,
)
from domain.knowledge import Belief
from domain.span_events import SELF_TIMED
from projections.state_queries import Reading
from tests.properties.histories import History, histories
from tests.properties.histories_vocabulary import WINDOW
from tests.properties.probes import Probe, probes, resolve
from tests.properties.runs import Run, play_whole
from tests.properties.stores import Stores
from tests.properties.test_served_equals_fold import POOL_JITTER, PROFILE, _settings
from tests.support.clock import FakeClock
from tests.support.lanes import cut_and_merged

EXAMPLES = {"default": 15, "thorough": 150}[PROFILE]
BEFORE_ALL = datetime.min.replace(tzinfo=UTC)


def _instant(text: str | None, default: datetime) -> datetime:
    return default if text is None else parse_instant(text)


def _check_against_the_fold(kind: str, subject: str, beliefs: list[Belief], spans: Any) -> None:
    """Each span is the fold at its start, holds through every change instant inside it,
    and differs from the span before."""
    instants = _change_instants([b for b in beliefs if b.effective_at and not b.is_registry])
    for index, span in enumerate(spans):
        start = _instant(span["from"], BEFORE_ALL)
        assert _span_state(view_of(kind, subject, beliefs, start) or {}) == span["state"], span
        if index:
            assert spans[index - 1]["state"] != span["state"]
            assert spans[index - 1]["to"] == span["from"]
        end = _instant(span["to"], datetime.max.replace(tzinfo=UTC))
        for inside in (i for i in instants if start < i < end):
            assert _span_state(view_of(kind, subject, beliefs, inside) or {}) == span["state"]


def _check_events(spans: list[dict[str, Any]], believed: dict[str, Belief]) -> None:
    """`events`: none for the first span; then at least one event, each taking effect at the
    span's start or setting a change due then by itself, in fold order."""
    assert spans[0]["events"] == []
    for span in spans[1:]:
        start = parse_instant(span["from"])
        found = [believed[i] for i in span["events"]]
        assert found == sorted(found, key=lambda b: (b.effective_at, b.position)), span
        for belief in found:
            due = [
                parse_instant(belief.data[n])
                for n in SELF_TIMED.get(belief.type, ())
                if belief.data.get(n)
            ]
            assert belief.effective_at == start or start in due, (belief, span["from"])
            if belief.effective_at != start:
                event("a span started by an expiry, a suspension's end or a compliance date")
        # every change has a cause: an event of the subject's (docs/state.md)
        assert found, ("no event starts the span", span["from"])


def _windows(run: Run, draws: list[tuple[int, int]]) -> list[Window]:
    day = timedelta(days=1)
    found = [Window()]
    for low, length in draws:
        start = run.start + low * day
        found.append(Window(start, start + length * day))
        found.append(Window(None, start))
        found.append(Window(start, None))
    return found


@POOL_JITTER
@_settings(EXAMPLES)
@given(
    history_=histories(),
    asked=st.lists(probes(), min_size=3, max_size=3),
    windows=st.lists(
        st.tuples(st.integers(-5, WINDOW + 5), st.integers(0, 20)), min_size=2, max_size=2
    ),
)
def test_history_from_the_slice_equals_the_spans_over_the_whole_log_and_the_fold(
    stores: Stores,
    clock: FakeClock,
    history_: History,
    asked: list[Probe],
    windows: list[tuple[int, int]],
) -> None:
    container = stores.current()
    run, log, head, checkpoint = play_whole(container, clock, history_)
    with Reading(container.engine) as db:
        for probe in asked:
            at = resolve(run, probe, head, checkpoint)
            everything = beliefs_at(log, at.known_at, at.position)
            for kind, subject in run.subjects():
                served = container.pit.history(db, kind, subject, at)
                want = history(kind, subject, everything)
                if want is None:
                    assert served is None
                    continue
                assert served is not None
                assert served["spans"] == want, (kind, subject, at)
                _check_against_the_fold(
                    kind, subject, container.pit._beliefs(db, kind, subject, at), want
                )
                _check_events(want, {b.event.event_id: b for b in everything})
                lanes = cut_and_merged(kind, want)
                assert history(kind, subject, everything, detail="lanes") == lanes, subject
                served_lanes = container.pit.history(db, kind, subject, at, detail="lanes")
                assert served_lanes is not None
                assert served_lanes["spans"] == lanes, (kind, subject, at)
                if len(lanes) < len(want):
                    event("lanes merged spans the full history keeps apart")
                event(f"spans: {min(len(want), 6)}{'+' if len(want) >= 6 else ''}")
                for window in _windows(run, windows):
                    clipped = container.pit.history(db, kind, subject, at, window)
                    assert clipped is not None
                    assert clipped["spans"] == [
                        s
                        for s in want
                        if window.meets(
                            None if s["from"] is None else parse_instant(s["from"]),
                            None if s["to"] is None else parse_instant(s["to"]),
                        )
                    ], (window, subject)
                    for name, end in (("from", window.start), ("to", window.end)):
                        assert clipped.get(name) == (None if end is None else format_instant(end))
