"""Suspensions and in force (docs/state.md, "In force", "Suspensions"): how a suspension or a
reinstatement changes a measure, and whether a measure or a licence applies at T."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from domain.clocks import parse_instant
from domain.knowledge import Belief
from domain.world import Obj, Suspension


def suspension_after(measure: Obj, belief: Belief) -> Suspension | None:
    """A measure's suspension after a suspension or reinstatement (docs/state.md,
    "Suspensions"): a suspension folded while another runs keeps its `since` and takes the
    new `until`; a reinstatement ends any (of a measure not suspended: a no-op)."""
    if belief.type == "ExportBanReinstated":
        return None
    at = cast(datetime, belief.effective_at)  # lifecycle events are domain events
    until = belief.data.get("until")
    end = None if until is None else parse_instant(until)
    running = measure.suspension
    since = running.since if running is not None and running.runs_at(at) else at
    return Suspension(since, end, belief.event.event_id)


def in_force(measure: Obj, at: datetime) -> bool:
    """Imposed (and past its compliance date), not lifted, not suspended at `at`."""
    if not measure.live or (measure.suspension is not None and measure.suspension.runs_at(at)):
        return False
    compliance = measure.fields.get("compliance_at")
    return compliance is None or parse_instant(compliance) <= at


def suspended(measure: Obj, at: datetime) -> bool:
    """Imposed, not lifted, and suspended at `at`."""
    return measure.live and measure.suspension is not None and measure.suspension.runs_at(at)


def license_active(obj: Obj, at: datetime) -> bool:
    expires = obj.fields.get("expires_at")
    return obj.live and (expires is None or at < parse_instant(expires))
