"""A chip's `export` and `end_user_restrictions` (docs/state.md, "Export status"): measures in
force that cover the chip, grouped by destination and jurisdiction; a jurisdiction's active
licence makes it `licensed`, else a ban `banned`, else `license_required`; the destination
takes the most restrictive jurisdiction.
"""

from __future__ import annotations

from tests.support import builders as b
from tests.unit.memory_ledger import MemoryLedger

AFTER = "2025-09-01"  # a T after every event of these tests


def eu_measure(measure_id: str = "eu-2025-h20", control: str = "ban") -> dict[str, object]:
    return b.measure(measure_id, authority="Commission", jurisdiction="EU", control=control)


def test_a_measure_covering_the_chip_makes_an_entry_for_each_destination(log: MemoryLedger) -> None:
    log.record(b.measure(destinations=["CN", "RU"]))
    assert log.chip("h20", AFTER)["export"] == {
        destination: {
            "status": "license_required",
            "by_jurisdiction": {"US": "license_required"},
            "measures": ["bis-2025-04-h20"],
            "licenses": [],
            "matched_by": {"bis-2025-04-h20": {"by": "named"}},
            "review_policy": None,
            "exceptions": [],
            "via": {"bis-2025-04-h20": destination},
            "pending_applications": [],
        }
        for destination in ("CN", "RU")
    }


def test_a_destination_without_a_measure_is_unrestricted(log: MemoryLedger) -> None:
    log.record(b.measure(destinations=["CN"]))
    assert list(log.chip("h20", AFTER)["export"]) == ["CN"]


def test_a_ban_makes_its_jurisdiction_banned(log: MemoryLedger) -> None:
    log.record(b.measure(control="license_required"), b.measure("bis-ban", control="ban"))
    entry = log.chip("h20", AFTER)["export"]["CN"]
    assert (entry["status"], entry["measures"]) == ("banned", ["bis-2025-04-h20", "bis-ban"])


def test_an_active_licence_of_the_jurisdiction_makes_it_licensed(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted())
    entry = log.chip("h20", AFTER)["export"]["CN"]
    assert (entry["status"], entry["licenses"]) == ("licensed", ["nvidia-h20-cn-2025"])


def test_a_licence_outweighs_a_ban_of_its_own_jurisdiction(log: MemoryLedger) -> None:
    log.record(b.measure(control="ban"), b.license_granted())
    assert log.chip("h20", AFTER)["export"]["CN"]["by_jurisdiction"] == {"US": "licensed"}


def test_a_licence_held_by_any_company_counts(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(licensee="amkor"))
    assert log.chip("h20", AFTER)["export"]["CN"]["status"] == "licensed"


def test_a_licence_for_another_destination_does_not_count(log: MemoryLedger) -> None:
    log.record(b.measure(destinations=["CN", "RU"]), b.license_granted(destinations=["RU"]))
    export = log.chip("h20", AFTER)["export"]
    assert (export["CN"]["status"], export["RU"]["status"]) == ("license_required", "licensed")


def test_a_licence_of_another_jurisdiction_does_not_count(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(jurisdiction="EU", authority="Commission"))
    entry = log.chip("h20", AFTER)["export"]["CN"]
    assert (entry["status"], entry["licenses"]) == ("license_required", [])


def test_a_licence_for_another_chip_does_not_count(log: MemoryLedger) -> None:
    log.record(b.chip("b30a"), b.measure(chips=["h20", "b30a"]), b.license_granted(chips=["b30a"]))
    assert log.chip("h20", AFTER)["export"]["CN"]["status"] == "license_required"


def test_an_expired_licence_does_not_count(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(expires_at="2025-08-31"))
    assert log.chip("h20", "2025-08-31")["export"]["CN"]["status"] == "licensed"
    assert log.chip("h20", AFTER)["export"]["CN"]["status"] == "license_required"


def test_the_destination_takes_the_most_restrictive_jurisdiction(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(), eu_measure(control="license_required"))
    entry = log.chip("h20", AFTER)["export"]["CN"]
    assert entry["by_jurisdiction"] == {"US": "licensed", "EU": "license_required"}
    assert entry["status"] == "license_required"


def test_a_ban_anywhere_makes_the_destination_banned(log: MemoryLedger) -> None:
    log.record(b.measure(), eu_measure(control="ban"))
    entry = log.chip("h20", AFTER)["export"]["CN"]
    assert (entry["status"], entry["by_jurisdiction"]) == (
        "banned",
        {"US": "license_required", "EU": "banned"},
    )


def test_every_jurisdiction_licensed_makes_the_destination_licensed(log: MemoryLedger) -> None:
    log.record(
        b.measure(),
        eu_measure(),
        b.license_granted(),
        b.license_granted("eu-lic", jurisdiction="EU", authority="Commission"),
    )
    entry = log.chip("h20", AFTER)["export"]["CN"]
    assert (entry["status"], entry["licenses"]) == ("licensed", ["eu-lic", "nvidia-h20-cn-2025"])


def test_matched_by_says_how_each_measure_covers_the_chip(log: MemoryLedger) -> None:
    log.record(
        b.chip("b30a", specs={"tpp": "2000", "performance_density": "6"}),
        b.measure(chips=["b30a"]),
        b.measure(
            "bis-2023-10",
            chips=[],
            criteria=[{"tpp_min": 4800}, {"tpp_min": 1600, "performance_density_min": "5.92"}],
        ),
    )
    assert log.chip("b30a", AFTER)["export"]["CN"]["matched_by"] == {
        "bis-2025-04-h20": {"by": "named"},
        "bis-2023-10": {"by": "criteria", "index": 1},
    }


def test_a_chip_without_the_figure_a_clause_needs_is_not_covered(log: MemoryLedger) -> None:
    log.record(b.measure(chips=[], criteria=[{"hbm_gb_min": 80}]))
    assert log.chip("h20", AFTER)["export"] == {}


# -- end users ---------------------------------------------------------------------------


def test_a_measure_naming_end_users_changes_no_status_and_is_listed(log: MemoryLedger) -> None:
    log.record(b.measure(companies=["amkor"], destinations=["RU", "CN"], control="ban"))
    state = log.chip("h20", AFTER)
    assert state["export"] == {}
    assert state["end_user_restrictions"] == [
        {
            "measure_id": "bis-2025-04-h20",
            "companies": ["amkor"],
            "destinations": ["CN", "RU"],
            "control": "ban",
        }
    ]


def test_a_measure_naming_only_companies_covers_no_chip(log: MemoryLedger) -> None:
    log.record(b.measure(chips=[], companies=["amkor"]))
    state = log.chip("h20", AFTER)
    assert (state["export"], state["end_user_restrictions"]) == ({}, [])


def test_end_user_restrictions_are_sorted_by_measure_id(log: MemoryLedger) -> None:
    log.record(b.measure("m-b", companies=["amkor"]), b.measure("m-a", companies=["nvidia"]))
    assert [r["measure_id"] for r in log.chip("h20", AFTER)["end_user_restrictions"]] == [
        "m-a",
        "m-b",
    ]
