"""Catalog v2's applications, tariffs and announcements in chip and company state
(docs/state.md, "Applications", "Duties", "Announcements")."""

from __future__ import annotations

from typing import Any

from domain.coverage import coverage
from domain.destinations import resolve
from domain.fold import FILED
from domain.world import Obj, World


def pending_applications(world: World) -> list[Obj]:
    """Applications filed and not yet granted, denied or withdrawn at T."""
    return [a for a in world.of_kind("application") if a.live and a.origin == FILED]


def application_status(application: Obj) -> str:
    """pending | granted | denied | withdrawn (docs/api.md, "Answers")."""
    if application.origin != FILED:
        return "denied"  # a v1 denial records its own application
    if application.live:
        return "pending"
    return {"LicenseGranted": "granted", "LicenseDenied": "denied"}.get(
        application.ended_type or "", "withdrawn"
    )


def pending_for(world: World, chip: str, destination: str) -> list[str]:
    """Ids of the applications pending at T that name the chip and the destination."""
    return sorted(
        a.id
        for a in pending_applications(world)
        if chip in a.fields["chips"] and destination in a.fields["destinations"]
    )


def open_announcements(world: World) -> list[Obj]:
    """Announcements neither withdrawn nor implemented at T."""
    return [a for a in world.of_kind("announcement") if a.live and a.id not in world.implemented]


def announcement_status(world: World, announcement: Obj) -> str:
    if not announcement.live:
        return "withdrawn"
    return "implemented" if announcement.id in world.implemented else "open"


def announcement_item(announcement: Obj) -> dict[str, Any]:
    fields = announcement.fields
    return {
        "announcement_id": announcement.id,
        "authority": fields["authority"],
        "jurisdiction": fields["jurisdiction"],
        "destinations": sorted(fields.get("destinations") or []),
        "expected_effective_at": fields.get("expected_effective_at"),
    }


def duties(world: World, chip: str, specs: dict[str, Any]) -> list[dict[str, Any]]:
    """Tariffs in force at T that cover the chip, their destinations resolved to ISO codes
    (a tariff whose given destinations resolve to nothing is not listed)."""
    found = []
    for tariff in world.of_kind("tariff"):
        how = coverage(tariff.fields, chip, specs) if tariff.live else None
        if how is None:
            continue
        given = tariff.fields.get("destinations") or []
        places = resolve(world, given)
        if given and not places:
            continue
        found.append(
            {
                "tariff_id": tariff.id,
                "authority": tariff.fields["authority"],
                "jurisdiction": tariff.fields["jurisdiction"],
                "direction": tariff.fields["direction"],
                "rate_percent": tariff.fields["rate_percent"],
                "origins": sorted(tariff.fields.get("origins") or []),
                "destinations": sorted(places),
                "basis": tariff.fields.get("basis"),
                "matched_by": how,
            }
        )
    return sorted(found, key=lambda d: d["tariff_id"])
