"""A chip's `upcoming` changes (docs/state.md, "Upcoming"): what is already known at (K, P)
to change after T, found by folding the pending events ahead of T."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from copy import copy
from datetime import datetime
from typing import Any

from domain.clocks import format_instant, parse_instant
from domain.coverage import coverage
from domain.fold import apply
from domain.ids import GROUP_PREFIX
from domain.knowledge import Belief
from domain.world import Obj, Objects, World

UPCOMING_LIMIT = 50
# The aggregates whose future changes `upcoming` lists (other objects' changes are not
# listed, nor do they touch these).
LISTED_AHEAD = ("measure:", "license:", "group:", "tariff:")
Change = tuple[datetime, str, str]  # (effective_at, id, kind)


def upcoming_for_chip(world: World, chip: str, specs: dict[str, Any]) -> list[dict[str, str]]:
    """Known changes after T that concern the chip: measures covering it (at T or at the
    change's own time) — their amendments, lifts, suspensions, reinstatements (a suspension's
    end included) and compliance dates —, licence grants, revocations and expiries naming
    it, and amendments of the groups its covering measures name at T."""
    ahead = copy(world)
    ahead.objects, ahead.halts = Objects(world.objects), dict(world.halts)
    ahead.holdings, ahead.implemented = dict(world.holdings), dict(world.implemented)
    ahead.anomalies = []
    groups = _named_groups(world, chip, specs)
    ends = _suspension_ends(world.objects.values(), world.as_of)
    changes: list[Change] = []

    def covers(*measures: Obj | None) -> bool:
        return any(m is not None and coverage(m.fields, chip, specs) for m in measures)

    for belief in world.pending:
        key = belief.event.aggregate
        if not key.startswith(LISTED_AHEAD):
            continue
        moment = belief.effective_at
        before = ahead.objects.get(key)
        if key in ends and moment is not None and ends[key] <= moment:
            if covers(world.objects.get(key), before):  # the suspension ran out first
                changes.append((ends[key], before.id if before else key, "ExportBanReinstated"))
            del ends[key]
        anomalies = len(ahead.anomalies)
        apply(ahead, belief)
        if len(ahead.anomalies) > anomalies or moment is None:
            continue  # a no-op changes nothing
        after = ahead.objects.get(key)
        if after is None:
            continue
        if key.startswith("measure:"):
            _note_end(ends, key, after)
            if covers(world.objects.get(key), before, after) and _changes(belief, before):
                changes.append((moment, after.id, belief.type))
        elif key.startswith("tariff:"):
            if covers(world.objects.get(key), before, after):
                changes.append((moment, after.id, belief.type))
        elif key.startswith("license:") and chip in after.fields["chips"] or key in groups:
            changes.append((moment, after.id, belief.type))
    for key, end in ends.items():
        if covers(world.objects.get(key), ahead.objects.get(key)):
            changes.append((end, key.split(":", 1)[1], "ExportBanReinstated"))
    changes += _compliance_dates(world, ahead, covers)
    changes += _expiries(world, ahead, chip)
    changes.sort(key=lambda c: (c[0], c[1], c[2]))
    return [
        {"effective_at": format_instant(t), "kind": k, "id": i}
        for t, i, k in changes[:UPCOMING_LIMIT]
    ]


def _changes(belief: Belief, before: Obj | None) -> bool:
    """A reinstatement changes something only while a suspension runs."""
    if belief.type != "ExportBanReinstated" or belief.effective_at is None:
        return True
    return (
        before is not None
        and before.suspension is not None
        and (before.suspension.runs_at(belief.effective_at))
    )


def _named_groups(world: World, chip: str, specs: dict[str, Any]) -> set[str]:
    """The groups (aggregate keys) that a live measure covering the chip at T names in its
    destinations or exceptions of destinations."""
    named: set[str] = set()
    for measure in world.of_kind("measure"):
        if measure.live and coverage(measure.fields, chip, specs):
            for name in ("destinations", "except_destinations"):
                named |= {e for e in measure.fields.get(name) or () if e.startswith(GROUP_PREFIX)}
    return named


def _suspension_ends(measures: Iterable[Obj], as_of: datetime) -> dict[str, datetime]:
    """Live measures whose suspension runs at T and ends by itself after it."""
    ends = {}
    for measure in measures:
        suspension = measure.suspension
        if (
            measure.live
            and suspension is not None
            and suspension.until is not None
            and suspension.runs_at(as_of)
        ):
            ends[f"measure:{measure.id}"] = suspension.until
    return ends


def _note_end(ends: dict[str, datetime], key: str, measure: Obj) -> None:
    """After a measure's change: when its running suspension (if any) ends by itself."""
    suspension = measure.suspension
    if measure.live and suspension is not None and suspension.until is not None:
        ends[key] = suspension.until
    else:
        ends.pop(key, None)


def _compliance_dates(world: World, ahead: World, covers: Callable[..., bool]) -> list[Change]:
    """`ComplianceRequired` at each covering measure's compliance date after T, unless the
    measure is lifted before it or at it (then it never restricts)."""
    ending_times = _ending_times(world, "measure:")
    found = []
    for measure in ahead.of_kind("measure"):
        compliance = measure.fields.get("compliance_at")
        if compliance is None or not covers(world.objects.get(f"measure:{measure.id}"), measure):
            continue
        moment = parse_instant(compliance)
        if moment > world.as_of and not _ended_before(ending_times, measure, moment, at=True):
            found.append((moment, measure.id, "ComplianceRequired"))
    return found


def _expiries(world: World, ahead: World, chip: str) -> list[Change]:
    """`LicenseExpired` at each expiry after T of a licence naming the chip, unless it is
    revoked before."""
    ending_times = _ending_times(world, "license:")
    found = []
    for licence in ahead.of_kind("license"):
        expires = licence.fields.get("expires_at")
        if expires is None or chip not in licence.fields["chips"]:
            continue
        moment = parse_instant(expires)
        if moment > world.as_of and not _ended_before(ending_times, licence, moment):
            found.append((moment, licence.id, "LicenseExpired"))
    return found


def _ending_times(world: World, prefix: str) -> dict[str, datetime | None]:
    """The pending events' effective times, by event id, for objects of one kind."""
    return {
        b.event.event_id: b.effective_at
        for b in world.pending
        if b.event.aggregate.startswith(prefix)
    }


def _ended_before(
    ending_times: dict[str, datetime | None], obj: Obj, moment: datetime, *, at: bool = False
) -> bool:
    """Whether the object has ended (revoked, lifted) before `moment` (with `at`: or at it);
    `ending_times`: the pending events' effective times, by event id (an ending not among
    them: at or before T)."""
    if obj.live:
        return False
    if obj.ended_by not in ending_times:
        return True
    effective = ending_times[obj.ended_by]
    return effective is not None and (effective <= moment if at else effective < moment)
