"""Timelines, state spans and diffs (docs/state.md, "Timelines, history and diffs") over an
in-memory log: `domain.history`.
"""

from __future__ import annotations

from typing import Any

from domain.history import diff, history, timeline
from tests.support import builders as b
from tests.unit.memory_ledger import MemoryLedger

# -- spans -------------------------------------------------------------------------------


def spans(log: MemoryLedger, chip: str = "h20") -> list[dict[str, Any]]:
    found = history("chip", chip, log.beliefs())
    assert found is not None
    return found


def bounds(log: MemoryLedger) -> list[tuple[str | None, str | None]]:
    return [(s["from"], s["to"]) for s in spans(log)]


def test_a_chip_nothing_happened_to_has_one_open_span(log: MemoryLedger) -> None:
    assert bounds(log) == [(None, None)]


def test_spans_split_at_every_change(log: MemoryLedger) -> None:
    log.record(b.measure(effective_at="2025-04-09"), b.lift(effective_at="2025-12-01"))
    assert bounds(log) == [
        (None, "2025-04-09T00:00:00Z"),
        ("2025-04-09T00:00:00Z", "2025-12-01T00:00:00Z"),
        ("2025-12-01T00:00:00Z", None),
    ]


def test_a_span_holds_the_state_without_coordinates_or_upcoming(log: MemoryLedger) -> None:
    log.record(b.measure(effective_at="2025-04-09"))
    first, second = spans(log)
    assert not {"as_of", "known_at", "position", "upcoming"} & set(second["state"])
    expected = {
        k: v
        for k, v in log.chip("h20", "2025-05-01").items()
        if k not in ("as_of", "known_at", "position", "upcoming")
    }
    assert (first["state"]["export"], second["state"]) == ({}, expected)


def test_neighbours_with_equal_states_merge(log: MemoryLedger) -> None:
    log.record(
        b.chip("b30a"),
        b.measure(effective_at="2025-04-09"),
        b.measure("other-chip", chips=["b30a"], effective_at="2025-05-01"),
        b.license_denied(effective_at="2025-06-01"),
    )
    assert bounds(log) == [(None, "2025-04-09T00:00:00Z"), ("2025-04-09T00:00:00Z", None)]


def test_a_licence_expiry_splits_the_spans(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(effective_at="2025-08-11", expires_at="2025-12-31"))
    statuses = [(s["from"], s["state"]["export"].get("CN", {}).get("status")) for s in spans(log)]
    assert statuses == [
        (None, None),
        ("2025-04-09T00:00:00Z", "license_required"),
        ("2025-08-11T00:00:00Z", "licensed"),
        ("2026-01-01T00:00:00Z", "license_required"),
    ]


def test_a_chip_unknown_at_p_has_no_history(log: MemoryLedger) -> None:
    assert history("chip", "ghost", log.beliefs()) is None


# -- timeline ----------------------------------------------------------------------------


def items(log: MemoryLedger, chip: str = "h20") -> list[str]:
    """Each timeline item named by its payload's id field (stored events carry no `type`
    attribute in the fold's input; the public body is added by the read model)."""
    names = []
    for item in timeline("chip", chip, log.beliefs()):
        field = next(
            f for f in ("measure_id", "license_id", "chip", "company") if f in item["data"]
        )
        names.append(f"{field}={item['data'][field]}")
    return names


def test_a_timeline_holds_the_events_of_every_object_that_named_the_chip(log: MemoryLedger) -> None:
    log.record(b.chip("b30a"), b.measure(), b.lift(), b.measure("other", chips=["b30a"]))
    # the registry events were reported when recorded (2026-01-15): after the 2025 events
    assert items(log) == ["measure_id=bis-2025-04-h20", "measure_id=bis-2025-04-h20", "chip=h20"]


def test_a_timeline_includes_measures_whose_criteria_cover_the_chip(log: MemoryLedger) -> None:
    log.record(
        b.chip("b30a", specs={"tpp": 5000}),
        b.measure("by-criteria", chips=[], criteria=[{"tpp_min": 4800}]),
    )
    assert items(log, "b30a") == ["measure_id=by-criteria", "chip=b30a"]
    assert items(log, "h20") == ["chip=h20"]


def test_a_timeline_shows_events_as_revised_and_leaves_out_retracted_ones(
    log: MemoryLedger,
) -> None:
    imposed, amended = log.record(b.measure(), b.amendment())
    fix, _ = log.record(
        b.correction(imposed.event_id, effective_at="2025-04-01"), b.retraction(amended.event_id)
    )
    [shown, registered] = timeline("chip", "h20", log.beliefs())
    assert (registered["data"]["chip"], registered["revised_by"]) == ("h20", [])
    assert (shown["effective_at"], shown["revised_by"]) == ("2025-04-01T00:00:00Z", [fix.event_id])


def test_a_timeline_orders_by_effective_at_and_registry_events_by_reported_at(
    log: MemoryLedger,
) -> None:
    log.record(
        {**b.chip("b30a", successor_of="h20"), "reported_at": "2025-05-01"},
        b.measure(effective_at="2025-06-01"),
        b.halt(effective_at="2025-04-01"),
    )
    # the halt (named by its company) at 04-01, b30a's registration reported 05-01, the
    # measure at 06-01, h20's own registration reported when recorded (2026-01-15)
    assert items(log) == ["company=nvidia", "chip=b30a", "measure_id=bis-2025-04-h20", "chip=h20"]


# -- diff --------------------------------------------------------------------------------


def test_diff_lists_changed_leaves_by_json_pointer(log: MemoryLedger) -> None:
    log.record(b.halt(effective_at="2025-08-22", suppliers=["amkor"]))
    before, after = log.chip("h20", "2025-08-15"), log.chip("h20", "2025-08-23")
    assert diff(before, after) == [
        {"path": "/production/halted_by", "from": [], "to": ["nvidia"]},
        {"path": "/production/since", "from": None, "to": "2025-08-22T00:00:00Z"},
        {"path": "/production/status", "from": "active", "to": "halted"},
        {"path": "/production/suppliers", "from": [], "to": ["amkor"]},
    ]


def test_diff_skips_the_coordinates(log: MemoryLedger) -> None:
    assert diff(log.chip("h20", "2025-01-01"), log.chip("h20", "2025-02-01")) == []


def test_diff_names_an_added_key_and_escapes_pointer_characters() -> None:
    assert diff({"export": {}}, {"export": {"a/b~c": {"status": "banned"}}}) == [
        {"path": "/export/a~1b~0c", "from": None, "to": {"status": "banned"}}
    ]


def test_diff_compares_lists_as_wholes() -> None:
    assert diff({"measures": ["a", "b"]}, {"measures": ["a", "c"]}) == [
        {"path": "/measures", "from": ["a", "b"], "to": ["a", "c"]}
    ]
