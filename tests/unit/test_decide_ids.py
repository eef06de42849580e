"""`decide` on ids (docs/events.md, "Write rules"): created once, each kind in its own namespace,
and every chip or company an event names registered first — the rules of
tests/domain/test_write_rules_ids.py, decided against an in-memory log.
"""

from __future__ import annotations

import pytest

from domain.errors import DuplicateId, InvalidEvent
from tests.support import builders as b
from tests.unit.memory_ledger import Body, MemoryLedger, pointers

# -- registered before use ---------------------------------------------------------------

UNREGISTERED: dict[str, tuple[Body, str]] = {
    "second chip of a measure": (b.measure(chips=["h20", "ghost"]), "/data/chips/1"),
    "end user of a measure": (b.measure(chips=[], companies=["ghost"]), "/data/companies/0"),
    "licensee": (b.license_granted(licensee="ghost"), "/data/licensee"),
    "chip of a licence": (b.license_granted(chips=["ghost"]), "/data/chips/0"),
    "company of an agreement": (b.revenue_share(company="ghost"), "/data/company"),
    "manufacturer": (b.chip("b30a", manufacturer="ghost"), "/data/manufacturer"),
    "predecessor": (b.chip("b30a", successor_of="ghost"), "/data/successor_of"),
    "halting company": (b.halt("ghost"), "/data/company"),
    "second supplier": (b.halt(suppliers=["amkor", "ghost"]), "/data/suppliers/1"),
    "chip of a resume": (b.resume(chips=["ghost"]), "/data/chips/0"),
    "chip of an advisory": (b.advisory(chips=["ghost"]), "/data/chips/0"),
    "company of an advisory": (b.advisory(companies=["ghost"]), "/data/companies/0"),
    "company of a case": (b.investigation(companies=["nvidia", "ghost"]), "/data/companies/1"),
    "chip of a case": (b.investigation(chips=["ghost"]), "/data/chips/0"),
}


@pytest.mark.parametrize(("body", "pointer"), UNREGISTERED.values(), ids=UNREGISTERED.keys())
def test_naming_an_unregistered_id_is_refused_at_the_item(
    log: MemoryLedger, body: Body, pointer: str
) -> None:
    error = log.refusal(body)
    assert type(error) is InvalidEvent
    assert pointers(error) == [pointer]


def test_the_refusal_says_how_to_register_the_chip(log: MemoryLedger) -> None:
    error = log.refusal(b.measure(chips=["h30"]))
    assert error.detail == "unknown chip 'h30': register it first with ChipRegistered"


def test_the_refusal_says_how_to_register_the_company(log: MemoryLedger) -> None:
    error = log.refusal(b.license_granted(licensee="ghost"))
    assert error.detail == "unknown company 'ghost': register it first with CompanyRegistered"


def test_every_unregistered_id_of_an_event_is_reported(log: MemoryLedger) -> None:
    error = log.refusal(b.halt("ghost", chips=["h20", "h30"], suppliers=["phantom"]))
    assert pointers(error) == ["/data/chips/1", "/data/company", "/data/suppliers/0"]


def test_an_amendment_naming_an_unregistered_chip_is_refused(log: MemoryLedger) -> None:
    log.record(b.measure())
    assert pointers(log.refusal(b.amendment(chips=["h20", "ghost"]))) == ["/data/chips/1"]


def test_a_registration_does_not_need_its_own_id_registered(empty: MemoryLedger) -> None:
    decision = empty.decide(b.company("nvidia"))
    assert (decision.key, decision.data["company"]) == ("company:nvidia", "nvidia")


def test_a_chip_registered_with_a_future_report_can_be_named_at_once(log: MemoryLedger) -> None:
    log.record({**b.chip("b30a"), "reported_at": "2099-01-01"})
    assert log.decide(b.measure(chips=["b30a"])).data["chips"] == ["b30a"]


def test_the_beneficiary_is_a_jurisdiction_not_a_company(log: MemoryLedger) -> None:
    assert log.decide(b.revenue_share(beneficiary="CN")).data["beneficiary"] == "CN"


def test_a_chip_cannot_succeed_itself(log: MemoryLedger) -> None:
    error = log.refusal(b.chip("b30a", successor_of="b30a"))
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data/successor_of"])


def test_a_chip_may_succeed_a_registered_chip(log: MemoryLedger) -> None:
    assert log.decide(b.chip("b30a", successor_of="h20")).data["successor_of"] == "h20"


# -- ids are created once ----------------------------------------------------------------

CREATORS: dict[str, tuple[Body, str]] = {
    "company": (b.company("nvidia"), "/data/company"),
    "chip": (b.chip("h20"), "/data/chip"),
    "measure": (b.measure(), "/data/measure_id"),
    "license": (b.license_granted(), "/data/license_id"),
    "application": (b.license_denied(), "/data/application_id"),
    "agreement": (b.revenue_share(), "/data/agreement_id"),
    "advisory": (b.advisory(), "/data/advisory_id"),
    "case": (b.investigation(), "/data/case_id"),
}


@pytest.mark.parametrize(("body", "pointer"), CREATORS.values(), ids=CREATORS.keys())
def test_creating_an_id_twice_is_a_conflict(log: MemoryLedger, body: Body, pointer: str) -> None:
    if body["type"] not in ("CompanyRegistered", "ChipRegistered"):
        log.record(body)
    error = log.refusal(body)
    assert type(error) is DuplicateId
    assert pointers(error) == [pointer]


def test_a_duplicate_says_ids_are_never_reused(log: MemoryLedger) -> None:
    log.record(b.measure())
    assert (
        log.refusal(b.measure()).detail
        == "measure 'bis-2025-04-h20' already exists (ids are never reused)"
    )


def test_every_kind_of_id_has_its_own_namespace(log: MemoryLedger) -> None:
    slug = "shared-2025"
    stored = log.record(
        b.company(slug),
        b.chip(slug),
        b.measure(slug),
        b.license_granted(slug),
        b.license_denied(slug),
        b.revenue_share(slug),
        b.advisory(slug),
        b.investigation(slug),
    )
    assert [e.aggregate.split(":")[0] for e in stored] == [
        "company",
        "chip",
        "measure",
        "license",
        "application",
        "agreement",
        "advisory",
        "case",
    ]


def test_a_retracted_creation_keeps_its_id(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    log.record(b.retraction(imposed.event_id))
    assert type(log.refusal(b.measure())) is DuplicateId


def test_a_halt_creates_no_id(log: MemoryLedger) -> None:
    log.record(b.halt())
    assert log.decide(b.halt(effective_at="2025-09-01")).key == "production:nvidia"
