"""The dates a base event's data binds to its effective_at (docs/events.md, "Catalog v2
write rules"): a measure's compliance date, a suspension's end, and both under correction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.clocks import format_instant, parse_instant
from domain.dossier import Dossier
from domain.errors import invalid

# The base events whose data holds a date bound to their effective_at, and that date's field.
DATED = {
    "ExportBanImposed": "compliance_at",
    "ExportBanAmended": "compliance_at",
    "ExportBanSuspended": "until",
}


def check_compliance_date(
    data: dict[str, Any], effective_at: datetime, pointer: str = "/data/compliance_at"
) -> None:
    """`compliance_at`, when given, is not before the measure takes effect."""
    compliance = data.get("compliance_at")
    if compliance is not None and parse_instant(compliance) < effective_at:
        raise invalid(
            f"compliance_at is before the measure takes effect ({format_instant(effective_at)})",
            pointer,
        )


def check_suspension_end(
    data: dict[str, Any], effective_at: datetime, pointer: str = "/data/until"
) -> None:
    until = data.get("until")
    if until is not None and parse_instant(until) <= effective_at:
        raise invalid(
            f"until must be after the suspension takes effect ({format_instant(effective_at)})",
            pointer,
        )


def check_corrected_dates(dossier: Dossier, event_id: str, changes: dict[str, Any]) -> None:
    """A correction keeps its target's own dates in order, as the target's write rules do:
    an imposition's compliance_at not before its effective_at, an amendment's not before the
    imposition's, a suspension's until after its effective_at. The fault is located at the
    field the correction replaces (the date in its data, else its effective_at)."""
    target = dossier.belief(event_id)
    if target is None or target.type not in DATED:
        return
    data = changes.get("data", target.data)
    moved = changes.get("effective_at")
    effective_at = parse_instant(moved) if moved is not None else target.effective_at
    if target.type == "ExportBanAmended":  # checked against the imposition, not moved here
        if "data" in changes:
            imposed = dossier.beliefs[0].effective_at
            assert imposed is not None  # an imposition is a domain event
            check_compliance_date(data, imposed, "/data/changes/data/compliance_at")
        return
    assert effective_at is not None  # a base event with a date of its own is a domain event
    name = DATED[target.type]
    pointer = (
        f"/data/changes/data/{name}"
        if name in changes.get("data", {})
        else "/data/changes/effective_at"
    )
    if target.type == "ExportBanImposed":
        check_compliance_date(data, effective_at, pointer)
    else:
        check_suspension_end(data, effective_at, pointer)
