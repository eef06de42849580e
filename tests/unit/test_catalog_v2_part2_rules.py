"""Catalog v2 part 2's payloads (docs/events.md, "Catalog v2"): licence applications,
ownership, tariffs and announcements, and the new fields of licences, agreements and
measures, are decided with their data normalised and their v2 fields stored only when given;
a malformed payload is refused with a problem located at the field.

Unknown references are in test_catalog_v2_part2_references.py; the lifecycles in
test_catalog_v2_part2_applications.py and test_catalog_v2_part2_lifecycle.py; revisions in
test_catalog_v2_part2_revisions.py.
"""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import Body, MemoryLedger
from tests.unit.test_catalog_v2_rules import input_refusal


@pytest.fixture
def known(log: MemoryLedger) -> MemoryLedger:
    """nvidia, amkor, the H20 (1-3), the group ear-d5 (4), the announcement (5) and the
    application (6)."""
    log.record(v2.group(), v2.announced(), v2.applied())
    return log


V1_GRANT_KEYS = {
    "license_id",
    "authority",
    "jurisdiction",
    "licensee",
    "chips",
    "destinations",
    "expires_at",
}


# -- accepted, normalised ----------------------------------------------------------------------


def test_an_application_and_its_withdrawal_are_decided_as_given(log: MemoryLedger) -> None:
    assert log.decide(v2.applied()).data == {
        "application_id": v2.APPLICATION,
        "authority": "BIS",
        "jurisdiction": "US",
        "licensee": "nvidia",
        "chips": ["h20"],
        "destinations": ["CN"],
    }
    log.record(v2.applied())
    assert log.decide(v2.application_withdrawn()).data == {"application_id": v2.APPLICATION}
    returned = log.decide(v2.application_withdrawn(reason="returned without action"))
    assert returned.data == {"application_id": v2.APPLICATION, "reason": "returned without action"}


def test_ownership_is_keyed_by_its_pair_with_its_percent_normalised(log: MemoryLedger) -> None:
    recorded = log.decide(v2.owns(percent="50.50"))
    assert (recorded.key, recorded.data) == (
        "ownership:nvidia:amkor",
        {"owner": "nvidia", "owned": "amkor", "percent": "50.5"},
    )
    assert log.decide(v2.owns("amkor", "nvidia", percent=100)).key == "ownership:amkor:nvidia"
    log.record(v2.owns())
    ended = log.decide(v2.ownership_ended())
    assert (ended.key, ended.data) == (
        "ownership:nvidia:amkor",
        {"owner": "nvidia", "owned": "amkor"},
    )


def test_a_tariff_without_its_optional_fields_stores_none_of_them(log: MemoryLedger) -> None:
    assert log.decide(v2.tariff(origins=[], destinations=[], basis=None, implements=[])).data == {
        "tariff_id": v2.TARIFF,
        "authority": "President of the United States",
        "jurisdiction": "US",
        "direction": "import",
        "rate_percent": "25",
        "chips": ["h20"],
        "criteria": [],
    }


def test_a_tariff_with_every_field_is_decided_with_its_data_normalised(known: MemoryLedger) -> None:
    body = v2.tariff(
        direction="export",
        rate_percent="1000.0",
        chips=[],
        criteria=[{"tpp_min": 4800.0}],
        origins=["TW"],
        destinations=["group:ear-d5", "RU"],
        basis="Section 232",
        implements=[v2.ANNOUNCEMENT],
    )
    assert known.decide(body).data == {
        **v2.tariff()["data"],
        "direction": "export",
        "rate_percent": "1000",
        "chips": [],
        "criteria": [{"tpp_min": "4800"}],
        "origins": ["TW"],
        "destinations": ["group:ear-d5", "RU"],
        "basis": "Section 232",
        "implements": [v2.ANNOUNCEMENT],
    }


def test_a_tariff_amendment_and_lift_keep_only_what_they_send(log: MemoryLedger) -> None:
    log.record(v2.tariff())
    assert log.decide(v2.tariff_amended(rate_percent="30.00")).data == {
        "tariff_id": v2.TARIFF,
        "rate_percent": "30",
    }
    removed = log.decide(v2.tariff_amended(basis=None, origins=[]))
    assert removed.data == {"tariff_id": v2.TARIFF, "basis": None, "origins": []}
    assert log.decide(v2.tariff_lifted()).data == {"tariff_id": v2.TARIFF}
    assert log.decide(v2.tariff_lifted(reason="court ruling")).data["reason"] == "court ruling"


def test_an_announcement_and_its_withdrawal_are_decided_normalised(log: MemoryLedger) -> None:
    data = log.decide(v2.announced(expected_effective_at="2026-01-15")).data
    assert data == {**v2.announced()["data"], "expected_effective_at": "2026-01-15T00:00:00Z"}
    bare = log.decide(v2.announced(chips=[], companies=[], destinations=[])).data
    assert bare == {
        "announcement_id": v2.ANNOUNCEMENT,
        "authority": "President of the United States",
        "jurisdiction": "US",
        "chips": [],
        "companies": [],
        "destinations": [],
    }
    log.record(v2.announced())
    withdrawn = log.decide(v2.announcement_withdrawn()).data
    assert withdrawn == {"announcement_id": v2.ANNOUNCEMENT}


def test_a_licence_with_every_new_field_stores_them(known: MemoryLedger) -> None:
    body = b.license_granted(
        application_id=v2.APPLICATION,
        conditions=["no military end use", "report each shipment"],
        implements=[v2.ANNOUNCEMENT],
        end_users=["amkor"],
    )
    assert known.decide(body).data == {
        **b.license_granted()["data"],
        "expires_at": None,
        "application_id": v2.APPLICATION,
        "conditions": ["no military end use", "report each shipment"],
        "implements": [v2.ANNOUNCEMENT],
        "end_users": ["amkor"],
    }


