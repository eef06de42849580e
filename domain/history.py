"""Timelines, state spans and diffs of a chip or company (docs/state.md, "Timelines, history and diffs")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from domain.clocks import format_instant, parse_instant
from domain.ids import GROUP_PREFIX
from domain.knowledge import AnyEvent, Belief, as_written, revised, visible
from domain.subjects import named_subjects
from domain.views import subject_view
from domain.world import coverage, fold_world, valid_time_order

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
    aggregates = {b.event.aggregate for b in beliefs if key in named_subjects(b.data)}
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
    return aggregates | {
        group
        for b in beliefs
        if b.event.aggregate in aggregates
        for group in named_subjects(b.data)
        if group.startswith(GROUP_PREFIX)
    }


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


def timeline(kind: str, subject: str, beliefs: list[Belief]) -> list[dict[str, Any]]:
    """The events that concern the subject, as believed, in valid-time order (registry
    events, which are not in valid time, at the time they were reported)."""
    wanted = _concerning(kind, subject, beliefs)
    chosen = [b for b in beliefs if b.event.aggregate in wanted]
    chosen.sort(key=lambda b: (b.effective_at or b.reported_at, b.position))
    return [_believed(b) for b in chosen]


def _change_instants(beliefs: list[Belief]) -> list[datetime]:
    instants = {b.effective_at for b in beliefs if b.effective_at is not None}
    for belief in beliefs:  # expiries, suspensions' ends and compliance dates need no event
        for name in SELF_TIMED.get(belief.type, ()):
            if belief.data.get(name):
                instants.add(parse_instant(belief.data[name]))
    return sorted(instants)


# The fields that change state at their own time, by the event type that sets them.
SELF_TIMED = {
    "LicenseGranted": ("expires_at",),
    "ExportBanSuspended": ("until",),
    "ExportBanImposed": ("compliance_at",),
    "ExportBanAmended": ("compliance_at",),
}


def _span_state(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k not in (*COORDINATES, "upcoming")}


def history(kind: str, subject: str, beliefs: list[Belief]) -> list[dict[str, Any]] | None:
    """State spans [{from, to, state}] split at every change; adjacent equal states merge.
    The first span starts at null (before any recorded change), the last ends at null."""
    instants = _change_instants(valid_time_order([b for b in beliefs if b.effective_at]))
    first = view_of(kind, subject, beliefs, datetime.min.replace(tzinfo=UTC))
    if first is None:
        return None
    spans: list[dict[str, Any]] = [{"from": None, "to": None, "state": _span_state(first)}]
    for instant in instants:
        state = _span_state(view_of(kind, subject, beliefs, instant) or {})
        if state == spans[-1]["state"]:
            continue
        spans[-1]["to"] = format_instant(instant)
        spans.append({"from": format_instant(instant), "to": None, "state": state})
    return spans


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
