"""Catalog v2 in chip state (docs/state.md, "Export status", "Suspensions", "Upcoming"):
groups resolved at T, exceptions of destinations, `via`, review policies and overrides,
licence exceptions, compliance dates, suspensions and their ends, criteria bounds."""

from __future__ import annotations

from typing import Any

from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import MemoryLedger


def group(group_id: str, members: list[str], effective_at: str = "2023-10-17") -> dict[str, Any]:
    return v2.group(group_id, members, effective_at, name=group_id)


def regroup(group_id: str, effective_at: str, **change: list[str]) -> dict[str, Any]:
    return v2.group_amended(group_id, effective_at, **change)


def suspend(effective_at: str, until: str | None = None) -> dict[str, Any]:
    extra = {} if until is None else {"until": until}
    return v2.suspension(effective_at=effective_at, reason="paused", **extra)


def reinstate(effective_at: str) -> dict[str, Any]:
    return v2.reinstatement(effective_at=effective_at)


def test_a_group_reaches_its_members_at_t_and_says_so_in_via(log: MemoryLedger) -> None:
    log.record(
        group("ear-d5", ["CN", "MO"]),
        b.measure(destinations=["group:ear-d5", "CN"]),
        regroup("ear-d5", "2025-06-01", add=["VN"], remove=["MO"]),
    )
    before = log.chip("h20", "2025-05-01")["export"]
    assert sorted(before) == ["CN", "MO"]
    assert before["CN"]["via"] == {"bis-2025-04-h20": "group:ear-d5"}  # the first entry
    after = log.chip("h20", "2025-06-01")["export"]
    assert sorted(after) == ["CN", "VN"]


def test_a_group_not_defined_at_t_reaches_nothing(log: MemoryLedger) -> None:
    log.record(group("ear-d5", ["CN"], "2025-05-01"), b.measure(destinations=["group:ear-d5"]))
    assert log.chip("h20", "2025-04-20")["export"] == {}
    assert list(log.chip("h20", "2025-05-01")["export"]) == ["CN"]


def test_excepted_destinations_are_taken_out(log: MemoryLedger) -> None:
    log.record(
        group("ear-d5", ["CN", "MO", "VN"]),
        group("a5", ["VN"]),
        b.measure(destinations=["group:ear-d5"], except_destinations=["group:a5", "MO"]),
    )
    assert list(log.chip("h20", "2025-05-01")["export"]) == ["CN"]


def test_the_first_matching_override_gives_the_policy(log: MemoryLedger) -> None:
    log.record(
        b.chip("h200", specs={"tpp": 15832, "memory_bandwidth_gbps": 4800}),
        b.measure(
            chips=["h20", "h200"],
            destinations=["CN", "RU"],
            review_policy="presumption_of_denial",
            review_overrides=[
                {
                    "criteria": [{"tpp_lt": 21000, "memory_bandwidth_gbps_lt": 6500}],
                    "destinations": ["CN"],
                    "policy": "case_by_case",
                },
                {"policy": "policy_of_denial", "destinations": ["CN"]},
            ],
        ),
    )
    state = log.chip("h200", "2025-05-01")["export"]
    assert state["CN"]["review_policy"] == "case_by_case"
    assert state["RU"]["review_policy"] == "presumption_of_denial"
    # the H20 has no specs: the criteria override does not match, the next one does
    assert log.chip("h20", "2025-05-01")["export"]["CN"]["review_policy"] == "policy_of_denial"


def test_the_most_restrictive_policy_wins_and_only_while_a_licence_is_required(
    log: MemoryLedger,
) -> None:
    log.record(
        b.measure(review_policy="case_by_case"),
        b.measure("bis-other", review_policy="presumption_of_denial"),
        b.measure("bis-silent"),
    )
    assert log.chip("h20", "2025-05-01")["export"]["CN"]["review_policy"] == "presumption_of_denial"
    log.record(b.measure("bis-ban", control="ban", effective_at="2025-06-01"))
    banned = log.chip("h20", "2025-06-01")["export"]["CN"]
    assert (banned["status"], banned["review_policy"], banned["exceptions"]) == ("banned", None, [])


