"""The export check's reasons and what it lists beside the decision (docs/checks.md,
"Reasons", "Fields", "Unknowns"): each reason's events and sources as known at K up to T,
suspended measures, pending applications, duties, revenue shares, the destination's
advisories, announcements, upcoming changes and the clauses the chip cannot be checked
against."""

from __future__ import annotations

from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.export_check_support import (
    announced,
    applied,
    check,
    kinds_and_ids,
    reason,
    sourced,
    tariff,
)
from tests.unit.memory_ledger import MemoryLedger, at, event_id


def test_a_measure_reason_in_full(log: MemoryLedger) -> None:
    log.record(
        v2.group("ear-d5", ["CN", "MO"]),  # position 4
        sourced(
            b.measure(destinations=["group:ear-d5"], review_policy="case_by_case"),
            "Federal Register",
        ),
    )
    assert check(log, "2025-05-01")["reasons"] == [
        {
            "kind": "measure",
            "id": "bis-2025-04-h20",
            "jurisdiction": "US",
            "effect": "license_required",
            "matched_by": {"by": "named"},
            "via": "group:ear-d5",
            "review_policy": "case_by_case",
            "events": [event_id(5)],
            "sources": [{"title": "Federal Register"}],
        }
    ]


def test_a_licence_reason_in_full(log: MemoryLedger) -> None:
    log.record(b.measure(), sourced(b.license_granted(), "8-K", "Reuters"))
    assert reason(check(log, "2025-08-15"), "license", "nvidia-h20-cn-2025") == {
        "kind": "license",
        "id": "nvidia-h20-cn-2025",
        "jurisdiction": "US",
        "effect": "licensed",
        "matched_by": {"by": "named"},
        "via": "CN",
        "events": [event_id(5)],
        "sources": [{"title": "8-K"}, {"title": "Reuters"}],
    }


def test_reasons_are_sorted_by_kind_then_id(log: MemoryLedger) -> None:
    log.record(
        b.measure("b-rule"),
        b.measure("a-rule"),
        b.measure("c-rule"),
        v2.suspension("c-rule", "2025-05-01"),
        b.license_granted("z-lic"),
        b.license_granted("a-lic"),
    )
    assert kinds_and_ids(check(log, "2025-08-15")) == [
        ("license", "a-lic"),
        ("license", "z-lic"),
        ("measure", "a-rule"),
        ("measure", "b-rule"),
        ("suspended_measure", "c-rule"),
    ]


def test_events_are_the_objects_own_in_fold_order_up_to_t(log: MemoryLedger) -> None:
    log.record(
        sourced(b.measure(), "imposed"),  # 4
        sourced(b.amendment(effective_at="2025-06-01", destinations=["CN", "RU"]), "june"),  # 5
        sourced(b.amendment(effective_at="2025-05-01", destinations=["CN", "MO"]), "may"),  # 6
        b.measure("other"),  # 7: another object's event is not listed
    )
    found = reason(check(log, "2025-05-15"), "measure", "bis-2025-04-h20")
    assert (found["events"], found["sources"]) == (
        [event_id(4), event_id(6)],
        [{"title": "imposed"}, {"title": "may"}],
    )
    found = reason(check(log, "2025-06-01"), "measure", "bis-2025-04-h20")
    assert found["events"] == [event_id(4), event_id(6), event_id(5)]
    assert [s["title"] for s in found["sources"]] == ["imposed", "may", "june"]


def test_events_are_those_known_at_k_and_not_retracted(log: MemoryLedger) -> None:
    log.record(
        b.measure(),  # 4
        {
            **b.amendment(effective_at="2025-05-01", destinations=["CN", "RU"]),
            "reported_at": "2025-06-01",
        },
        b.amendment(effective_at="2025-05-02", destinations=["CN", "MO"]),  # 6
        b.retraction(event_id(6)),
    )
    early = reason(
        check(log, "2025-07-01", known_at=at("2025-05-31")), "measure", "bis-2025-04-h20"
    )
    later = reason(check(log, "2025-07-01"), "measure", "bis-2025-04-h20")
    # at K the late report is not known yet, nor the retraction (reported today)
    assert early["events"] == [event_id(4), event_id(6)]
    assert later["events"] == [event_id(4), event_id(5)]