def test_a_v1_licence_or_agreement_is_decided_without_any_v2_key(log: MemoryLedger) -> None:
    empty = {"application_id": None, "conditions": [], "implements": [], "end_users": []}
    assert set(log.decide(b.license_granted()).data) == V1_GRANT_KEYS
    assert set(log.decide(b.license_granted(**empty)).data) == V1_GRANT_KEYS
    v1_agreement = set(b.revenue_share()["data"])
    assert set(log.decide(b.revenue_share()).data) == v1_agreement
    assert set(log.decide(b.revenue_share(implements=[])).data) == v1_agreement


def test_an_agreement_and_a_measure_store_what_they_implement(known: MemoryLedger) -> None:
    agreement = known.decide(b.revenue_share(implements=[v2.ANNOUNCEMENT])).data
    assert agreement["implements"] == [v2.ANNOUNCEMENT]
    body = b.measure(
        companies=["amkor"], affiliates_min_percent="50.0", implements=[v2.ANNOUNCEMENT]
    )
    measure = known.decide(body).data
    assert (measure["affiliates_min_percent"], measure["implements"]) == ("50", [v2.ANNOUNCEMENT])
    assert "affiliates_min_percent" not in known.decide(b.measure(affiliates_min_percent=None)).data


# -- the envelope's refusals -------------------------------------------------------------------

MALFORMED: dict[str, tuple[Body, str]] = {
    "a company owning itself": (v2.owns("nvidia", "nvidia"), "/data/owned"),
    "percent 0": (v2.owns(percent=0), "/data/percent"),
    "percent 101": (v2.owns(percent="101"), "/data/percent"),
    "percent with 5 places": (v2.owns(percent="50.00001"), "/data/percent"),
    "ownership ended without owned": (
        b.envelope("OwnershipEnded", {"owner": "nvidia"}, "2025-06-01"),
        "/data/owned",
    ),
    "rate 0": (v2.tariff(rate_percent=0), "/data/rate_percent"),
    "rate 1001": (v2.tariff(rate_percent="1001"), "/data/rate_percent"),
    "rate 0 in an amendment": (v2.tariff_amended(rate_percent="0"), "/data/rate_percent"),
    "tariff without chips and criteria": (v2.tariff(chips=[], criteria=[]), "/data"),
    "unknown direction": (v2.tariff(direction="transit"), "/data/direction"),
    "group in a tariff's origins": (v2.tariff(origins=["group:ear-d5"]), "/data/origins/0"),
    "basis over 100": (v2.tariff(basis="x" * 101), "/data/basis"),
    "tariff amendment of nothing": (
        b.envelope("TariffAmended", {"tariff_id": v2.TARIFF}, "2026-02-01"),
        "/data",
    ),
    "tariff amendment chips: null": (v2.tariff_amended(chips=None), "/data/chips"),
    "tariff amendment implements": (v2.tariff_amended(implements=["a"]), "/data/implements"),
    "group in an announcement": (
        v2.announced(destinations=["CN", "group:ear-d5"]),
        "/data/destinations/1",
    ),
    "announcement date not a date": (
        v2.announced(expected_effective_at="soon"),
        "/data/expected_effective_at",
    ),
    "group in an application": (v2.applied(destinations=["group:ear-d5"]), "/data/destinations/0"),
    "application without chips": (v2.applied(chips=[]), "/data/chips"),
    "21 conditions": (b.license_granted(conditions=["c"] * 21), "/data/conditions"),
    "condition over 300": (
        b.license_granted(conditions=["ok", "x" * 301]),
        "/data/conditions/1",
    ),
    "repeated end user": (b.license_granted(end_users=["amkor", "amkor"]), "/data/end_users/1"),
    "implements not a slug": (b.revenue_share(implements=["Not A Slug"]), "/data/implements/0"),
    "affiliates without companies": (
        b.measure(affiliates_min_percent=50),
        "/data/affiliates_min_percent",
    ),
    "affiliates over 100": (
        b.measure(companies=["amkor"], affiliates_min_percent=100.5),
        "/data/affiliates_min_percent",
    ),
    "withdrawal reason over 1000": (
        v2.application_withdrawn(reason="x" * 1001),
        "/data/reason",
    ),
}


@pytest.mark.parametrize(("body", "pointer"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_part2_payload_is_refused_at_its_field(body: Body, pointer: str) -> None:
    assert input_refusal(body)[1] == [pointer]


def test_the_part2_refusals_say_what_is_wrong() -> None:
    details = {
        name: input_refusal(MALFORMED[name][0])[0]
        for name in ("a company owning itself", "rate 1001", "tariff without chips and criteria")
    }
    assert details == {
        "a company owning itself": "owned: a company cannot own itself",
        "rate 1001": "rate_percent: must be more than 0 and at most 1000",
        "tariff without chips and criteria": "data: a tariff needs chips or criteria",
    }


def test_the_bounds_themselves_are_accepted(log: MemoryLedger) -> None:
    assert log.decide(v2.owns(percent="0.0001")).data["percent"] == "0.0001"
    assert log.decide(v2.owns(percent=100)).data["percent"] == "100"
    assert log.decide(v2.tariff(rate_percent="0.0001")).data["rate_percent"] == "0.0001"
    conditions = ["x" * 300] * 20
    assert log.decide(b.license_granted(conditions=conditions)).data["conditions"] == conditions