def test_licence_exceptions_that_match_are_listed(log: MemoryLedger) -> None:
    log.record(
        b.measure(
            exceptions=[
                {"exception_id": "nac", "conditions": "notify 25 days ahead"},
                {"exception_id": "ru-only", "destinations": ["RU"], "conditions": "never"},
            ]
        )
    )
    assert log.chip("h20", "2025-05-01")["export"]["CN"]["exceptions"] == [
        {
            "measure_id": "bis-2025-04-h20",
            "exception_id": "nac",
            "conditions": "notify 25 days ahead",
        }
    ]


def test_before_its_compliance_date_a_measure_is_only_upcoming(log: MemoryLedger) -> None:
    log.record(b.measure(compliance_at="2025-05-15"))
    early = log.chip("h20", "2025-05-01")
    assert early["export"] == {}
    assert early["upcoming"] == [
        {
            "effective_at": "2025-05-15T00:00:00Z",
            "kind": "ComplianceRequired",
            "id": "bis-2025-04-h20",
        }
    ]
    assert list(log.chip("h20", "2025-05-15")["export"]) == ["CN"]


def test_a_suspension_with_until_ends_by_itself(log: MemoryLedger) -> None:
    # `until` is an exclusive end: a bare date would mean "through that day"
    log.record(b.measure(), suspend("2025-11-10", until="2026-11-10T00:00:00Z"))
    during = log.chip("h20", "2026-01-01")
    assert during["export"] == {}
    assert during["suspended_measures"] == [
        {
            "measure_id": "bis-2025-04-h20",
            "since": "2025-11-10T00:00:00Z",
            "until": "2026-11-10T00:00:00Z",
        }
    ]
    assert during["upcoming"] == [
        {
            "effective_at": "2026-11-10T00:00:00Z",
            "kind": "ExportBanReinstated",
            "id": "bis-2025-04-h20",
        }
    ]
    after = log.chip("h20", "2026-11-10")
    assert (list(after["export"]), after["suspended_measures"]) == (["CN"], [])


def test_a_reinstatement_ends_a_suspension_early_and_its_end_is_no_longer_upcoming(
    log: MemoryLedger,
) -> None:
    log.record(
        b.measure(), suspend("2025-11-10", until="2026-11-10T00:00:00Z"), reinstate("2026-02-01")
    )
    assert log.chip("h20", "2026-01-01")["upcoming"] == [
        {
            "effective_at": "2026-02-01T00:00:00Z",
            "kind": "ExportBanReinstated",
            "id": "bis-2025-04-h20",
        }
    ]
    assert list(log.chip("h20", "2026-02-01")["export"]) == ["CN"]


def test_a_second_suspension_keeps_the_first_since_and_takes_the_new_until(
    log: MemoryLedger,
) -> None:
    log.record(b.measure(), suspend("2025-11-10", until="2026-01-10"), suspend("2025-12-01"))
    assert log.chip("h20", "2026-06-01")["suspended_measures"] == [
        {"measure_id": "bis-2025-04-h20", "since": "2025-11-10T00:00:00Z", "until": None}
    ]


def test_a_reinstatement_without_a_running_suspension_changes_nothing(log: MemoryLedger) -> None:
    log.record(b.measure(), reinstate("2025-06-01"))
    assert log.chip("h20", "2025-05-01")["upcoming"] == []
    assert list(log.chip("h20", "2025-06-01")["export"]) == ["CN"]


def test_amendments_of_a_named_group_are_upcoming(log: MemoryLedger) -> None:
    log.record(
        group("ear-d5", ["CN"]),
        group("unrelated", ["RU"]),
        b.measure(destinations=["group:ear-d5"]),
        regroup("ear-d5", "2025-06-01", add=["VN"]),
        regroup("unrelated", "2025-06-01", add=["VN"]),
    )
    assert log.chip("h20", "2025-05-01")["upcoming"] == [
        {"effective_at": "2025-06-01T00:00:00Z", "kind": "DestinationGroupAmended", "id": "ear-d5"}
    ]


def test_strict_and_upper_bounds(log: MemoryLedger) -> None:
    log.record(
        b.chip("h200", specs={"tpp": 21000}),
        b.chip("b30a", specs={"tpp": 20999}),
        b.measure(chips=[], criteria=[{"tpp_lt": 21000}]),
        b.measure("bis-gt", chips=[], criteria=[{"tpp_gt": 20999}], destinations=["RU"]),
    )
    assert list(log.chip("b30a", "2025-05-01")["export"]) == ["CN"]
    assert list(log.chip("h200", "2025-05-01")["export"]) == ["RU"]
