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
