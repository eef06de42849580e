"""A chip's state besides its export status (docs/state.md, "Chip state"): what is known to
change after T (`upcoming`), production halts and resumes, agreements, advisories and cases.
"""

from __future__ import annotations

from typing import Any

from tests.support import builders as b
from tests.unit.memory_ledger import MemoryLedger


def upcoming(log: MemoryLedger, as_of: str, chip: str = "h20") -> list[tuple[str, str, str]]:
    return [(u["effective_at"][:10], u["kind"], u["id"]) for u in log.chip(chip, as_of)["upcoming"]]


# -- upcoming ----------------------------------------------------------------------------


def test_upcoming_lists_a_measures_changes_after_t(log: MemoryLedger) -> None:
    log.record(
        b.measure(effective_at="2025-04-09"),
        b.amendment(effective_at="2025-05-01"),
        b.lift(effective_at="2025-12-01"),
    )
    assert upcoming(log, "2025-04-01") == [
        ("2025-04-09", "ExportBanImposed", "bis-2025-04-h20"),
        ("2025-05-01", "ExportBanAmended", "bis-2025-04-h20"),
        ("2025-12-01", "ExportBanLifted", "bis-2025-04-h20"),
    ]


def test_upcoming_leaves_out_what_already_took_effect(log: MemoryLedger) -> None:
    log.record(b.measure(effective_at="2025-04-09"), b.lift(effective_at="2025-12-01"))
    assert upcoming(log, "2025-04-09") == [("2025-12-01", "ExportBanLifted", "bis-2025-04-h20")]


def test_upcoming_lists_an_amendment_that_removes_the_chip(log: MemoryLedger) -> None:
    log.record(
        b.chip("b30a"),
        b.measure(chips=["h20"]),
        b.amendment(effective_at="2025-06-01", chips=["b30a"]),
    )
    assert upcoming(log, "2025-05-01") == [("2025-06-01", "ExportBanAmended", "bis-2025-04-h20")]


def test_upcoming_lists_an_amendment_that_adds_the_chip(log: MemoryLedger) -> None:
    log.record(
        b.chip("b30a"),
        b.measure(chips=["h20"]),
        b.amendment(effective_at="2025-06-01", chips=["h20", "b30a"]),
    )
    assert upcoming(log, "2025-05-01", "b30a") == [
        ("2025-06-01", "ExportBanAmended", "bis-2025-04-h20")
    ]


def test_upcoming_leaves_out_a_measure_that_never_covers_the_chip(log: MemoryLedger) -> None:
    log.record(b.chip("b30a"), b.measure(chips=["b30a"], effective_at="2025-06-01"))
    assert upcoming(log, "2025-05-01") == []


def test_upcoming_lists_licence_grants_revocations_and_expiries(log: MemoryLedger) -> None:
    log.record(
        b.license_granted(effective_at="2025-08-11", expires_at="2025-12-31"),
        b.license_granted("second", effective_at="2025-09-01"),
        b.license_revoked("second", effective_at="2025-10-01"),
    )
    assert upcoming(log, "2025-08-01") == [
        ("2025-08-11", "LicenseGranted", "nvidia-h20-cn-2025"),
        ("2025-09-01", "LicenseGranted", "second"),
        ("2025-10-01", "LicenseRevoked", "second"),
        ("2026-01-01", "LicenseExpired", "nvidia-h20-cn-2025"),
    ]


def test_upcoming_leaves_out_the_expiry_of_a_licence_revoked_before_it(log: MemoryLedger) -> None:
    log.record(
        b.license_granted(expires_at="2025-12-31"), b.license_revoked(effective_at="2025-10-01")
    )
    assert upcoming(log, "2025-09-01") == [("2025-10-01", "LicenseRevoked", "nvidia-h20-cn-2025")]


def test_upcoming_leaves_out_the_expiry_of_an_already_revoked_licence(log: MemoryLedger) -> None:
    log.record(
        b.license_granted(expires_at="2025-12-31"), b.license_revoked(effective_at="2025-10-01")
    )
    assert upcoming(log, "2025-11-01") == []