def test_corrections_are_applied_not_listed(log: MemoryLedger) -> None:
    log.record(
        sourced(b.measure(), "imposed"),  # 4
        sourced(b.amendment(effective_at="2025-05-01", destinations=["CN", "RU"]), "amended"),
        sourced(b.correction(event_id(5), effective_at="2025-08-01"), "erratum"),
    )
    found = reason(check(log, "2025-07-01"), "measure", "bis-2025-04-h20")
    assert (found["events"], found["sources"]) == ([event_id(4)], [{"title": "imposed"}])
    found = reason(check(log, "2025-08-01"), "measure", "bis-2025-04-h20")
    assert found["events"] == [event_id(4), event_id(5)]
    assert [s["title"] for s in found["sources"]] == ["imposed", "amended"]


def test_a_suspended_measure_is_a_reason_that_restricts_nothing(log: MemoryLedger) -> None:
    log.record(b.measure(), v2.suspension(effective_at="2025-06-01", until="2025-06-30"))
    answer = check(log, "2025-06-10")
    found = reason(answer, "suspended_measure", "bis-2025-04-h20")
    assert (answer["decision"], found["effect"], found["events"]) == (
        "unrestricted",
        "suspended",
        [event_id(4), event_id(5)],
    )
    suspended = [
        {
            "measure_id": "bis-2025-04-h20",
            "since": "2025-06-01T00:00:00Z",
            "until": "2025-07-01T00:00:00Z",
        }
    ]
    assert answer["suspended_measures"] == suspended
    elsewhere = check(log, "2025-06-10", destination="RU")  # listed as in chip state, no reason
    assert (elsewhere["reasons"], elsewhere["suspended_measures"]) == ([], suspended)
    assert check(log, "2025-07-01")["decision"] == "license_required"


def test_pending_applications_are_the_exporters_naming_c_and_d(log: MemoryLedger) -> None:
    log.record(
        b.measure(),
        applied("mine"),
        applied("theirs", licensee="amkor"),
        applied("to-russia", destinations=["RU"]),
        applied("granted"),
        b.license_granted(effective_at="2025-07-20", application_id="granted"),
    )
    assert check(log, "2025-07-21")["pending_applications"] == ["mine"]
    assert check(log, "2025-07-21", exporter="amkor")["pending_applications"] == ["theirs"]


def test_duties_are_the_chips_whose_destinations_are_empty_or_include_d(log: MemoryLedger) -> None:
    log.record(
        tariff("everywhere"),
        tariff("to-cn", destinations=["CN"]),
        tariff("to-ru", destinations=["RU"]),
    )
    assert [d["tariff_id"] for d in check(log, "2025-05-01")["duties"]] == ["everywhere", "to-cn"]
    assert check(log, "2025-05-01")["duties"][1]["destinations"] == ["CN"]


def test_revenue_share_is_the_exporters_naming_c_and_d(log: MemoryLedger) -> None:
    log.record(
        b.revenue_share("mine"),
        b.revenue_share("theirs", company="amkor"),
        b.revenue_share("to-russia", destinations=["RU"]),
        b.revenue_share("ended"),
        b.revenue_share_ended("ended", "2025-08-12"),
    )
    assert check(log, "2025-08-15")["revenue_share"] == [
        {
            "agreement_id": "mine",
            "company": "nvidia",
            "beneficiary": "US",
            "percent": "15",
            "destinations": ["CN"],
        }
    ]


