"""Catalog v2's kinds of `upcoming` (docs/state.md, "Upcoming"), and a suspension folded
after its measure was lifted (docs/state.md, "Suspensions"): one behaviour each, on the
memory ledger."""

from __future__ import annotations

from typing import Any

from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import MemoryLedger


def kinds(state: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(u["effective_at"][:10], u["kind"], u["id"]) for u in state["upcoming"]]


# -- compliance dates ------------------------------------------------------------------------


def test_a_compliance_date_is_upcoming_while_the_measure_is_lifted_only_after_it(
    log: MemoryLedger,
) -> None:
    log.record(b.measure(compliance_at="2025-05-15"), b.lift(effective_at="2025-06-01"))
    assert kinds(log.chip("h20", "2025-05-01")) == [
        ("2025-05-15", "ComplianceRequired", "bis-2025-04-h20"),
        ("2025-06-01", "ExportBanLifted", "bis-2025-04-h20"),
    ]


def test_a_measure_lifted_before_its_compliance_date_lists_no_compliance(
    log: MemoryLedger,
) -> None:
    log.record(b.measure(compliance_at="2025-05-15"), b.lift(effective_at="2025-05-10"))
    assert kinds(log.chip("h20", "2025-05-01")) == [
        ("2025-05-10", "ExportBanLifted", "bis-2025-04-h20")
    ]


def test_a_measure_lifted_at_its_compliance_date_lists_no_compliance(log: MemoryLedger) -> None:
    """It never restricts anything: lifted at the very instant it would have."""
    log.record(b.measure(compliance_at="2025-05-15"), b.lift(effective_at="2025-05-15"))
    assert kinds(log.chip("h20", "2025-05-01")) == [
        ("2025-05-15", "ExportBanLifted", "bis-2025-04-h20")
    ]
    assert log.chip("h20", "2025-05-15")["export"] == {}


# -- suspensions -----------------------------------------------------------------------------


def test_a_known_later_suspension_is_upcoming(log: MemoryLedger) -> None:
    log.record(b.measure(), v2.suspension(effective_at="2025-11-10"))
    assert kinds(log.chip("h20", "2025-10-01")) == [
        ("2025-11-10", "ExportBanSuspended", "bis-2025-04-h20")
    ]


def test_a_suspension_folded_after_its_measure_was_lifted_is_an_after_terminal_anomaly(
    log: MemoryLedger,
) -> None:
    _, lifted, suspended = log.record(
        b.measure(),
        b.lift(effective_at="2025-12-01"),
        v2.suspension(effective_at="2025-11-10", until="2026-11-10T00:00:00Z"),
    )
    log.record(b.correction(lifted.event_id, effective_at="2025-10-01"))
    state = log.chip("h20", "2025-11-20")
    assert [(a["event_id"], a["reason"]) for a in state["anomalies"]] == [
        (suspended.event_id, "after_terminal")
    ]
    assert state["suspended_measures"] == [] and state["export"] == {}


# -- tariffs ---------------------------------------------------------------------------------


def test_a_tariffs_amendment_and_lift_are_upcoming(log: MemoryLedger) -> None:
    log.record(
        v2.tariff(effective_at="2026-01-15"),
        v2.tariff_amended(effective_at="2026-02-01"),
        v2.tariff_lifted(effective_at="2026-06-01"),
    )
    assert kinds(log.chip("h20", "2026-01-20")) == [
        ("2026-02-01", "TariffAmended", v2.TARIFF),
        ("2026-06-01", "TariffLifted", v2.TARIFF),
    ]


def test_a_tariff_that_will_cover_the_chip_only_after_its_amendment_lists_it(
    log: MemoryLedger,
) -> None:
    """Covering "at T or at the change's own time" (docs/state.md, "Upcoming")."""
    log.record(
        b.chip("h200"),
        v2.tariff(chips=["h200"], effective_at="2026-01-15"),
        v2.tariff_amended(chips=["h200", "h20"], effective_at="2026-02-01"),
    )
    assert kinds(log.chip("h20", "2026-01-20")) == [("2026-02-01", "TariffAmended", v2.TARIFF)]


# -- groups ----------------------------------------------------------------------------------


def test_an_amendment_of_a_group_a_covering_measure_excepts_is_upcoming(
    log: MemoryLedger,
) -> None:
    log.record(
        v2.group("ear-d5", ["CN", "MO"], "2025-01-01"),
        v2.group("macau", ["MO"], "2025-01-01", name="Macau"),
        b.measure(destinations=["group:ear-d5"], except_destinations=["group:macau"]),
        v2.group_amended("macau", "2025-08-01", add=["HK"]),
    )
    state = log.chip("h20", "2025-05-01")
    assert sorted(state["export"]) == ["CN"]
    assert kinds(state) == [("2025-08-01", "DestinationGroupAmended", "macau")]
