"""What starts each history span, and the from/to window of spans and timelines
(docs/state.md, "Timelines, history and diffs"), over an in-memory log: `domain.history`."""

from __future__ import annotations

from typing import Any

from domain.clocks import DateRole, parse_instant
from domain.history import Window, history, timeline
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import MemoryLedger


def spans(log: MemoryLedger, chip: str = "h20", window: Window | None = None) -> list[Any]:
    found = history("chip", chip, log.beliefs(), window or Window())
    assert found is not None
    return found


def started(log: MemoryLedger, chip: str = "h20") -> list[tuple[str | None, list[str]]]:
    return [(s["from"], s["events"]) for s in spans(log, chip)]


def day(text: str) -> str:
    return f"{text}T00:00:00Z"


def test_the_first_span_has_no_events_and_a_later_one_those_taking_effect_then(
    log: MemoryLedger,
) -> None:
    imposed, granted = log.record(b.measure(), b.license_granted(effective_at="2025-08-11"))
    assert started(log) == [
        (None, []),
        (day("2025-04-09"), [imposed.event_id]),
        (day("2025-08-11"), [granted.event_id]),
    ]


def test_events_taking_effect_together_are_in_fold_order(log: MemoryLedger) -> None:
    halted, imposed = log.record(b.halt(effective_at="2025-04-09"), b.measure())
    assert started(log)[1] == (day("2025-04-09"), [halted.event_id, imposed.event_id])


def test_another_chips_event_at_the_same_instant_is_not_named(log: MemoryLedger) -> None:
    log.record(b.chip("b30a"))
    _, imposed = log.record(b.measure("other", chips=["b30a"]), b.measure())
    assert started(log)[1] == (day("2025-04-09"), [imposed.event_id])


def test_a_licence_expiry_is_named_by_the_grant(log: MemoryLedger) -> None:
    imposed, granted = log.record(
        b.measure(), b.license_granted(effective_at="2025-05-01", expires_at="2025-06-30")
    )
    assert started(log) == [
        (None, []),
        (day("2025-04-09"), [imposed.event_id]),
        (day("2025-05-01"), [granted.event_id]),
        (day("2025-07-01"), [granted.event_id]),  # licensed through 06-30: required again
    ]


def test_a_suspensions_end_is_named_by_the_suspension(log: MemoryLedger) -> None:
    imposed, suspended = log.record(
        b.measure(), v2.suspension(effective_at="2025-06-01", until="2025-06-30")
    )
    found = spans(log)
    statuses = [(s["from"], s["state"]["export"].get("CN", {}).get("status")) for s in found]
    assert statuses == [
        (None, None),
        (day("2025-04-09"), "license_required"),
        (day("2025-06-01"), None),
        (day("2025-07-01"), "license_required"),
    ]
    assert [s["events"] for s in found][2:] == [[suspended.event_id], [suspended.event_id]]


def test_a_compliance_date_is_named_by_what_set_it_last(log: MemoryLedger) -> None:
    imposed, moved = log.record(
        b.measure(compliance_at="2025-05-01"),
        b.amendment(effective_at="2025-04-20", compliance_at="2025-06-01"),
    )
    # awaiting compliance changes no export status: the requirement starts on 06-01
    assert started(log) == [(None, []), (day("2025-06-01"), [moved.event_id])]
    assert imposed.event_id not in str(spans(log))


def test_the_imposition_names_its_own_compliance_date(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure(compliance_at="2025-05-01"))
    assert started(log) == [(None, []), (day("2025-05-01"), [imposed.event_id])]


def test_a_licence_revoked_before_its_expiry_is_not_named_then(log: MemoryLedger) -> None:
    _, granted, revoked, lifted = log.record(
        b.measure(),
        b.license_granted(effective_at="2025-05-01", expires_at="2025-06-30"),
        b.license_revoked(effective_at="2025-06-01"),
        b.lift(effective_at="2025-07-01"),  # the instant the licence would have expired
    )
    assert started(log)[2:] == [
        (day("2025-05-01"), [granted.event_id]),
        (day("2025-06-01"), [revoked.event_id]),
        (day("2025-07-01"), [lifted.event_id]),
    ]


def test_merged_spans_keep_the_events_of_their_start(log: MemoryLedger) -> None:
    imposed, same = log.record(
        b.measure(), b.amendment(effective_at="2025-05-15", control="license_required")
    )
    assert started(log) == [(None, []), (day("2025-04-09"), [imposed.event_id])]
    assert same.event_id not in str(spans(log))


# -- the window ------------------------------------------------------------------------------


def window(start: str | None, end: str | None) -> Window:
    return Window(
        None if start is None else parse_instant(start, DateRole.START),
        None if end is None else parse_instant(end, DateRole.END),
    )


def bounds(log: MemoryLedger, start: str | None, end: str | None) -> list[tuple[Any, Any]]:
    return [(s["from"], s["to"]) for s in spans(log, window=window(start, end))]


def test_a_window_keeps_the_spans_it_meets_with_their_own_bounds(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(effective_at="2025-08-11"), b.lift())
    everything = bounds(log, None, None)
    assert len(everything) == 4
    assert bounds(log, "2025-05-01", "2025-09-01") == everything[1:3]
    assert bounds(log, None, "2025-04-08") == everything[:1]
    assert bounds(log, "2025-12-02", None) == everything[3:]


def test_a_span_ending_at_from_is_dropped_and_one_starting_at_to_is_kept(
    log: MemoryLedger,
) -> None:
    log.record(b.measure(), b.license_granted(effective_at="2025-08-11"))
    assert bounds(log, "2025-04-09", "2025-08-11T00:00:00Z") == [
        (day("2025-04-09"), day("2025-08-11")),
        (day("2025-08-11"), None),
    ]


def test_a_timeline_window_holds_events_by_their_place_in_it(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(effective_at="2025-08-11"), b.lift())
    placed = [
        item["effective_at"] or item["reported_at"]
        for item in timeline("chip", "h20", log.beliefs(), window("2025-04-09", "2025-08-11"))
    ]
    assert placed == [day("2025-04-09"), day("2025-08-11")]
    # registry events are placed at their reported_at (2026-01-15, when recorded)
    assert [
        i["data"].get("chip")
        for i in timeline("chip", "h20", log.beliefs(), window("2026-01-01", None))
    ] == ["h20"]


def test_an_amendment_naming_an_owner_makes_the_company_an_affiliate_from_then(
    empty: MemoryLedger,
) -> None:
    """The measure states `affiliates_min_percent` when imposed and its companies change by
    amendment: the owned company's history splits there (docs/state.md, "Ownership and
    affiliates"), though no single version names both."""
    empty.record(*(b.company(c) for c in ("a", "b", "c")))
    empty.record(
        v2.owns("a", "b", "60"),
        b.measure("el", chips=[], companies=["c"], affiliates_min_percent="50"),
        b.amendment("el", effective_at="2025-06-01", companies=["a"]),
    )
    spans = history("company", "b", empty.beliefs())
    assert spans is not None
    reached = [(s["from"], [r["via"] for r in s["state"]["export_restrictions"]]) for s in spans]
    assert reached[-1] == ("2025-06-01T00:00:00Z", [{"owners": ["a"], "percent": "60"}])
    assert [r for _, r in reached[:-1]] == [[] for _ in reached[:-1]]
