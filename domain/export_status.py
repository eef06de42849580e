"""A chip's export status by destination (docs/state.md, "Export status"): the live measures
that cover it, the licences that apply, and the most restrictive status per destination."""

from __future__ import annotations

from typing import Any

from domain.world import Obj, World, coverage, license_active

RESTRICTIVENESS = {"licensed": 0, "license_required": 1, "banned": 2}


def export_status(
    world: World, chip: str, specs: dict[str, Any]
) -> tuple[dict[str, Any], list[Any]]:
    """The chip's `export` (by destination) and its `end_user_restrictions` (unsorted)."""
    by_destination: dict[str, dict[str, list[tuple[Obj, dict[str, Any]]]]] = {}
    end_user: list[dict[str, Any]] = []
    for measure in [m for m in world.of_kind("measure") if m.live]:
        fields = measure.fields
        how = coverage(fields, chip, specs)
        if how is None:
            continue
        if fields.get("companies"):
            end_user.append(
                {
                    "measure_id": measure.id,
                    "companies": sorted(fields["companies"]),
                    "destinations": sorted(fields["destinations"]),
                    "control": fields["control"],
                }
            )
            continue
        for destination in fields["destinations"]:
            per = by_destination.setdefault(destination, {})
            per.setdefault(fields["jurisdiction"], []).append((measure, how))
    licences = [
        lic
        for lic in world.of_kind("license")
        if license_active(lic, world.as_of) and chip in lic.fields["chips"]
    ]
    export = {}
    for destination, per_jurisdiction in by_destination.items():
        export[destination] = _destination_status(per_jurisdiction, licences, destination)
    return export, end_user


def _destination_status(
    per_jurisdiction: dict[str, list[tuple[Obj, dict[str, Any]]]],
    licences: list[Obj],
    destination: str,
) -> dict[str, Any]:
    statuses: dict[str, str] = {}
    licence_ids: set[str] = set()
    measures: dict[str, dict[str, Any]] = {}
    for jurisdiction, entries in per_jurisdiction.items():
        mine = [
            lic.id
            for lic in licences
            if lic.fields["jurisdiction"] == jurisdiction
            and destination in lic.fields["destinations"]
        ]
        if mine:
            statuses[jurisdiction] = "licensed"
            licence_ids.update(mine)
        elif any(m.fields["control"] == "ban" for m, _ in entries):
            statuses[jurisdiction] = "banned"
        else:
            statuses[jurisdiction] = "license_required"
        measures.update({m.id: how for m, how in entries})
    return {
        "status": max(statuses.values(), key=RESTRICTIVENESS.__getitem__),
        "measures": sorted(measures),
        "licenses": sorted(licence_ids),
        "matched_by": measures,
        "by_jurisdiction": statuses,
    }
