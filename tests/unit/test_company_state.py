"""A company's state (docs/state.md, "Company state"): the lists of what it holds, is party
to, is named in or was told to do at T, each sorted by its id.
"""

from __future__ import annotations

from tests.support import builders as b
from tests.unit.memory_ledger import MemoryLedger, at

AFTER = "2025-09-01"  # a T after every event of these tests


def test_the_registration_fields_are_listed(log: MemoryLedger) -> None:
    state = log.company("nvidia", AFTER)
    assert (state["company"], state["name"], state["country"]) == ("nvidia", "Nvidia", "US")


def test_a_correction_of_the_registration_counts_from_its_report(log: MemoryLedger) -> None:
    nvidia = log.events[0]
    log.record(
        {
            **b.correction(nvidia.event_id, data={**nvidia.data, "name": "NVIDIA"}),
            "reported_at": "2025-06-01",
        }
    )
    assert log.company("nvidia", AFTER, known_at=at("2025-05-31"))["name"] == "Nvidia"
    assert log.company("nvidia", AFTER, known_at=at("2025-06-01"))["name"] == "NVIDIA"


def test_active_licences_it_holds_are_listed(log: MemoryLedger) -> None:
    log.record(
        b.license_granted(expires_at="2025-12-31", destinations=["RU", "CN"]),
        b.license_granted("amkor-lic", licensee="amkor"),
    )
    assert log.company("nvidia", AFTER)["licenses"] == [
        {
            "license_id": "nvidia-h20-cn-2025",
            "authority": "BIS",
            "jurisdiction": "US",
            "chips": ["h20"],
            "destinations": ["CN", "RU"],
            "expires_at": "2026-01-01T00:00:00Z",
        }
    ]


def test_an_expired_or_revoked_licence_is_not_listed(log: MemoryLedger) -> None:
    log.record(
        b.license_granted("expired", expires_at="2025-08-31"),
        b.license_granted("revoked"),
        b.license_revoked("revoked", effective_at="2025-08-20"),
    )
    assert log.company("nvidia", AFTER)["licenses"] == []


def test_agreements_it_is_party_to_are_listed(log: MemoryLedger) -> None:
    log.record(b.revenue_share(), b.revenue_share("amkor-deal", company="amkor"))
    assert log.company("nvidia", AFTER)["revenue_share"] == [
        {
            "agreement_id": "nvidia-us-15pct",
            "chips": ["h20"],
            "destinations": ["CN"],
            "beneficiary": "US",
            "percent": "15",
        }
    ]


def test_advisories_naming_it_are_listed(log: MemoryLedger) -> None:
    log.record(
        b.advisory("about-nvidia", chips=[], companies=["nvidia"], guidance="caution"),
        b.advisory("about-h20"),
    )
    assert log.company("nvidia", AFTER)["advisories"] == [
        {
            "advisory_id": "about-nvidia",
            "authority": "CAC",
            "jurisdiction": "CN",
            "guidance": "caution",
            "chips": [],
        }
    ]


def test_measures_naming_it_as_an_end_user_are_export_restrictions(log: MemoryLedger) -> None:
    log.record(
        b.measure("m-b", companies=["nvidia"], chips=[], destinations=["RU", "CN"]),
        b.measure("m-a", companies=["nvidia", "amkor"], control="ban"),
        b.measure("m-other"),
    )
    assert log.company("nvidia", AFTER)["export_restrictions"] == [
        {
            "measure_id": "m-a",
            "authority": "BIS",
            "jurisdiction": "US",
            "destinations": ["CN"],
            "control": "ban",
            "chips": ["h20"],
            "via": None,  # named, not reached through its owners
        },
        {
            "measure_id": "m-b",
            "authority": "BIS",
            "jurisdiction": "US",
            "destinations": ["CN", "RU"],
            "control": "license_required",
            "chips": [],
            "via": None,
        },
    ]


def test_a_lifted_measure_is_no_export_restriction(log: MemoryLedger) -> None:
    log.record(b.measure(companies=["nvidia"]), b.lift(effective_at="2025-08-01"))
    assert log.company("nvidia", AFTER)["export_restrictions"] == []


def test_cases_naming_it_are_listed_open_or_concluded(log: MemoryLedger) -> None:
    log.record(
        b.investigation("case-b"),
        b.investigation("case-a"),
        b.investigation_concluded("case-a", effective_at="2025-08-01"),
        b.investigation("amkor-case", companies=["amkor"], chips=[]),
    )
    assert [
        (c["case_id"], c["status"], c["finding"])
        for c in log.company("nvidia", AFTER)["investigations"]
    ] == [("case-a", "concluded", "cleared"), ("case-b", "open", None)]


def test_its_open_halts_are_listed_by_chip(log: MemoryLedger) -> None:
    log.record(
        b.chip("b30a"),
        b.halt(chips=["h20", "b30a"], suppliers=["amkor"]),
        b.resume(chips=["h20"], effective_at="2025-08-30"),
    )
    assert log.company("nvidia", AFTER)["production_halts"] == [
        {"chip": "b30a", "since": "2025-08-22T00:00:00Z", "suppliers": ["amkor"]}
    ]


def test_halts_naming_it_as_a_supplier_are_orders_received(log: MemoryLedger) -> None:
    log.record(
        b.company("foxconn"),
        b.chip("b30a"),
        b.halt("nvidia", chips=["h20", "b30a"], suppliers=["amkor"]),
        b.halt("foxconn", chips=["h20"], suppliers=["amkor"], effective_at="2025-08-01"),
    )
    assert log.company("amkor", AFTER)["production_orders_received"] == [
        {"company": "foxconn", "chip": "h20", "since": "2025-08-01T00:00:00Z"},
        {"company": "nvidia", "chip": "b30a", "since": "2025-08-22T00:00:00Z"},
        {"company": "nvidia", "chip": "h20", "since": "2025-08-22T00:00:00Z"},
    ]


def test_the_chips_it_manufactures_are_listed(log: MemoryLedger) -> None:
    log.record(b.chip("l20"), b.chip("b30a"), b.chip("amk-1", manufacturer="amkor"))
    assert log.company("nvidia", AFTER)["chips"] == ["b30a", "h20", "l20"]
