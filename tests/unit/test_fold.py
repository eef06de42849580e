"""The fold over an in-memory log (docs/state.md, "The fold", "Facts at T"): valid-time
order, what waits for T, anomalies, measures in force, active licences and how a measure
covers a chip (docs/events.md, "Criteria").
"""

from __future__ import annotations

from typing import Any

import pytest

from domain.coverage import coverage, matches_criteria
from tests.domain.write_api import with_
from tests.support import builders as b
from tests.unit.memory_ledger import MemoryLedger, at

# -- order -------------------------------------------------------------------------------


def test_events_apply_in_valid_time_order_not_log_order(log: MemoryLedger) -> None:
    log.record(
        b.measure(effective_at="2025-04-09"),
        b.amendment(effective_at="2025-06-01", control="license_required"),
        b.amendment(effective_at="2025-05-01", control="ban"),
    )
    measure = log.world("2025-07-01").objects["measure:bis-2025-04-h20"]
    assert measure.fields["control"] == "license_required"


def test_events_effective_at_one_instant_apply_in_log_order(log: MemoryLedger) -> None:
    log.record(
        b.measure(),
        b.amendment(effective_at="2025-05-01", control="ban"),
        b.amendment(effective_at="2025-05-01", control="license_required"),
    )
    assert (
        log.world("2025-05-01").objects["measure:bis-2025-04-h20"].fields["control"]
        == "license_required"
    )


def test_an_event_applies_from_its_effective_at_inclusive(log: MemoryLedger) -> None:
    log.record(b.measure(effective_at="2025-04-09"))
    assert "measure:bis-2025-04-h20" not in log.world("2025-04-08T23:59:59.999999Z").objects
    assert "measure:bis-2025-04-h20" in log.world("2025-04-09").objects


def test_events_after_t_are_kept_pending_in_valid_time_order(log: MemoryLedger) -> None:
    log.record(
        b.measure(effective_at="2025-04-09"),
        b.lift(effective_at="2025-12-01"),
        b.amendment(effective_at="2025-06-01"),
    )
    world = log.world("2025-05-01")
    assert [p.type for p in world.pending] == ["ExportBanAmended", "ExportBanLifted"]


def test_registry_events_exist_whatever_t(log: MemoryLedger) -> None:
    assert sorted(log.world("1990-01-01").companies) == ["amkor", "nvidia"]


# -- anomalies ---------------------------------------------------------------------------


def anomalies(state: dict[str, Any]) -> list[tuple[str, str]]:
    return [(a["event_id"], a["reason"]) for a in state["anomalies"]]


def test_an_event_moved_before_its_creator_is_a_no_op_and_an_anomaly(log: MemoryLedger) -> None:
    imposed, amended = log.record(
        b.measure(control="license_required"), b.amendment(effective_at="2025-05-01", control="ban")
    )
    log.record(b.correction(imposed.event_id, effective_at="2025-06-01"))
    state = log.chip("h20", "2025-07-01")
    assert anomalies(state) == [(amended.event_id, "before_creator")]
    assert state["export"]["CN"]["status"] == "license_required"


def test_an_event_after_its_objects_end_is_a_no_op_and_an_anomaly(log: MemoryLedger) -> None:
    _, amended, lifted = log.record(
        b.measure(), b.amendment(effective_at="2025-05-01"), b.lift(effective_at="2025-12-01")
    )
    log.record(b.correction(lifted.event_id, effective_at="2025-04-20"))
    state = log.chip("h20", "2025-07-01")
    assert anomalies(state) == [(amended.event_id, "after_terminal")]
    assert state["export"] == {}


def test_an_anomaly_is_listed_whatever_t_once_folded(log: MemoryLedger) -> None:
    imposed, amended = log.record(b.measure(), b.amendment(effective_at="2025-05-01"))
    log.record(b.correction(imposed.event_id, effective_at="2025-06-01"))
    assert anomalies(log.chip("h20", "2025-05-15")) == [(amended.event_id, "before_creator")]
    assert anomalies(log.chip("h20", "2025-04-30")) == []  # not folded yet at T


def test_an_anomaly_is_listed_on_every_company_the_object_names(log: MemoryLedger) -> None:
    granted, revoked = log.record(
        b.license_granted(effective_at="2025-08-11"), b.license_revoked(effective_at="2025-10-01")
    )
    log.record(b.correction(granted.event_id, effective_at="2025-11-01"))
    assert anomalies(log.company("nvidia", "2025-12-01")) == [(revoked.event_id, "before_creator")]
    assert anomalies(log.company("amkor", "2025-12-01")) == []


def test_a_measures_anomaly_is_listed_on_the_chips_its_criteria_cover(log: MemoryLedger) -> None:
    log.record(b.chip("b30a", specs={"tpp": 5000}))
    imposed, amended = log.record(
        b.measure(chips=[], criteria=[{"tpp_min": 4800}]), b.amendment(effective_at="2025-05-01")
    )
    log.record(b.correction(imposed.event_id, effective_at="2025-06-01"))
    assert anomalies(log.chip("b30a", "2025-07-01")) == [(amended.event_id, "before_creator")]
    assert anomalies(log.chip("h20", "2025-07-01")) == []