def test_upcoming_lists_the_expiry_of_a_licence_revoked_after_it(log: MemoryLedger) -> None:
    log.record(
        b.license_granted(expires_at="2025-12-31"), b.license_revoked(effective_at="2026-02-01")
    )
    assert upcoming(log, "2025-11-01") == [
        ("2026-01-01", "LicenseExpired", "nvidia-h20-cn-2025"),
        ("2026-02-01", "LicenseRevoked", "nvidia-h20-cn-2025"),
    ]


def test_upcoming_leaves_out_a_change_that_would_be_an_anomaly(log: MemoryLedger) -> None:
    _, _, lifted = log.record(
        b.measure(), b.amendment(effective_at="2025-11-01"), b.lift(effective_at="2025-12-01")
    )
    log.record(b.correction(lifted.event_id, effective_at="2025-10-01"))
    assert upcoming(log, "2025-09-01") == [("2025-10-01", "ExportBanLifted", "bis-2025-04-h20")]


def test_upcoming_is_sorted_by_time_then_id_then_kind(log: MemoryLedger) -> None:
    log.record(
        b.measure("m-b", effective_at="2025-06-01"),
        b.measure("m-a", effective_at="2025-06-01"),
        b.license_granted("l-a", effective_at="2025-05-01", expires_at="2025-05-31"),
        b.license_revoked("l-a", effective_at="2025-05-20"),
    )
    assert upcoming(log, "2025-04-01") == [
        ("2025-05-01", "LicenseGranted", "l-a"),
        ("2025-05-20", "LicenseRevoked", "l-a"),
        ("2025-06-01", "ExportBanImposed", "m-a"),
        ("2025-06-01", "ExportBanImposed", "m-b"),
    ]


def test_upcoming_holds_at_most_fifty_entries_the_earliest(log: MemoryLedger) -> None:
    log.record(
        *[
            b.measure(f"m-{i:02}", effective_at=f"2025-{1 + i // 28:02}-{1 + i % 28:02}")
            for i in range(60)
        ]
    )
    listed = upcoming(log, "2024-12-31")
    assert len(listed) == 50
    assert (listed[0][2], listed[-1][2]) == ("m-00", "m-49")


def test_upcoming_leaves_out_agreements_advisories_cases_and_production(log: MemoryLedger) -> None:
    log.record(b.revenue_share(), b.advisory(), b.investigation(), b.halt())
    assert upcoming(log, "2025-01-01") == []


# -- production --------------------------------------------------------------------------


def production(log: MemoryLedger, as_of: str, chip: str = "h20") -> dict[str, Any]:
    found: dict[str, Any] = log.chip(chip, as_of)["production"]
    return found


def test_a_chip_without_an_open_halt_is_active(log: MemoryLedger) -> None:
    assert production(log, "2025-09-01") == {
        "status": "active",
        "since": None,
        "halted_by": [],
        "suppliers": [],
    }


def test_a_halt_halts_the_chip_from_its_effective_at(log: MemoryLedger) -> None:
    log.record(b.halt(effective_at="2025-08-22", suppliers=["amkor"]))
    assert production(log, "2025-08-21")["status"] == "active"
    assert production(log, "2025-08-22") == {
        "status": "halted",
        "since": "2025-08-22T00:00:00Z",
        "halted_by": ["nvidia"],
        "suppliers": ["amkor"],
    }


def test_a_second_halt_keeps_the_first_date_and_adds_its_suppliers(log: MemoryLedger) -> None:
    log.record(
        b.company("foxconn"),
        b.halt(effective_at="2025-08-22", suppliers=["amkor"]),
        b.halt(effective_at="2025-08-25", suppliers=["foxconn"]),
    )
    assert production(log, "2025-09-01") == {
        "status": "halted",
        "since": "2025-08-22T00:00:00Z",
        "halted_by": ["nvidia"],
        "suppliers": ["amkor", "foxconn"],
    }


