"""Playing catalog v2 part 2 in a run (tests/properties/runs.py): what follows an application,
a tariff, an announcement or an ownership, and how references to the run's announcements
("A<i>") and applications ("P<i>") are named."""

from __future__ import annotations

from typing import Any

FOLLOWED = ("LicenseApplied", "TariffImposed", "OwnershipRecorded", "PolicyAnnounced")


def follow_up(
    target_type: str, target: dict[str, Any], op: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The type and data of the lifecycle event that follows `target` (its data as stored)."""
    if target_type == "LicenseApplied":
        choice = op["application_kind"]
        if choice == "withdraw":
            return "LicenseApplicationWithdrawn", {"application_id": target["application_id"]}
        if choice == "deny":
            return "LicenseDenied", {k: v for k, v in target.items()}
        grant = {k: v for k, v in target.items() if k != "application_id"}
        grant["license_id"] = f"{target['application_id']}-granted"
        return "LicenseGranted", {**grant, "application_id": target["application_id"]}
    if target_type == "TariffImposed":
        if op["tariff_kind"] == "lift" or not op["tariff_change"]:
            return "TariffLifted", {"tariff_id": target["tariff_id"]}
        return "TariffAmended", {"tariff_id": target["tariff_id"], **op["tariff_change"]}
    if target_type == "OwnershipRecorded":
        pair = {"owner": target["owner"], "owned": target["owned"]}
        if op["ownership_kind"] == "end":
            return "OwnershipEnded", pair
        return "OwnershipRecorded", {**pair, "percent": op["percent"]}
    return "PolicyAnnouncementWithdrawn", {"announcement_id": target["announcement_id"]}


def named(refs: list[str], ids: list[str]) -> list[str]:
    """ "A<i>" / "P<i>" as one of `ids` (dropped while the run has none), without repeats."""
    out: list[str] = []
    for ref in refs:
        if ids:
            chosen = ids[int(ref[1:]) % len(ids)]
            if chosen not in out:
                out.append(chosen)
    return out
