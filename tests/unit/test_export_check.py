"""The export check's decision (docs/checks.md, "What it decides"): per exporting
jurisdiction, the measures in force that restrict the shipment and the exporter's licences
that clear them; end users, named or reached through owners; the review policy and the
licence exceptions; what is not registered."""

from __future__ import annotations

from domain.export_check import NotRegistered
from tests.support import builders as b
from tests.unit.export_check_support import ask, check, kinds_and_ids, owns, reason
from tests.unit.memory_ledger import MemoryLedger, at, event_id

EU = {"authority": "EC", "jurisdiction": "EU"}


def test_with_no_measure_in_force_the_shipment_is_unrestricted(log: MemoryLedger) -> None:
    log.record(b.measure())
    answer = check(log, "2025-04-08")
    assert {k: answer[k] for k in ("decision", "by_jurisdiction", "review_policy", "reasons")} == {
        "decision": "unrestricted",
        "by_jurisdiction": {},
        "review_policy": None,
        "reasons": [],
    }
    assert (answer["chip"], answer["destination"], answer["exporter"], answer["end_user"]) == (
        "h20",
        "CN",
        "nvidia",
        None,
    )


def test_a_measure_covering_the_chip_and_reaching_d_requires_a_licence(log: MemoryLedger) -> None:
    log.record(b.measure())
    answer = check(log, "2025-04-09")
    assert (answer["decision"], answer["by_jurisdiction"]) == (
        "license_required",
        {"US": "license_required"},
    )
    assert check(log, "2025-04-09", destination="RU")["decision"] == "unrestricted"


def test_a_measure_that_does_not_cover_the_chip_does_not_restrict_it(log: MemoryLedger) -> None:
    log.record(b.chip("l20"), b.measure(chips=["l20"]))
    assert check(log, "2025-05-01")["decision"] == "unrestricted"
    assert check(log, "2025-05-01", "l20")["decision"] == "license_required"


def test_criteria_cover_the_chip_by_the_first_matching_clause(log: MemoryLedger) -> None:
    log.record(
        b.chip("h100", specs={"tpp": 4800}),
        b.measure(chips=[], criteria=[{"tpp_min": 6000}, {"tpp_min": 4000}, {"tpp_min": 1}]),
    )
    answer = check(log, "2025-05-01", "h100")
    assert reason(answer, "measure", "bis-2025-04-h20")["matched_by"] == {
        "by": "criteria",
        "index": 1,
    }


def test_the_exporters_active_licence_clears_a_chip_measure(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted())
    answer = check(log, "2025-08-15")
    assert (answer["decision"], answer["by_jurisdiction"]) == ("licensed", {"US": "licensed"})
    assert kinds_and_ids(answer) == [
        ("license", "nvidia-h20-cn-2025"),
        ("measure", "bis-2025-04-h20"),
    ]
    assert check(log, "2025-08-10")["decision"] == "license_required"


def test_only_licences_held_by_the_exporter_count(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(licensee="amkor"))
    answer = check(log, "2025-08-15")
    assert (answer["decision"], kinds_and_ids(answer)) == (
        "license_required",
        [("measure", "bis-2025-04-h20")],
    )
    # the chip's state counts any licence; the check only the exporter's
    assert log.chip("h20", "2025-08-15")["export"]["CN"]["status"] == "licensed"
    assert check(log, "2025-08-15", exporter="amkor")["decision"] == "licensed"


def test_a_licence_counts_only_while_active_and_naming_the_destination(log: MemoryLedger) -> None:
    log.record(
        b.measure(destinations=["CN", "RU"]),
        b.license_granted(expires_at="2025-08-20"),
        b.license_granted("ru-lic", destinations=["RU"]),
        b.license_revoked("ru-lic", "2025-09-01"),
    )
    assert check(log, "2025-08-20")["decision"] == "licensed"  # through the end of that day
    assert check(log, "2025-08-21")["decision"] == "license_required"
    assert check(log, "2025-08-21", destination="RU")["decision"] == "licensed"
    assert check(log, "2025-09-01", destination="RU")["decision"] == "license_required"


