"""Created objects (measures, licences, agreements, advisories, cases, applications, groups) at T."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.catalog import CATALOG, Role
from domain.clocks import format_instant
from domain.dealings_state import announcement_status, application_status
from domain.fold import fold_world
from domain.in_force import in_force, license_active, suspended
from domain.knowledge import Belief
from domain.world import Obj, World

KINDS = {  # URL segment → (aggregate kind, id field)
    "measures": ("measure", "measure_id"),
    "licenses": ("license", "license_id"),
    "agreements": ("agreement", "agreement_id"),
    "advisories": ("advisory", "advisory_id"),
    "cases": ("case", "case_id"),
    "applications": ("application", "application_id"),
    "groups": ("group", "group_id"),
    "tariffs": ("tariff", "tariff_id"),
    "announcements": ("announcement", "announcement_id"),
}
# Kinds whose state another aggregate's events change: an application is granted by a
# licence naming it, an announcement implemented by whatever names it in `implements`.
# Their views also fold the events indexed under their own key (docs/state.md).
LINKED = ("application", "announcement")
ENDED_STATUS = {
    "measure": "lifted",
    "license": "revoked",
    "agreement": "ended",
    "advisory": "withdrawn",
    "case": "concluded",
    "application": "denied",
    "group": "defined",  # a group has no ending
    "tariff": "lifted",
    "announcement": "withdrawn",
}
LIVE_STATUS = {
    "measure": "in_force",
    "license": "active",
    "agreement": "active",
    "advisory": "active",
    "case": "open",
    "application": "denied",  # a v1 denial's own record; filed ones: application_status
    "group": "defined",
    "tariff": "in_force",
    "announcement": "open",
}
# Statuses some kinds add to live, ended and pending (docs/api.md, "Answers").
MORE_STATUSES = {
    "license": ("expired",),
    "measure": ("suspended", "awaiting_compliance"),
    "application": ("granted", "withdrawn"),
    "announcement": ("implemented",),
}


def status_of(obj: Obj | None, as_of: datetime, world: World | None = None) -> str:
    if obj is None:
        return "pending"  # known, but not in effect yet at T
    if obj.kind == "application":
        return application_status(obj)
    if obj.kind == "announcement" and world is not None:
        return announcement_status(world, obj)
    if obj.kind == "license" and obj.live and not license_active(obj, as_of):
        return "expired"
    if obj.kind == "measure" and obj.live and not in_force(obj, as_of):
        return "suspended" if suspended(obj, as_of) else "awaiting_compliance"
    return LIVE_STATUS[obj.kind] if obj.live else ENDED_STATUS[obj.kind]


def is_current(status: str) -> bool:
    """In force / active / open / defined at T (the `in_force` filter)."""
    return status in ("in_force", "active", "open", "defined")


def object_view(
    kind: str, object_id: str, beliefs: list[Belief], as_of: datetime, version: int
) -> dict[str, Any] | None:
    """The object as it stood at T, with the events that made it (as believed at K)."""
    key = f"{kind}:{object_id}"
    mine = [b for b in beliefs if b.event.aggregate == key]
    creator = next((b for b in mine if CATALOG[b.type].role is Role.CREATOR), None)
    if creator is None:
        return None  # retracted, or reported after K
    # Other aggregates' events that name it (a grant, an implementation) change its status:
    # their aggregates are folded with it (so that they apply as they would anywhere) and
    # the naming events are listed with its own.
    world = fold_world(beliefs, as_of)
    linking = [b for b in beliefs if b.event.aggregate != key and _names(b, kind, object_id)]
    obj = world.objects.get(f"{kind}:{object_id}")
    fields = _canonical(obj.fields if obj is not None else creator.data)
    if obj is not None and suspended(obj, as_of):
        fields["suspension"] = _suspension(obj)
    return {
        **fields,
        "status": status_of(obj, as_of, world),
        "effective_at": None
        if creator.effective_at is None
        else format_instant(creator.effective_at),
        "version": version,
        "anomalies": sorted(
            (
                {"event_id": a.event_id, "reason": a.reason}
                for a in world.anomalies
                if a.aggregate == key
            ),
            key=lambda a: a["event_id"],
        ),
        "events": [
            _summary(b)
            for b in sorted([*mine, *linking], key=lambda b: (b.effective_at, b.position))
        ],
    }


def _names(belief: Belief, kind: str, object_id: str) -> bool:
    if kind == "application":
        return belief.type == "LicenseGranted" and belief.data.get("application_id") == object_id
    return object_id in (belief.data.get("implements") or ())


def _suspension(measure: Obj) -> dict[str, str | None]:
    """A suspended measure's running suspension (docs/state.md, "Suspensions")."""
    assert measure.suspension is not None
    until = measure.suspension.until
    return {
        "since": format_instant(measure.suspension.since),
        "until": None if until is None else format_instant(until),
    }


def _canonical(fields: dict[str, Any]) -> dict[str, Any]:
    """Lists of ids (chips, destinations, companies) sorted, as every answer's lists are
    (docs/state.md, "Reproducibility"); `criteria` keeps its order: a clause's index is its name."""
    return {
        k: sorted(v) if isinstance(v, list) and all(isinstance(x, str) for x in v) else v
        for k, v in fields.items()
    }


def _summary(belief: Belief) -> dict[str, Any]:
    return {
        "id": belief.event.event_id,
        "type": belief.type,
        "position": belief.position,
        "effective_at": None
        if belief.effective_at is None
        else format_instant(belief.effective_at),
        "reported_at": format_instant(belief.reported_at),
        "revised_by": list(belief.revised_by),
    }
