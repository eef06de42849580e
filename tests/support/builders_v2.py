"""Builders of catalog v2 envelopes (destination groups, suspensions, reinstatements, and a
measure with every v2 field), in the style of tests/support/builders.py: valid by default,
tests override only what they test."""

from __future__ import annotations

from typing import Any

from tests.support import builders as b

MEASURE = "bis-2025-04-h20"  # builders.measure's default id


def group(
    group_id: str = "ear-d5",
    members: list[str] | None = None,
    effective_at: str = "2025-01-01",
    **data: Any,
) -> dict[str, Any]:
    payload = {
        "group_id": group_id,
        "name": "Country Group D:5",
        "authority": "BIS",
        "jurisdiction": "US",
        "members": ["CN", "MO"] if members is None else members,
        **data,
    }
    return b.envelope("DestinationGroupDefined", payload, effective_at)


def group_amended(
    group_id: str = "ear-d5", effective_at: str = "2025-02-01", **data: Any
) -> dict[str, Any]:
    return b.envelope(
        "DestinationGroupAmended", {"group_id": group_id, **(data or {"add": ["RU"]})}, effective_at
    )


def suspension(
    measure_id: str = MEASURE, effective_at: str = "2025-06-01", **data: Any
) -> dict[str, Any]:
    payload = {"measure_id": measure_id, "reason": "suspended during talks", **data}
    return b.envelope("ExportBanSuspended", payload, effective_at)


def reinstatement(measure_id: str = MEASURE, effective_at: str = "2025-06-15") -> dict[str, Any]:
    return b.envelope("ExportBanReinstated", {"measure_id": measure_id}, effective_at)


def v2_fields(group_id: str = "ear-d5") -> dict[str, Any]:
    """Every v2 field of a measure, naming `group_id` and the chip h20, as a client writes
    them (numbers, bare dates): their stored form is `V2_STORED`."""
    return {
        "destinations": [f"group:{group_id}", "RU"],
        "except_destinations": ["MO"],
        "criteria": [{"tpp_lt": 21000, "memory_bandwidth_gbps_lt": 6500.50}],
        "review_policy": "presumption_of_denial",
        "review_overrides": [
            {
                "chips": ["h20"],
                "criteria": [{"process_node_nm_max": 7, "memory_bandwidth_density_gt": "1.5"}],
                "destinations": [f"group:{group_id}"],
                "policy": "case_by_case",
            }
        ],
        "exceptions": [
            {"exception_id": "nac", "destinations": ["CN"], "conditions": "notify and ship"}
        ],
        "compliance_at": "2025-05-01",
    }


def v2_stored(group_id: str = "ear-d5") -> dict[str, Any]:
    """`v2_fields` as stored and echoed: decimals as normalised text, dates as instants,
    an exception's absent lists as []."""
    return {
        "destinations": [f"group:{group_id}", "RU"],
        "except_destinations": ["MO"],
        "criteria": [{"tpp_lt": "21000", "memory_bandwidth_gbps_lt": "6500.5"}],
        "review_policy": "presumption_of_denial",
        "review_overrides": [
            {
                "chips": ["h20"],
                "criteria": [{"process_node_nm_max": "7", "memory_bandwidth_density_gt": "1.5"}],
                "destinations": [f"group:{group_id}"],
                "policy": "case_by_case",
            }
        ],
        "exceptions": [
            {
                "exception_id": "nac",
                "chips": [],
                "criteria": [],
                "destinations": ["CN"],
                "conditions": "notify and ship",
            }
        ],
        "compliance_at": "2025-05-01T00:00:00Z",
    }


def v2_measure(measure_id: str = MEASURE, group_id: str = "ear-d5", **data: Any) -> dict[str, Any]:
    """An ExportBanImposed (2025-04-09, license_required, the H20) with every v2 field."""
    return b.measure(measure_id, **{**v2_fields(group_id), **data})


V1_MEASURE_KEYS = {
    "measure_id",
    "authority",
    "jurisdiction",
    "destinations",
    "chips",
    "criteria",
    "companies",
    "control",
}


# -- catalog v2 part 2: applications, ownership, tariffs, announcements -----------------------

APPLICATION = "nvidia-h20-cn-2025-07"
TARIFF = "us-232-2026-chips"
ANNOUNCEMENT = "us-2025-12-08-h20-cn"


def applied(
    application_id: str = APPLICATION, effective_at: str = "2025-07-15", **data: Any
) -> dict[str, Any]:
    """A LicenseApplied: nvidia asks BIS to ship the H20 to China."""
    payload = {"application_id": application_id, **b.bis_h20_to_china(), **data}
    return b.envelope("LicenseApplied", payload, effective_at)


def application_withdrawn(
    application_id: str = APPLICATION, effective_at: str = "2025-09-01", **data: Any
) -> dict[str, Any]:
    payload = {"application_id": application_id, **data}
    return b.envelope("LicenseApplicationWithdrawn", payload, effective_at)


def owns(
    owner: str = "nvidia",
    owned: str = "amkor",
    percent: Any = 60,
    effective_at: str = "2025-01-01",
) -> dict[str, Any]:
    data = {"owner": owner, "owned": owned, "percent": percent}
    return b.envelope("OwnershipRecorded", data, effective_at)


def ownership_ended(
    owner: str = "nvidia", owned: str = "amkor", effective_at: str = "2025-06-01"
) -> dict[str, Any]:
    return b.envelope("OwnershipEnded", {"owner": owner, "owned": owned}, effective_at)


def tariff(
    tariff_id: str = TARIFF, effective_at: str = "2026-01-15", **data: Any
) -> dict[str, Any]:
    """A TariffImposed: a 25 % US import duty on the H20."""
    payload = {
        "tariff_id": tariff_id,
        "authority": "President of the United States",
        "jurisdiction": "US",
        "direction": "import",
        "rate_percent": 25,
        "chips": ["h20"],
        **data,
    }
    return b.envelope("TariffImposed", payload, effective_at)


def tariff_amended(
    tariff_id: str = TARIFF, effective_at: str = "2026-02-01", **data: Any
) -> dict[str, Any]:
    payload = {"tariff_id": tariff_id, **(data or {"rate_percent": 50})}
    return b.envelope("TariffAmended", payload, effective_at)


def tariff_lifted(
    tariff_id: str = TARIFF, effective_at: str = "2026-06-01", **data: Any
) -> dict[str, Any]:
    return b.envelope("TariffLifted", {"tariff_id": tariff_id, **data}, effective_at)


def announced(
    announcement_id: str = ANNOUNCEMENT, effective_at: str = "2025-12-08", **data: Any
) -> dict[str, Any]:
    """A PolicyAnnounced: the H20 may go to China (no legal effect of its own)."""
    payload = {
        "announcement_id": announcement_id,
        "authority": "President of the United States",
        "jurisdiction": "US",
        "chips": ["h20"],
        "companies": ["nvidia"],
        "destinations": ["CN"],
        **data,
    }
    return b.envelope("PolicyAnnounced", payload, effective_at)


def announcement_withdrawn(
    announcement_id: str = ANNOUNCEMENT, effective_at: str = "2026-03-01", **data: Any
) -> dict[str, Any]:
    payload = {"announcement_id": announcement_id, **data}
    return b.envelope("PolicyAnnouncementWithdrawn", payload, effective_at)