def test_halts_by_two_companies_are_joined(log: MemoryLedger) -> None:
    log.record(
        b.halt("amkor", effective_at="2025-08-25"),
        b.halt("nvidia", effective_at="2025-08-22", suppliers=["amkor"]),
    )
    state = production(log, "2025-09-01")
    assert (state["since"], state["halted_by"], state["suppliers"]) == (
        "2025-08-22T00:00:00Z",
        ["amkor", "nvidia"],
        ["amkor"],
    )


def test_a_resume_closes_the_companys_halt(log: MemoryLedger) -> None:
    log.record(b.halt(effective_at="2025-08-22"), b.resume(effective_at="2025-10-01"))
    assert production(log, "2025-09-30")["status"] == "halted"
    assert production(log, "2025-10-01")["status"] == "active"


def test_a_resume_leaves_another_companys_halt_open(log: MemoryLedger) -> None:
    log.record(b.halt("amkor"), b.halt("nvidia"), b.resume("nvidia"))
    assert production(log, "2025-11-01")["halted_by"] == ["amkor"]


def test_a_resume_left_without_a_halt_by_revisions_does_nothing(log: MemoryLedger) -> None:
    halted, _ = log.record(b.halt(effective_at="2025-08-22"), b.resume(effective_at="2025-10-01"))
    log.record(b.correction(halted.event_id, effective_at="2025-11-01"))
    state = log.chip("h20", "2025-12-01")
    assert (state["production"]["since"], state["anomalies"]) == ("2025-11-01T00:00:00Z", [])


# -- agreements, advisories, cases -------------------------------------------------------


def test_an_active_agreement_naming_the_chip_is_listed(log: MemoryLedger) -> None:
    log.record(
        b.revenue_share(destinations=["RU", "CN"], percent="15.0"),
        b.revenue_share_ended(effective_at="2025-12-01"),
    )
    assert log.chip("h20", "2025-09-01")["revenue_share"] == [
        {
            "agreement_id": "nvidia-us-15pct",
            "company": "nvidia",
            "beneficiary": "US",
            "percent": "15",
            "destinations": ["CN", "RU"],
        }
    ]
    assert log.chip("h20", "2025-12-01")["revenue_share"] == []


def test_an_active_advisory_naming_the_chip_is_listed(log: MemoryLedger) -> None:
    log.record(b.advisory(), b.advisory_withdrawn(effective_at="2025-12-01"))
    assert log.chip("h20", "2025-09-01")["advisories"] == [
        {
            "advisory_id": "cn-avoid-h20",
            "authority": "CAC",
            "jurisdiction": "CN",
            "guidance": "avoid_purchase",
        }
    ]
    assert log.chip("h20", "2025-12-01")["advisories"] == []


def test_a_case_is_listed_open_then_concluded_with_its_finding(log: MemoryLedger) -> None:
    log.record(b.investigation(), b.investigation_concluded(finding="violation"))
    case = {"case_id": "cac-summons", "authority": "CAC", "jurisdiction": "CN", "kind": "summons"}
    assert log.chip("h20", "2025-09-01")["investigations"] == [
        {**case, "status": "open", "finding": None}
    ]
    assert log.chip("h20", "2025-12-01")["investigations"] == [
        {**case, "status": "concluded", "finding": "violation"}
    ]


def test_the_registration_fields_are_listed_with_normalised_specs(log: MemoryLedger) -> None:
    log.record(b.chip("b30a", successor_of="h20", specs={"tpp": "7000.0"}))
    state = log.chip("b30a", "2025-09-01")
    assert {k: state[k] for k in ("chip", "name", "manufacturer", "successor_of", "specs")} == {
        "chip": "b30a",
        "name": "B30A",
        "manufacturer": "nvidia",
        "successor_of": "h20",
        "specs": {"tpp": "7000"},
    }
