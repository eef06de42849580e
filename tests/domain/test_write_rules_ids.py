"""Write rules of ids (docs/events.md, "Write rules"): what an event names must be registered first, and every
kind of id is created once, in a namespace of its own.
"""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem

# -- registry before use ---------------------------------------------------------------

UNREGISTERED = {
    "second chip of a measure": (b.measure(chips=["h20", "ghost"]), "/data/chips/1"),
    "end user of a measure": (b.measure(chips=[], companies=["ghost"]), "/data/companies/0"),
    "licensee": (b.license_granted(licensee="ghost"), "/data/licensee"),
    "chip of a licence": (b.license_granted(chips=["ghost"]), "/data/chips/0"),
    "company of an agreement": (b.revenue_share(company="ghost"), "/data/company"),
    "manufacturer": (b.chip("b30a", manufacturer="ghost"), "/data/manufacturer"),
    "predecessor": (b.chip("b30a", successor_of="ghost"), "/data/successor_of"),
    "halting company": (b.halt("ghost"), "/data/company"),
    "second supplier": (b.halt(suppliers=["amkor", "ghost"]), "/data/suppliers/1"),
    "chip of an advisory": (b.advisory(chips=["ghost"]), "/data/chips/0"),
    "company of a case": (b.investigation(companies=["nvidia", "ghost"]), "/data/companies/1"),
}


# Refusals store nothing, so the examples of one rule share a database (subtests keep each
# reported on its own): a fresh PostgreSQL database per example would cost seconds.


def test_naming_an_unregistered_id_is_refused_at_the_item(
    registered: Api, subtests: pytest.Subtests
) -> None:
    for name, (body, pointer) in UNREGISTERED.items():
        with subtests.test(name):
            assert_problem(registered.post(body), 422, "invalid-event", pointer=pointer)


def test_an_amendment_naming_an_unregistered_chip_is_refused(registered: Api) -> None:
    registered.given(b.measure())
    response = registered.post(b.amendment(chips=["h20", "ghost"]))
    assert_problem(response, 422, "invalid-event", pointer="/data/chips/1")


def test_an_id_registered_later_in_the_same_batch_cannot_be_named_earlier(registered: Api) -> None:
    body = {"events": [b.measure(chips=["b30a"]), b.chip("b30a")]}
    response = registered.client.post("/v1/events/batch", json=body, headers=registered.write)
    assert_problem(response, 422, "validation-error", pointer="/events/0/data/chips/0")


def test_the_beneficiary_is_a_jurisdiction_not_a_company(registered: Api) -> None:
    registered.given(b.revenue_share(beneficiary="CN"))  # no company "cn" exists


def test_a_beneficiary_must_be_a_country_code(registered: Api) -> None:
    response = registered.post(b.revenue_share(beneficiary="nvidia"))
    assert_problem(response, 422, "validation-error", pointer="/data/beneficiary")


def test_a_chip_cannot_succeed_itself(registered: Api) -> None:
    response = registered.post(b.chip("b30a", successor_of="b30a"))
    assert_problem(response, 422, "invalid-event", pointer="/data/successor_of")


def test_a_chip_may_succeed_a_registered_chip(registered: Api) -> None:
    [stored] = registered.given(b.chip("b30a", successor_of="h20"))
    assert stored["data"]["successor_of"] == "h20"


# -- ids are created once ----------------------------------------------------------------

CREATORS = {
    "company": (b.company("nvidia"), "/data/company"),
    "chip": (b.chip("h20"), "/data/chip"),
    "measure": (b.measure(), "/data/measure_id"),
    "license": (b.license_granted(), "/data/license_id"),
    "application": (b.license_denied(), "/data/application_id"),
    "agreement": (b.revenue_share(), "/data/agreement_id"),
    "advisory": (b.advisory(), "/data/advisory_id"),
    "case": (b.investigation(), "/data/case_id"),
}


def test_creating_an_id_twice_is_a_conflict(registered: Api, subtests: pytest.Subtests) -> None:
    registered.given(
        *[
            body
            for body, _ in CREATORS.values()
            if body["type"] not in ("CompanyRegistered", "ChipRegistered")
        ]
    )
    for kind, (body, pointer) in CREATORS.items():
        with subtests.test(kind):
            assert_problem(registered.post(body), 409, "duplicate-id", pointer=pointer)


def test_every_kind_of_id_has_its_own_namespace(registered: Api) -> None:
    slug = "shared-2025"
    registered.given(
        b.company(slug),
        b.chip(slug),
        b.measure(slug),
        b.license_granted(slug),
        b.license_denied(slug),
        b.revenue_share(slug),
        b.advisory(slug),
        b.investigation(slug),
    )


def test_a_retracted_creation_keeps_its_id(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    registered.given(b.retraction(imposed["id"]))
    assert_problem(registered.post(b.measure()), 409, "duplicate-id", pointer="/data/measure_id")