def test_a_licence_clears_only_its_own_jurisdictions_measures(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(**EU))
    answer = check(log, "2025-08-15")
    assert (answer["by_jurisdiction"], kinds_and_ids(answer)) == (
        {"US": "license_required"},
        [("measure", "bis-2025-04-h20")],  # no EU measure: the EU licence is no reason
    )


def test_an_uncleared_ban_bans_and_a_licence_clears_it(log: MemoryLedger) -> None:
    log.record(b.measure(control="ban"))
    answer = check(log, "2025-05-01")
    assert (answer["decision"], reason(answer, "measure", "bis-2025-04-h20")["effect"]) == (
        "banned",
        "banned",
    )
    log.record(b.license_granted())
    assert check(log, "2025-08-15")["decision"] == "licensed"


def test_the_decision_is_the_most_restrictive_over_jurisdictions(log: MemoryLedger) -> None:
    log.record(b.measure(), b.measure("eu-ban", control="ban", **EU))
    answer = check(log, "2025-05-01")
    assert (answer["decision"], answer["by_jurisdiction"]) == (
        "banned",
        {"US": "license_required", "EU": "banned"},
    )
    log.record(b.license_granted("eu-lic", **EU))
    answer = check(log, "2025-08-15")
    assert (answer["decision"], answer["by_jurisdiction"]) == (
        "license_required",
        {"US": "license_required", "EU": "licensed"},
    )


def test_end_user_measures_count_only_for_the_end_user_asked_about(log: MemoryLedger) -> None:
    log.record(
        b.company("bytedance", country="CN"),
        b.measure("entity-list", chips=[], companies=["bytedance"], control="ban"),
    )
    assert check(log, "2025-05-01")["decision"] == "unrestricted"
    assert check(log, "2025-05-01", end_user="amkor")["decision"] == "unrestricted"
    answer = check(log, "2025-05-01", end_user="bytedance")
    assert answer["decision"] == "banned"
    found = reason(answer, "measure", "entity-list")
    # naming only companies, it covers every chip: no matched_by
    assert (found["matched_by"], found["company"], found["via_owners"]) == (None, "bytedance", None)


def test_an_end_user_measure_naming_chips_covers_only_those(log: MemoryLedger) -> None:
    log.record(
        b.company("bytedance", country="CN"),
        b.chip("l20"),
        b.measure("entity-list", chips=["l20"], companies=["bytedance"]),
    )
    assert check(log, "2025-05-01", end_user="bytedance")["decision"] == "unrestricted"
    assert check(log, "2025-05-01", "l20", end_user="bytedance")["decision"] == "license_required"
    assert check(log, "2025-05-01", "l20", destination="RU", end_user="bytedance")["decision"] == (
        "unrestricted"
    )


def test_an_end_user_is_reached_through_owners_holding_enough(empty: MemoryLedger) -> None:
    empty.record(
        *b.basics(),
        *(b.company(c, country="CN") for c in ("listed", "sub", "minority")),
        owns("listed", "sub", "60"),
        owns("listed", "minority", "40"),
        b.measure(
            "entity-list", chips=[], companies=["listed"], affiliates_min_percent=50, control="ban"
        ),
    )
    answer = check(empty, "2025-05-01", end_user="sub")
    found = reason(answer, "measure", "entity-list")
    assert (answer["decision"], found["company"], found["via_owners"]) == (
        "banned",
        "sub",
        ["listed"],
    )
    assert check(empty, "2025-05-01", end_user="minority")["decision"] == "unrestricted"