def test_anomalies_are_sorted_by_event_id(log: MemoryLedger) -> None:
    imposed, first, second = log.record(
        b.measure(),
        b.amendment(effective_at="2025-06-01"),
        b.amendment(effective_at="2025-05-01", control="ban"),
    )
    log.record(b.correction(imposed.event_id, effective_at="2025-07-01"))
    assert anomalies(log.chip("h20", "2025-08-01")) == [
        (first.event_id, "before_creator"),
        (second.event_id, "before_creator"),
    ]


# -- measures in force -------------------------------------------------------------------


def test_an_amendment_replaces_only_the_fields_it_carries(log: MemoryLedger) -> None:
    log.record(b.measure(destinations=["CN"]), b.amendment(destinations=["CN", "RU"]))
    state = log.chip("h20", "2025-06-01")
    assert {d: s["status"] for d, s in state["export"].items()} == {
        "CN": "license_required",
        "RU": "license_required",
    }


def test_a_lifted_measure_is_no_longer_in_force(log: MemoryLedger) -> None:
    log.record(b.measure(), b.lift(effective_at="2025-12-01"))
    assert log.chip("h20", "2025-11-30")["export"]["CN"]["status"] == "license_required"
    assert log.chip("h20", "2025-12-01")["export"] == {}


def test_a_lift_keeps_its_reason_with_the_measure(log: MemoryLedger) -> None:
    log.record(b.measure(), b.lift(reason="superseded"))
    measure = log.world("2026-01-01").objects["measure:bis-2025-04-h20"]
    assert (measure.live, measure.ended_type, measure.fields["reason"]) == (
        False,
        "ExportBanLifted",
        "superseded",
    )


# -- licences ----------------------------------------------------------------------------


def licensed(log: MemoryLedger, as_of: str) -> bool:
    return bool(log.company("nvidia", as_of)["licenses"])


def test_a_licence_is_active_from_its_grant(log: MemoryLedger) -> None:
    log.record(b.license_granted(effective_at="2025-08-11"))
    assert (licensed(log, "2025-08-10T23:59:59Z"), licensed(log, "2025-08-11")) == (False, True)


def test_a_licence_expiry_is_exclusive(log: MemoryLedger) -> None:
    log.record(b.license_granted(expires_at="2025-12-31T00:00:00Z"))
    assert licensed(log, "2025-12-30T23:59:59.999999Z")
    assert not licensed(log, "2025-12-31T00:00:00Z")


def test_a_bare_expiry_date_runs_through_that_day(log: MemoryLedger) -> None:
    log.record(b.license_granted(expires_at="2025-12-31"))
    assert licensed(log, "2025-12-31T23:59:59.999999Z")
    assert not licensed(log, "2026-01-01")


def test_a_revoked_licence_is_not_active(log: MemoryLedger) -> None:
    log.record(b.license_granted(), b.license_revoked(effective_at="2025-10-01"))
    assert (licensed(log, "2025-09-30"), licensed(log, "2025-10-01")) == (True, False)


# -- coverage ----------------------------------------------------------------------------

OCTOBER_2023 = [{"tpp_min": "4800"}, {"tpp_min": "1600", "performance_density_min": "5.92"}]


@pytest.mark.parametrize(
    ("specs", "index"),
    [
        ({"tpp": "5000"}, 0),
        ({"tpp": "4800"}, 0),  # a threshold is met by an equal figure
        ({"tpp": "2000", "performance_density": "6"}, 1),
        ({"tpp": "5000", "performance_density": "6"}, 0),  # the first matching clause is named
        ({"tpp": "2368"}, None),  # the demo's H20: no density, so the second clause cannot match
        ({"tpp": "4799.9999"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_criteria_match_by_the_first_clause_all_of_whose_thresholds_are_met(
    specs: dict[str, str] | None, index: int | None
) -> None:
    assert matches_criteria(OCTOBER_2023, specs) == index


def test_naming_a_chip_wins_over_its_criteria() -> None:
    measure = {"chips": ["h20"], "criteria": OCTOBER_2023}
    assert coverage(measure, "h20", {"tpp": "5000"}) == {"by": "named"}


def test_a_measure_covers_by_criteria_with_the_clause_index() -> None:
    assert coverage(
        {"chips": [], "criteria": OCTOBER_2023},
        "b30a",
        {"tpp": "1700", "performance_density": "5.92"},
    ) == {"by": "criteria", "index": 1}


def test_a_measure_neither_naming_nor_matching_does_not_cover() -> None:
    assert coverage({"chips": ["h20"], "criteria": OCTOBER_2023}, "l20", {"tpp": "100"}) is None


def test_coverage_uses_the_specs_as_known_at_k(log: MemoryLedger) -> None:
    log.record(b.measure(chips=[], criteria=[{"tpp_min": 4800}]))
    h20 = log.events[1]
    log.record(
        with_(
            b.correction(h20.event_id, data={**h20.data, "specs": {"tpp": 5000}}),
            reported_at="2025-06-01",
        )
    )
    assert log.chip("h20", "2025-07-01", known_at=at("2025-05-31"))["export"] == {}
    assert log.chip("h20", "2025-07-01", known_at=at("2025-06-01"))["export"]["CN"][
        "matched_by"
    ] == {"bis-2025-04-h20": {"by": "criteria", "index": 0}}
