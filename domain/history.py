"""Timelines, state spans and diffs of a chip or company (docs/state.md, "Timelines, history and diffs")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from domain.clocks import format_instant, parse_instant
from domain.coverage import coverage
from domain.fold import fold_ordered, fold_world, valid_time_order
from domain.knowledge import AnyEvent, Belief, as_written, revised, visible
from domain.lanes import ChipLanes, along_the_fold, lane_beliefs, lanes_of
from domain.span_events import SELF_TIMED, relevant
from domain.span_fold import SpanFold
from domain.subjects import groups_of, names_of
from domain.views import subject_view

COORDINATES = ("as_of", "known_at", "position")


def beliefs_at(
    events: Iterable[tuple[int, AnyEvent]], known_at: datetime, at_position: int
) -> list[Belief]:
    return believed_at([as_written(p, e) for p, e in events], known_at, at_position)


def believed_at(written: list[Belief], known_at: datetime, at_position: int) -> list[Belief]:
    """Steps 1-2 over events already made into beliefs (`as_written`, e.g. from a cache)."""
    within = [b for b in written if b.position <= at_position]
    return visible(revised(within, known_at), known_at)


def view_of(
    kind: str, subject: str, beliefs: list[Belief], as_of: datetime
) -> dict[str, Any] | None:
    return subject_view(fold_world(beliefs, as_of), kind, subject)


def _concerning(kind: str, subject: str, beliefs: list[Belief]) -> set[str]:
    """Aggregates that concern the subject: named it in any believed event, or (a chip) a
    measure whose threshold criteria, in any version, cover the chip's specs."""
    key = f"{kind}:{subject}"
    aggregates = {b.event.aggregate for b in beliefs if key in names_of(b.data)}
    if kind == "chip":
        chip = next(
            (b.data for b in beliefs if b.type == "ChipRegistered" and b.data["chip"] == subject),
            None,
        )
        specs = (chip or {}).get("specs")
        aggregates |= {
            b.event.aggregate
            for b in beliefs
            if b.data.get("criteria") and coverage({"criteria": b.data["criteria"]}, subject, specs)
        }
    # and the groups those measures name (docs/state.md, "Timelines, history and diffs")
    return aggregates.union(
        *(groups_of(b.data) for b in beliefs if b.event.aggregate in aggregates)
    )


def _believed(belief: Belief) -> dict[str, Any]:
    """The event's public form with the revisions known at K applied."""
    body = dict(getattr(belief.event, "body", None) or {})
    body.update(
        {
            "effective_at": None
            if belief.effective_at is None
            else format_instant(belief.effective_at),
            "reported_at": format_instant(belief.reported_at),
            "data": belief.data,
            "revised_by": list(belief.revised_by),
        }
    )
    return body


@dataclass(frozen=True)
class Window:
    """A `from`/`to` window over valid time, both ends inclusive, either open (None)."""

    start: datetime | None = None
    end: datetime | None = None

    def holds(self, moment: datetime) -> bool:
        return (self.start is None or self.start <= moment) and (
            self.end is None or moment <= self.end
        )

    def meets(self, since: datetime | None, until: datetime | None) -> bool:
        """Whether the span [since, until) shares an instant with the window."""
        return (until is None or self.start is None or self.start < until) and (
            since is None or self.end is None or since <= self.end
        )


EVERYTHING = Window()


def registered(kind: str, subject: str, beliefs: list[Belief]) -> bool:
    """Whether the subject is registered in these (visible) beliefs: its reads are a 404
    otherwise. Registrations hold at every T, so no fold is needed."""
    world = fold_ordered([b for b in beliefs if b.is_registry], [], _BEFORE_ALL)
    return subject in (world.chips if kind == "chip" else world.companies)


def timeline(
    kind: str, subject: str, beliefs: list[Belief], window: Window = EVERYTHING
) -> list[dict[str, Any]]:
    """The events that concern the subject, as believed, in valid-time order (registry
    events, which are not in valid time, at the time they were reported); with a window,
    those whose place in that order falls within it."""
    wanted = _concerning(kind, subject, beliefs)
    chosen = [b for b in beliefs if b.event.aggregate in wanted and window.holds(_placed_at(b))]
    chosen.sort(key=lambda b: (_placed_at(b), b.position))
    return [_believed(b) for b in chosen]


