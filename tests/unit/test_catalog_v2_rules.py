"""Catalog v2's payloads and references (docs/events.md, "Write rules"): each new type is
decided with its data normalised, and each malformed payload or unknown reference is refused
with a problem located at the field — the envelope's refusals as the API parses them
(services/write/parsing.py), the log's as `decide` raises them.

The lifecycle of groups and suspensions, the amendment rules and revisions are in
test_catalog_v2_lifecycle.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import InvalidEvent
from services.write.parsing import InputError, parse_envelope
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import Body, MemoryLedger, pointers


@pytest.fixture
def grouped(log: MemoryLedger) -> MemoryLedger:
    """nvidia, amkor, the H20 and the group ear-d5 {CN, MO} (positions 1-4)."""
    log.record(v2.group())
    return log


def input_refusal(body: Body) -> tuple[str, list[str]]:
    """The envelope refused before the log is asked: its detail and pointers."""
    with pytest.raises(InputError) as caught:
        parse_envelope(body)
    return caught.value.detail, [error["pointer"] for error in caught.value.errors]


# -- accepted, normalised ----------------------------------------------------------------------


def test_a_measure_with_every_v2_field_is_decided_with_its_data_normalised(
    grouped: MemoryLedger,
) -> None:
    data = grouped.decide(v2.v2_measure()).data
    assert data == {**b.measure()["data"], "criteria": [], "companies": [], **v2.v2_stored()}


def test_a_v1_measure_is_decided_without_any_v2_key(log: MemoryLedger) -> None:
    body = b.measure(except_destinations=[], review_overrides=[], exceptions=[])
    assert set(log.decide(body).data) == v2.V1_MEASURE_KEYS
    assert set(log.decide(b.measure(review_policy=None)).data) == v2.V1_MEASURE_KEYS


def test_the_new_types_are_decided_with_their_data_normalised(grouped: MemoryLedger) -> None:
    grouped.record(b.measure())
    decided = {
        body["type"]: grouped.decide(body).data
        for body in (
            v2.group("ear-d1", members=[]),
            v2.group_amended(add=["RU"], remove=["MO"]),
            v2.suspension(until="2025-06-30"),
            v2.reinstatement(),
        )
    }
    assert decided == {
        "DestinationGroupDefined": {
            "group_id": "ear-d1",
            "name": "Country Group D:5",
            "authority": "BIS",
            "jurisdiction": "US",
            "members": [],
        },
        "DestinationGroupAmended": {"group_id": "ear-d5", "add": ["RU"], "remove": ["MO"]},
        # until is an exclusive end: a bare date means through that day
        "ExportBanSuspended": {
            "measure_id": "bis-2025-04-h20",
            "until": "2025-07-01T00:00:00Z",
            "reason": "suspended during talks",
        },
        "ExportBanReinstated": {"measure_id": "bis-2025-04-h20"},
    }


def test_an_amendment_keeps_only_the_v2_fields_it_sends(grouped: MemoryLedger) -> None:
    grouped.record(b.measure())
    fields = v2.v2_fields()
    data = grouped.decide(b.amendment(**fields)).data
    assert data == {"measure_id": "bis-2025-04-h20", **v2.v2_stored()}
    removed = grouped.decide(b.amendment(review_policy=None, compliance_at=None)).data
    assert removed == {
        "measure_id": "bis-2025-04-h20",
        "review_policy": None,
        "compliance_at": None,
    }


def test_a_chip_takes_the_new_specs(log: MemoryLedger) -> None:
    body = b.chip("b30", specs={"process_node_nm": 4, "memory_bandwidth_density": "2.50"})
    specs = log.decide(body).data["specs"]
    assert specs == {"process_node_nm": "4", "memory_bandwidth_density": "2.5"}


# -- the envelope's refusals -------------------------------------------------------------------


def nulled(name: str) -> dict[str, Any]:
    return {name: None}


OVERRIDE = {"policy": "case_by_case"}
EXCEPTION = {"exception_id": "nac", "conditions": "notify and ship"}

MALFORMED: dict[str, tuple[Body, str]] = {
    "review policy under a ban": (
        b.measure(control="ban", review_policy="case_by_case"),
        "/data/review_policy",
    ),
    "unknown review policy": (b.measure(review_policy="deny"), "/data/review_policy"),
    "17 overrides": (b.measure(review_overrides=[OVERRIDE] * 17), "/data/review_overrides"),
    "override without a policy": (
        b.measure(review_overrides=[{"chips": ["h20"]}]),
        "/data/review_overrides/0/policy",
    ),
    "17 exceptions": (
        b.measure(exceptions=[{**EXCEPTION, "exception_id": f"e{i}"} for i in range(17)]),
        "/data/exceptions",
    ),
    "repeated exception_id": (
        b.measure(exceptions=[EXCEPTION, {**EXCEPTION, "conditions": "other"}]),
        "/data/exceptions/1",
    ),
    "conditions over 300": (
        b.measure(exceptions=[{**EXCEPTION, "conditions": "x" * 301}]),
        "/data/exceptions/0/conditions",
    ),
    "exception id not a slug": (
        b.measure(exceptions=[{**EXCEPTION, "exception_id": "NAC"}]),
        "/data/exceptions/0/exception_id",
    ),
    "unknown clause key": (b.measure(criteria=[{"tpp_above": 4800}]), "/data/criteria/0/tpp_above"),
    "unknown clause key in an override": (
        b.measure(review_overrides=[{**OVERRIDE, "criteria": [{"tpp_above": 1}]}]),
        "/data/review_overrides/0/criteria/0/tpp_above",
    ),
    "clause with no key": (b.measure(criteria=[{"tpp_min": 1}, {}]), "/data/criteria/1"),
    "clause with only null keys": (b.measure(criteria=[{"tpp_lt": None}]), "/data/criteria/0"),
    "clause with no key in an exception": (
        b.measure(exceptions=[{**EXCEPTION, "criteria": [{}]}]),
        "/data/exceptions/0/criteria/0",
    ),
    "negative bound": (
        b.measure(criteria=[{"process_node_nm_lt": -1}]),
        "/data/criteria/0/process_node_nm_lt",
    ),
    "bare group prefix": (b.measure(destinations=["group:"]), "/data/destinations/0"),
    "lower-case code": (b.measure(destinations=["CN", "cn"]), "/data/destinations/1"),
    "group id not a slug": (b.measure(destinations=["group:X"]), "/data/destinations/0"),
    "bad entry in except_destinations": (
        b.measure(except_destinations=["group:"]),
        "/data/except_destinations/0",
    ),
    "bad entry in an override": (
        b.measure(review_overrides=[{**OVERRIDE, "destinations": ["cn"]}]),
        "/data/review_overrides/0/destinations/0",
    ),
    "repeated destination": (b.measure(destinations=["RU", "RU"]), "/data/destinations/1"),
    "compliance_at not a date": (b.measure(compliance_at="soon"), "/data/compliance_at"),
    "group in a group's members": (v2.group(members=["group:ear-d1"]), "/data/members/0"),
    "group in a licence": (
        b.license_granted(destinations=["group:ear-d5"]),
        "/data/destinations/0",
    ),
    "group amendment changing nothing": (v2.group_amended(add=[], remove=[]), "/data"),
    "code added and removed": (
        v2.group_amended(add=["RU", "KP"], remove=["MO", "KP"]),
        "/data/remove/1",
    ),
    "group amendment with a group": (v2.group_amended(add=["group:x"]), "/data/add/0"),
    "suspension without a reason": (
        b.envelope("ExportBanSuspended", {"measure_id": "m"}),
        "/data/reason",
    ),
    "amendment of nothing": (b.envelope("ExportBanAmended", {"measure_id": "m"}), "/data"),
    **{
        f"amendment {name}: null": (b.amendment(**nulled(name)), f"/data/{name}")
        for name in (
            "destinations",
            "chips",
            "criteria",
            "companies",
            "control",
            "except_destinations",
            "review_overrides",
            "exceptions",
        )
    },
}


@pytest.mark.parametrize(("body", "pointer"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_v2_payload_is_refused_at_its_field(body: Body, pointer: str) -> None:
    assert input_refusal(body)[1] == [pointer]


def test_the_refusals_say_what_is_wrong() -> None:
    details: dict[str, Any] = {
        name: input_refusal(MALFORMED[name][0])[0]
        for name in (
            "review policy under a ban",
            "repeated exception_id",
            "amendment destinations: null",
        )
    }
    assert details == {
        "review policy under a ban": "review_policy: a review policy applies to licence "
        "applications: only with control license_required",
        "repeated exception_id": "exceptions: exception 1 repeats exception_id 'nac'",
        "amendment destinations: null": "destinations: cannot be null: give the new "
        "destinations (a list replaces the old one)",
    }


# -- references: groups and chips named inside a measure ---------------------------------------

UNKNOWN: dict[str, tuple[Body, str]] = {
    "destinations": (b.measure(destinations=["CN", "group:ear-d9"]), "/data/destinations/1"),
    "except_destinations": (
        b.measure(except_destinations=["group:ear-d9"]),
        "/data/except_destinations/0",
    ),
    "an override's destinations": (
        b.measure(review_overrides=[{**OVERRIDE, "destinations": ["RU", "group:ear-d9"]}]),
        "/data/review_overrides/0/destinations/1",
    ),
    "an exception's destinations": (
        b.measure(
            exceptions=[
                EXCEPTION,
                {**EXCEPTION, "exception_id": "b", "destinations": ["group:ear-d9"]},
            ]
        ),
        "/data/exceptions/1/destinations/0",
    ),
    "an amendment's destinations": (
        b.amendment(destinations=["group:ear-d9"]),
        "/data/destinations/0",
    ),
    "an amendment's override": (
        b.amendment(review_overrides=[{**OVERRIDE, "destinations": ["group:ear-d9"]}]),
        "/data/review_overrides/0/destinations/0",
    ),
}


@pytest.mark.parametrize(("body", "pointer"), UNKNOWN.values(), ids=UNKNOWN.keys())
def test_an_unknown_group_is_refused_at_its_entry(
    grouped: MemoryLedger, body: Body, pointer: str
) -> None:
    if body["type"] == "ExportBanAmended":
        grouped.record(b.measure())
    error = grouped.refusal(body)
    assert (type(error), pointers(error)) == (InvalidEvent, [pointer])
    assert error.detail == "unknown group 'ear-d9': define it first with DestinationGroupDefined"


@pytest.mark.parametrize(
    ("part", "item"), [("review_overrides", OVERRIDE), ("exceptions", EXCEPTION)]
)
def test_an_unknown_chip_in_an_override_or_exception_is_refused(
    log: MemoryLedger, part: str, item: dict[str, Any]
) -> None:
    parts: dict[str, Any] = {part: [{**item, "chips": ["h20", "h30"]}]}
    error = log.refusal(b.measure(**parts))
    assert pointers(error) == [f"/data/{part}/0/chips/1"]
    assert error.detail == "unknown chip 'h30': register it first with ChipRegistered"


def test_every_unknown_reference_is_listed(log: MemoryLedger) -> None:
    body = b.measure(
        chips=["h30"],
        destinations=["group:a"],
        except_destinations=["group:b"],
        review_overrides=[{**OVERRIDE, "chips": ["h40"], "destinations": ["group:c"]}],
    )
    assert pointers(log.refusal(body)) == [
        "/data/chips/0",
        "/data/destinations/0",
        "/data/except_destinations/0",
        "/data/review_overrides/0/chips/0",
        "/data/review_overrides/0/destinations/0",
    ]


def test_a_group_is_named_by_its_own_namespace(log: MemoryLedger) -> None:
    log.record(b.measure("ear-d5"))  # a measure, not a group, of that id
    assert pointers(log.refusal(b.measure("m2", destinations=["group:ear-d5"]))) == [
        "/data/destinations/0"
    ]
