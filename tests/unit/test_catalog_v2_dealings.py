"""Catalog v2 part 2 in state (docs/state.md, "Licence applications", "Ownership and
affiliates", "Duties", "Announcements"): pending applications and how they end, the
affiliates fixed point (holdings add up), tariffs on a chip, announcements until implemented."""

from __future__ import annotations

from typing import Any

from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import MemoryLedger


def applied(application_id: str = "app-1", effective_at: str = "2025-07-14") -> dict[str, Any]:
    return v2.applied(application_id, effective_at)


def owns(owner: str, owned: str, percent: str, effective_at: str = "2025-01-01") -> dict[str, Any]:
    return v2.owns(owner, owned, percent, effective_at)


def tariff(**data: Any) -> dict[str, Any]:
    return v2.tariff(**{"authority": "White House", **data})


def announced(**data: Any) -> dict[str, Any]:
    return v2.announced(
        **{"announcement_id": "us-2025-12-08", "authority": "White House", "companies": [], **data}
    )


def test_an_application_is_pending_until_a_licence_grants_it(log: MemoryLedger) -> None:
    log.record(b.measure(), applied())
    entry = log.chip("h20", "2025-07-20")["export"]["CN"]
    assert entry["pending_applications"] == ["app-1"]
    assert log.company("nvidia", "2025-07-20")["applications"][0]["status"] == "pending"
    log.record(b.license_granted(effective_at="2025-08-01", application_id="app-1"))
    assert log.chip("h20", "2025-08-01")["export"]["CN"]["pending_applications"] == []
    assert log.company("nvidia", "2025-08-01")["applications"] == []


def test_a_denial_of_a_pending_application_ends_it(log: MemoryLedger) -> None:
    log.record(b.measure(), applied(), b.license_denied("app-1", effective_at="2025-08-01"))
    assert log.chip("h20", "2025-07-20")["export"]["CN"]["pending_applications"] == ["app-1"]
    assert log.chip("h20", "2025-08-01")["export"]["CN"]["pending_applications"] == []


def test_affiliates_add_up_holdings_and_do_not_multiply_them(empty: MemoryLedger) -> None:
    """A listed; A owns 60 % of B; B 30 % and A 25 % of C: at 50 % both B and C are
    affiliates, C through 55 %."""
    empty.record(*(b.company(c) for c in ("a", "b", "c", "d")))
    empty.record(
        owns("a", "b", "60"),
        owns("b", "c", "30"),
        owns("a", "c", "25"),
        owns("b", "d", "40"),  # 40 % < 50 %: not reached
        b.measure("el", chips=[], companies=["a"], affiliates_min_percent="50"),
    )

    def via(company: str) -> list[Any]:
        return [r["via"] for r in empty.company(company, "2025-05-01")["export_restrictions"]]

    assert via("a") == [None]
    assert via("b") == [{"owners": ["a"], "percent": "60"}]
    assert via("c") == [{"owners": ["a", "b"], "percent": "55"}]
    assert via("d") == []
    assert empty.company("c", "2025-05-01")["owners"] == [
        {"owner": "a", "percent": "25"},
        {"owner": "b", "percent": "30"},
    ]
    assert empty.company("a", "2025-05-01")["holdings"] == [
        {"owned": "b", "percent": "60"},
        {"owned": "c", "percent": "25"},
    ]


def test_an_ended_ownership_no_longer_reaches(empty: MemoryLedger) -> None:
    empty.record(b.company("a"), b.company("b"))
    empty.record(
        owns("a", "b", "60"),
        b.measure("el", chips=[], companies=["a"], affiliates_min_percent="50"),
        b.envelope("OwnershipEnded", {"owner": "a", "owned": "b"}, "2025-06-01"),
    )
    assert len(empty.company("b", "2025-05-01")["export_restrictions"]) == 1
    assert empty.company("b", "2025-06-01")["export_restrictions"] == []


def test_a_tariff_in_force_is_a_duty_with_its_destinations_resolved(log: MemoryLedger) -> None:
    log.record(tariff(destinations=["CN"], basis="Section 232"))
    assert log.chip("h20", "2026-01-14")["duties"] == []
    assert log.chip("h20", "2026-01-20")["duties"] == [
        {
            "tariff_id": "us-232-2026-chips",
            "authority": "White House",
            "jurisdiction": "US",
            "direction": "import",
            "rate_percent": "25",
            "origins": [],
            "destinations": ["CN"],
            "basis": "Section 232",
            "matched_by": {"by": "named"},
        }
    ]
    assert log.chip("h20", "2026-01-01")["upcoming"] == [
        {"effective_at": "2026-01-15T00:00:00Z", "kind": "TariffImposed", "id": "us-232-2026-chips"}
    ]


def test_an_announcement_is_open_until_something_implementing_it_takes_effect(
    log: MemoryLedger,
) -> None:
    log.record(announced(), b.chip("h200"), tariff(chips=["h200"], implements=["us-2025-12-08"]))
    open_then = log.chip("h20", "2025-12-10")["announcements"]
    assert [a["announcement_id"] for a in open_then] == ["us-2025-12-08"]
    # the tariff names only the H200, yet it implements the announcement about the H20
    assert log.chip("h20", "2026-01-20")["announcements"] == []