def _placed_at(belief: Belief) -> datetime:
    return belief.effective_at or belief.reported_at


def _change_instants(beliefs: list[Belief]) -> list[datetime]:
    instants = {b.effective_at for b in beliefs if b.effective_at is not None}
    for belief in beliefs:  # expiries, suspensions' ends and compliance dates need no event
        for name in SELF_TIMED.get(belief.type, ()):
            if belief.data.get(name):
                instants.add(parse_instant(belief.data[name]))
    return sorted(instants)


_BEFORE_ALL = datetime.min.replace(tzinfo=UTC)


def _span_state(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k not in (*COORDINATES, "upcoming")}


def history(
    kind: str,
    subject: str,
    beliefs: list[Belief],
    window: Window = EVERYTHING,
    detail: str = "full",
) -> list[dict[str, Any]] | None:
    """State spans [{from, to, events, state}] split at every change; adjacent equal states
    merge, keeping the events of the first. The first span starts at null (before any
    recorded change, with no events), the last ends at null. With a window, the spans that
    share an instant with it (docs/state.md, "Timelines, history and diffs"). With
    `detail="lanes"`, each state is only its lanes (`domain.lanes`), and spans split where
    those change.

    The world is folded once, in valid-time order, and the state read at each change
    instant (`domain.span_fold`); only the aggregates the subject's state is made of are
    folded (`domain.span_events.relevant`), and of a chip's lanes only those the lanes are
    made of (`domain.lanes.lane_beliefs`)."""
    world = fold_ordered([b for b in beliefs if b.is_registry], [], _BEFORE_ALL)
    first = subject_view(world, kind, subject, upcoming=False)
    if first is None:
        return None
    mine = relevant(kind, subject, beliefs, _concerning(kind, subject, beliefs))
    domain = valid_time_order(
        [
            b
            for b in beliefs
            if not b.is_registry and b.effective_at and b.event.aggregate in mine.aggregates
        ]
    )
    aside: dict[datetime, list[Belief]] = {}
    lanes = along_the_fold(kind, detail)
    if lanes:  # only what a chip's lanes are made of is folded
        domain, aside = lane_beliefs(domain, mine.starters)
    fold = SpanFold(world, domain, mine.starters, views=not lanes)
    read = ChipLanes(fold, subject).read if lanes else _reader(kind, subject, fold, detail)
    state = _span_state(first)
    bounds: list[datetime | None] = [None]
    spans: list[dict[str, Any]] = [
        {"events": [], "state": state if detail == "full" else lanes_of(kind, state)}
    ]
    for instant in _change_instants(domain):
        started = fold.advance(instant)
        state = read(instant)
        if state is spans[-1]["state"] or state == spans[-1]["state"]:
            continue  # (a lanes reader gives the very same dict when no lane changed)
        if window.end is not None and instant > window.end:
            bounds.append(instant)
            break  # later spans start after the window: the last one kept ends here
        if instant in aside:  # what no lane draws, taking effect then
            started = sorted(
                [*started, *aside[instant]], key=attrgetter("effective_at", "position")
            )
        spans.append({"events": [b.event.event_id for b in started], "state": state})
        bounds.append(instant)
    return [
        {"from": _text(since), "to": _text(until), **span}
        for span, since, until in zip(spans, bounds, [*bounds[1:], None], strict=False)
        if window.meets(since, until)
    ]


def _reader(
    kind: str, subject: str, fold: SpanFold, detail: str
) -> Callable[[datetime], dict[str, Any]]:
    """What a span shows at the instant the fold has advanced to, from the full state: that
    state, or its lanes cut from it."""

    def full(_: datetime) -> dict[str, Any]:
        state = _span_state(fold.state(kind, subject) or {})
        return state if detail == "full" else lanes_of(kind, state)

    return full


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else format_instant(moment)


def diff(before: dict[str, Any], after: dict[str, Any], path: str = "") -> list[dict[str, Any]]:
    """What changed between two states: JSON Pointer paths with their old and new values
    (objects are compared key by key; lists and scalars as wholes)."""
    changes: list[dict[str, Any]] = []
    for key in sorted(set(before) | set(after)):
        if not path and key in COORDINATES:
            continue
        where = f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            changes += diff(old, new, where)
        elif old != new:
            changes.append({"path": where, "from": old, "to": new})
    return changes
