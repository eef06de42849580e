"""A chip's `upcoming` changes (docs/state.md, "Chip state"): what is already known at
(K, P) to change after T, found by folding the pending events ahead of T."""

from __future__ import annotations

from copy import copy
from datetime import datetime
from typing import Any

from domain.clocks import format_instant, parse_instant
from domain.world import Obj, World, apply, coverage

UPCOMING_LIMIT = 50
LISTED_AHEAD = ("measure:", "license:")  # the aggregates whose future changes `upcoming` lists


def upcoming_for_chip(world: World, chip: str, specs: dict[str, Any]) -> list[dict[str, str]]:
    """Known changes after T that concern the chip: measures covering it (at T or at the
    change's own time), licence grants, revocations and expiries naming it."""
    ahead = copy(world)
    ahead.objects, ahead.halts = dict(world.objects), dict(world.halts)
    ahead.anomalies = []
    changes: list[tuple[datetime, str, str]] = []
    for belief in world.pending:
        key = belief.event.aggregate
        if not key.startswith(LISTED_AHEAD):
            continue  # other objects' changes are not listed, nor do they touch these
        before = ahead.objects.get(key)
        anomalies = len(ahead.anomalies)
        apply(ahead, belief)
        if len(ahead.anomalies) > anomalies or belief.effective_at is None:
            continue  # a no-op changes nothing
        after = ahead.objects.get(key)
        if key.startswith("measure:") and after is not None:
            at_t = world.objects.get(key)
            if any(
                o is not None and coverage(o.fields, chip, specs) for o in (at_t, before, after)
            ):
                changes.append((belief.effective_at, after.id, belief.type))
        elif key.startswith("license:") and after is not None and chip in after.fields["chips"]:
            changes.append((belief.effective_at, after.id, belief.type))
    ending_times = {
        b.event.event_id: b.effective_at
        for b in world.pending
        if b.event.aggregate.startswith("license:")
    }
    for licence in ahead.of_kind("license"):
        expires = licence.fields.get("expires_at")
        if expires is None or chip not in licence.fields["chips"]:
            continue
        moment = parse_instant(expires)
        ended = ahead.objects.get(f"license:{licence.id}")
        revoked_first = (
            ended is not None and not ended.live and _ended_before(ending_times, ended, moment)
        )
        if moment > world.as_of and not revoked_first:
            changes.append((moment, licence.id, "LicenseExpired"))
    changes.sort(key=lambda c: (c[0], c[1], c[2]))
    return [
        {"effective_at": format_instant(t), "kind": k, "id": i}
        for t, i, k in changes[:UPCOMING_LIMIT]
    ]


def _ended_before(ending_times: dict[str, datetime | None], licence: Obj, moment: datetime) -> bool:
    """Whether the licence's revocation takes effect before `moment` (its expiry);
    `ending_times`: the pending licence events' effective times, by event id."""
    if licence.ended_by not in ending_times:
        return True  # revoked at or before T
    effective = ending_times[licence.ended_by]
    return effective is not None and effective < moment
