"""The reference fold (docs/state.md, "The fold"): the world at valid time T, from what was believed.

`fold_world` takes the beliefs of an event slice (revisions applied at K, visible, position
≤ P) and applies the domain events with `effective_at ≤ T` in (`effective_at`, position)
order. Lifecycle events that take effect before their creator or after a terminal event are
no-ops, recorded as anomalies. Everything here is pure: the same beliefs give the same world.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from operator import attrgetter
from typing import cast

from domain.catalog import CATALOG, Role
from domain.in_force import suspension_after
from domain.knowledge import Belief
from domain.world import Anomaly, Halt, Obj, World

SUSPENSION_EFFECT = {"ExportBanSuspended", "ExportBanReinstated"}
AMENDMENTS = {"ExportBanAmended", "TariffAmended"}
FILED = "LicenseApplied"  # an application's creator when it was filed (pending until it ends)
TERMINAL_EFFECT = {
    "TariffLifted",
    "LicenseApplicationWithdrawn",
    "PolicyAnnouncementWithdrawn",
    "ExportBanLifted",
    "LicenseRevoked",
    "RevenueShareEnded",
    "AdvisoryWithdrawn",
    "InvestigationConcluded",
}


def valid_time_order(beliefs: list[Belief]) -> list[Belief]:
    return sorted(beliefs, key=attrgetter("effective_at", "position"))


def fold_world(beliefs: list[Belief], as_of: datetime) -> World:
    """The fold of what was believed (already revised and visible, docs/state.md, "What was known")."""
    registry = [b for b in beliefs if b.is_registry]
    domain = valid_time_order(
        [b for b in beliefs if not b.is_registry and b.effective_at is not None]
    )
    return fold_ordered(registry, domain, as_of)


def fold_ordered(
    registry: list[Belief], domain: list[Belief], as_of: datetime, known_at: datetime | None = None
) -> World:
    """The fold proper: registry beliefs in log order, domain beliefs in valid-time order.

    With `known_at`, beliefs not visible at K (retracted, or reported after K) are skipped
    here, so a caller may pass a superset arranged once (`domain.prepared`)."""
    world = World(as_of)
    for belief in registry:
        if not belief.retracted:
            _register(world, belief)
    for belief in domain:
        effective = belief.effective_at
        if (
            effective is None
            or belief.retracted
            or (known_at is not None and belief.reported_at > known_at)
        ):
            continue
        world.believed.append(belief)
        if effective > as_of:
            world.pending.append(belief)
        else:
            apply(world, belief)
    return world


def _register(world: World, belief: Belief) -> None:
    data = belief.data
    if belief.type == "ChipRegistered":
        world.chips[data["chip"]] = data
    else:
        world.companies[data["company"]] = data


def apply(world: World, belief: Belief) -> None:
    """Apply one domain event to the world (used for T and to look ahead for `upcoming`)."""
    event_type = CATALOG[belief.type]
    key = belief.event.aggregate
    if event_type.role is Role.PRODUCTION:
        _apply_production(world, belief)
        return
    if event_type.role is Role.OWNERSHIP:
        _apply_ownership(world, belief)
        return
    current = world.objects.get(key)
    if event_type.role is Role.CREATOR and not _ends_application(belief, current):
        if current is None:  # a creator seen twice cannot happen: ids are unique
            # Fields are never changed in place (an amendment makes a new dict): no copy.
            world.objects[key] = Obj(
                event_type.kind,
                belief.data[event_type.id_field],
                belief.data,
                belief.event.event_id,
                origin=belief.type,
            )
            _implements(world, belief)
            if belief.type == "LicenseGranted" and belief.data.get("application_id"):
                _grant_application(world, belief)
        return
    if current is None:
        world.anomalies.append(Anomaly(belief.event.event_id, "before_creator", key))
        return
    if not current.live:
        world.anomalies.append(Anomaly(belief.event.event_id, "after_terminal", key))
        return
    # (Obj is built directly, not with dataclasses.replace: this runs for every event read.)
    if belief.type in AMENDMENTS:
        changed = {k: v for k, v in belief.data.items() if k != event_type.id_field}
        world.objects[key] = Obj(
            current.kind,
            current.id,
            {**current.fields, **changed},
            current.created_by,
            suspension=current.suspension,
            origin=current.origin,
        )
        _implements(world, belief)
    elif belief.type in SUSPENSION_EFFECT:
        world.objects[key] = replace(current, suspension=suspension_after(current, belief))
    elif belief.type == "DestinationGroupAmended":
        members = set(current.fields["members"]) | set(belief.data.get("add") or ())
        members -= set(belief.data.get("remove") or ())
        world.objects[key] = replace(current, fields={**current.fields, "members": sorted(members)})
    elif belief.type in TERMINAL_EFFECT or belief.type == "LicenseDenied":
        # Keep what the ending says (a case's finding, a lift's reason) with the object.
        outcome = {k: v for k, v in belief.data.items() if k != event_type.id_field}
        world.objects[key] = Obj(
            current.kind,
            current.id,
            {**current.fields, **outcome},
            current.created_by,
            belief.event.event_id,
            belief.type,
            origin=current.origin,
        )


def _ends_application(belief: Belief, current: Obj | None) -> bool:
    """A denial naming an application filed with LicenseApplied ends it (docs/state.md,
    "Licence applications"); otherwise it records a denied application of its own (v1)."""
    return belief.type == "LicenseDenied" and current is not None and current.origin == FILED


def _grant_application(world: World, grant: Belief) -> None:
    """A licence naming a pending application grants it; one not pending is left as it is."""
    key = f"application:{grant.data['application_id']}"
    application = world.objects.get(key)
    if application is not None and application.live and application.origin == FILED:
        world.objects[key] = replace(
            application, ended_by=grant.event.event_id, ended_type=grant.type
        )


def _implements(world: World, belief: Belief) -> None:
    """The announcements this event implements, from its effective time (the first wins)."""
    for announcement in belief.data.get("implements") or ():
        if announcement not in world.implemented:
            world.implemented[announcement] = (
                belief.event.event_id,
                cast(datetime, belief.effective_at),
            )


def _apply_ownership(world: World, belief: Belief) -> None:
    pair = (belief.data["owner"], belief.data["owned"])
    if belief.type == "OwnershipRecorded":
        world.holdings[pair] = belief.data["percent"]
    else:
        world.holdings.pop(pair, None)  # an end with nothing recorded is a silent no-op


def _apply_production(world: World, belief: Belief) -> None:
    company = belief.data["company"]
    for chip in belief.data["chips"]:
        key = (company, chip)
        if belief.type == "ProductionHalted":
            open_halt = world.halts.get(key)
            suppliers = frozenset(belief.data.get("suppliers") or ())
            if open_halt is None:
                # A halt is a domain event: it always has a valid time.
                world.halts[key] = Halt(
                    company, chip, cast(datetime, belief.effective_at), suppliers
                )
            else:  # a second halt while open: keep the earliest `since`, union the suppliers
                world.halts[key] = replace(open_halt, suppliers=open_halt.suppliers | suppliers)
        else:
            world.halts.pop(key, None)  # a resume with no open halt is a silent no-op