def test_only_a_licence_naming_the_end_user_clears_an_end_user_measure(log: MemoryLedger) -> None:
    log.record(
        b.company("bytedance", country="CN"),
        b.company("alibaba", country="CN"),
        b.measure(),
        b.measure("entity-list", chips=[], companies=["bytedance"]),
        b.license_granted(),
        b.license_granted("for-alibaba", end_users=["alibaba"]),
    )
    answer = check(log, "2025-08-15", end_user="bytedance")
    assert (answer["decision"], kinds_and_ids(answer)) == (
        "license_required",
        [
            ("license", "for-alibaba"),
            ("license", "nvidia-h20-cn-2025"),
            ("measure", "bis-2025-04-h20"),
            ("measure", "entity-list"),
        ],
    )
    log.record(b.license_granted("for-bytedance", end_users=["bytedance"]))
    assert check(log, "2025-08-15", end_user="bytedance")["decision"] == "licensed"
    # any licence of the exporter clears a chip measure, whichever end users it names
    assert check(log, "2025-08-15", end_user="alibaba")["decision"] == "licensed"


def test_review_policy_is_the_most_restrictive_of_the_uncleared_requirements(
    log: MemoryLedger,
) -> None:
    log.record(
        b.measure(review_policy="case_by_case"),
        b.measure(
            "second",
            review_policy="case_by_case",
            review_overrides=[{"destinations": ["CN"], "policy": "presumption_of_denial"}],
        ),
        b.measure("eu-rule", review_policy="policy_of_denial", **EU),
        b.license_granted("eu-lic", **EU),
    )
    answer = check(log, "2025-08-15")  # the EU rule is cleared: its policy no longer counts
    assert (answer["decision"], answer["review_policy"]) == (
        "license_required",
        "presumption_of_denial",
    )
    assert reason(answer, "measure", "second")["review_policy"] == "presumption_of_denial"
    assert reason(answer, "measure", "eu-rule")["review_policy"] == "policy_of_denial"
    log.record(b.measure("us-ban", control="ban", effective_at="2025-09-01"))
    answer = check(log, "2025-09-01")
    assert (answer["decision"], answer["review_policy"]) == ("banned", None)


def test_exceptions_are_those_of_the_uncleared_requirements_matching_c_and_d(
    log: MemoryLedger,
) -> None:
    log.record(
        b.measure(
            destinations=["CN", "RU"],
            exceptions=[
                {"exception_id": "nac", "destinations": ["CN"], "conditions": "notify"},
                {"exception_id": "ru", "destinations": ["RU"], "conditions": "report"},
            ],
        )
    )
    assert check(log, "2025-05-01")["exceptions"] == [
        {"measure_id": "bis-2025-04-h20", "exception_id": "nac", "conditions": "notify"}
    ]
    log.record(b.license_granted())
    assert check(log, "2025-08-15")["exceptions"] == []


def test_what_is_not_registered_names_its_parameter(log: MemoryLedger) -> None:
    assert ask(log, "2025-05-01", "nope") == NotRegistered("chip", "nope")
    assert ask(log, "2025-05-01", exporter="nope") == NotRegistered("exporter", "nope")
    assert ask(log, "2025-05-01", end_user="nope") == NotRegistered("end_user", "nope")
    log.record(b.chip("l20"))
    assert ask(log, "2025-05-01", "l20", at_position=3) == NotRegistered("chip", "l20")


def test_the_exporter_defaults_to_the_manufacturer_as_known_at_k(log: MemoryLedger) -> None:
    registration = event_id(2)  # the H20's ChipRegistered
    log.record(b.measure(), b.license_granted(licensee="amkor"))
    corrected = {"chip": "h20", "name": "H20", "manufacturer": "amkor"}
    log.record({**b.correction(registration, data=corrected), "reported_at": "2025-06-01"})
    before = check(log, "2025-08-15", known_at=at("2025-05-31"))
    after = check(log, "2025-08-15")
    assert (before["exporter"], before["decision"]) == ("nvidia", "license_required")
    assert (after["exporter"], after["decision"]) == ("amkor", "licensed")