def test_destination_advisories_name_the_chip_or_the_exporter(log: MemoryLedger) -> None:
    log.record(
        b.company("bytedance", country="CN"),
        b.advisory("on-chip"),
        b.advisory("on-exporter", chips=[], companies=["nvidia"], guidance="security_review"),
        b.advisory("on-buyer", chips=[], companies=["bytedance"]),
        b.advisory("elsewhere", authority="MOTIE", jurisdiction="KR"),
        b.advisory("withdrawn"),
        b.advisory_withdrawn("withdrawn", "2025-08-13"),
    )
    answer = check(log, "2025-08-15")
    assert [a["advisory_id"] for a in answer["destination_advisories"]] == [
        "on-chip",
        "on-exporter",
    ]
    assert answer["destination_advisories"][1] == {
        "advisory_id": "on-exporter",
        "authority": "CAC",
        "jurisdiction": "CN",
        "guidance": "security_review",
        "chips": [],
        "companies": ["nvidia"],
    }
    assert check(log, "2025-08-15", destination="KR")["destination_advisories"][0][
        "advisory_id"
    ] == ("elsewhere")


def test_announcements_are_the_chips_whose_destinations_are_empty_or_include_d(
    log: MemoryLedger,
) -> None:
    log.record(
        announced("to-cn"),
        announced("anywhere", destinations=[]),
        announced("to-ru", destinations=["RU"]),
    )
    ids = [a["announcement_id"] for a in check(log, "2025-05-01")["announcements"]]
    assert ids == ["anywhere", "to-cn"]


def test_upcoming_is_the_chip_states(log: MemoryLedger) -> None:
    log.record(
        b.measure(),
        b.license_granted(expires_at="2025-12-31"),
        b.amendment(effective_at="2025-10-01"),
    )
    assert check(log, "2025-08-15")["upcoming"] == log.chip("h20", "2025-08-15")["upcoming"]
    assert len(check(log, "2025-08-15")["upcoming"]) == 2


def test_unknowns_are_clauses_the_chip_cannot_be_checked_against(log: MemoryLedger) -> None:
    log.record(
        b.chip("h100", specs={"tpp": 2368}),
        b.measure(
            "acs",
            chips=[],
            destinations=["CN", "RU"],
            criteria=[
                {"tpp_min": 4800},  # known to fail
                {"tpp_min": 1600, "performance_density_min": "5.92", "hbm_gb_min": 80},
                {"tpp_lt": 2000, "hbm_gb_min": 80},  # fails on tpp, whatever the rest
            ],
        ),
        b.measure("ru-only", chips=[], destinations=["RU"], criteria=[{"hbm_gb_min": 1}]),
    )
    assert check(log, "2025-05-01", "h100")["unknowns"] == [
        {"measure_id": "acs", "clause": 1, "missing": ["hbm_gb", "performance_density"]}
    ]
    assert check(log, "2025-05-01", "h100", destination="RU")["unknowns"] == [
        {"measure_id": "acs", "clause": 1, "missing": ["hbm_gb", "performance_density"]},
        {"measure_id": "ru-only", "clause": 0, "missing": ["hbm_gb"]},
    ]
    assert check(log, "2025-04-08", "h100")["unknowns"] == []  # not in force yet


def test_a_measure_covering_the_chip_otherwise_leaves_no_unknown(log: MemoryLedger) -> None:
    log.record(
        b.chip("h100", specs={"tpp": 5000}),
        b.measure("acs", chips=[], criteria=[{"tpp_min": 4800}, {"hbm_gb_min": 80}]),
        b.measure("named", chips=["h100"], criteria=[{"hbm_gb_min": 80}]),
        b.measure("other-buyer", chips=[], companies=["amkor"], criteria=[{"hbm_gb_min": 80}]),
    )
    assert check(log, "2025-05-01", "h100")["unknowns"] == []
    # an end-user measure's clause is unknown only for the end user it reaches
    assert check(log, "2025-05-01", "h100", end_user="amkor")["unknowns"] == [
        {"measure_id": "other-buyer", "clause": 0, "missing": ["hbm_gb"]}
    ]
