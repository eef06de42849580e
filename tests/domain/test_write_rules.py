"""The write rules of SPEC §1-§3, through POST /v1/events, on SQLite and PostgreSQL.

One behaviour per test; each refusal asserts the status, the problem `type` and the
pointer (or header) in `errors[]` that locates the fault.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock

Body = dict[str, Any]
NOW = "2026-01-15T12:00:00Z"  # the FakeClock's start


class Api:
    def __init__(self, client: TestClient, headers: dict[str, str]):
        self.client, self.headers = client, headers

    def post(self, body: Body, **headers: str) -> httpx.Response:
        return self.client.post("/v1/events", json=body, headers={**self.headers, **headers})

    def given(self, *bodies: Body) -> list[dict[str, Any]]:
        """Store each event, failing the test if any is refused; return the stored events."""
        stored = []
        for body in bodies:
            response = self.post(body)
            assert response.status_code == 201, response.text
            stored.append(response.json())
        return stored


@pytest.fixture
def api(client: TestClient, write_headers: dict[str, str]) -> Api:
    return Api(client, write_headers)


@pytest.fixture
def registered(api: Api) -> Api:
    """nvidia, amkor and the H20 registered."""
    api.given(*b.basics(), b.company("amkor"))
    return api


def with_(body: Body, **fields: Any) -> Body:
    """The envelope with extra top-level fields (builders put keywords into `data`)."""
    return {**body, **fields}


def assert_problem(response: httpx.Response, status: int, kind: str, pointer: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"/problems/{kind}", problem
    assert pointer in [e.get("pointer") for e in problem["errors"]], problem["errors"]
    return problem


def assert_header_problem(response: httpx.Response, status: int, kind: str,
                          header: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["type"] == f"/problems/{kind}", problem
    assert header in [e.get("header") for e in problem["errors"]], problem["errors"]
    return problem


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


def test_naming_an_unregistered_id_is_refused_at_the_item(registered: Api,
                                                          subtests: pytest.Subtests) -> None:
    for name, (body, pointer) in UNREGISTERED.items():
        with subtests.test(name):
            assert_problem(registered.post(body), 422, "invalid-event", pointer)


def test_an_amendment_naming_an_unregistered_chip_is_refused(registered: Api) -> None:
    registered.given(b.measure())
    response = registered.post(b.amendment(chips=["h20", "ghost"]))
    assert_problem(response, 422, "invalid-event", "/data/chips/1")


def test_an_id_registered_later_in_the_same_batch_cannot_be_named_earlier(
        registered: Api) -> None:
    body = {"events": [b.measure(chips=["b30a"]), b.chip("b30a")]}
    response = registered.client.post("/v1/events/batch", json=body, headers=registered.headers)
    assert_problem(response, 422, "validation-error", "/events/0/data/chips/0")


def test_the_beneficiary_is_a_jurisdiction_not_a_company(registered: Api) -> None:
    registered.given(b.revenue_share(beneficiary="CN"))  # no company "cn" exists


def test_a_beneficiary_must_be_a_country_code(registered: Api) -> None:
    response = registered.post(b.revenue_share(beneficiary="nvidia"))
    assert_problem(response, 422, "validation-error", "/data/beneficiary")


def test_a_chip_cannot_succeed_itself(registered: Api) -> None:
    response = registered.post(b.chip("b30a", successor_of="b30a"))
    assert_problem(response, 422, "invalid-event", "/data/successor_of")


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
    registered.given(*[body for body, _ in CREATORS.values()
                       if body["type"] not in ("CompanyRegistered", "ChipRegistered")])
    for kind, (body, pointer) in CREATORS.items():
        with subtests.test(kind):
            assert_problem(registered.post(body), 409, "duplicate-id", pointer)


def test_every_kind_of_id_has_its_own_namespace(registered: Api) -> None:
    slug = "shared-2025"
    registered.given(
        b.company(slug), b.chip(slug), b.measure(slug), b.license_granted(slug),
        b.license_denied(slug), b.revenue_share(slug), b.advisory(slug), b.investigation(slug),
    )


def test_a_retracted_creation_keeps_its_id(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    registered.given(b.retraction(imposed["id"]))
    assert_problem(registered.post(b.measure()), 409, "duplicate-id", "/data/measure_id")


# -- lifecycle ---------------------------------------------------------------------------

LIFECYCLE = {
    "ExportBanAmended": (b.amendment("ghost"), "/data/measure_id"),
    "ExportBanLifted": (b.lift("ghost"), "/data/measure_id"),
    "LicenseRevoked": (b.license_revoked("ghost"), "/data/license_id"),
    "RevenueShareEnded": (b.revenue_share_ended("ghost"), "/data/agreement_id"),
    "AdvisoryWithdrawn": (b.advisory_withdrawn("ghost"), "/data/advisory_id"),
    "InvestigationConcluded": (b.investigation_concluded("ghost"), "/data/case_id"),
}


def test_a_lifecycle_event_of_an_unknown_id_is_refused(registered: Api,
                                                       subtests: pytest.Subtests) -> None:
    for event_type, (body, pointer) in LIFECYCLE.items():
        with subtests.test(event_type):
            assert_problem(registered.post(body), 422, "invalid-event", pointer)


def test_a_lifecycle_event_must_name_an_id_of_its_own_kind(registered: Api) -> None:
    registered.given(b.measure("shared-2025"))
    response = registered.post(b.license_revoked("shared-2025"))
    assert_problem(response, 422, "invalid-event", "/data/license_id")


def test_a_lifecycle_event_before_its_creator_is_refused(registered: Api) -> None:
    registered.given(b.measure(effective_at="2025-04-09"))
    response = registered.post(b.amendment(effective_at="2025-04-08T23:59:59Z"))
    assert_problem(response, 422, "invalid-event", "/effective_at")


def test_a_lifecycle_event_at_the_creators_time_is_accepted(registered: Api) -> None:
    registered.given(b.measure(effective_at="2025-04-09"),
                     b.amendment(effective_at="2025-04-09T00:00:00Z"))


def test_a_lifecycle_event_is_checked_against_the_creators_corrected_time(
        registered: Api) -> None:
    [imposed] = registered.given(b.measure(effective_at="2025-04-09"))
    registered.given(b.correction(imposed["id"], effective_at="2025-04-20"))
    response = registered.post(b.amendment(effective_at="2025-04-15"))
    assert_problem(response, 422, "invalid-event", "/effective_at")


def test_a_lifecycle_event_at_a_terminal_events_time_is_refused(registered: Api) -> None:
    registered.given(b.measure(), b.lift(effective_at="2025-12-01"))
    response = registered.post(b.amendment(effective_at="2025-12-01"))
    assert_problem(response, 422, "invalid-event", "/effective_at")


def test_a_lifecycle_event_after_a_terminal_event_is_refused(registered: Api) -> None:
    registered.given(b.measure(), b.lift(effective_at="2025-12-01"))
    response = registered.post(b.amendment(effective_at="2025-12-02"))
    assert_problem(response, 422, "invalid-event", "/effective_at")


def test_a_lifecycle_event_before_a_stored_terminal_event_is_accepted(registered: Api) -> None:
    registered.given(b.measure(), b.lift(effective_at="2025-12-01"),
                     b.amendment(effective_at="2025-11-30"))


def test_a_second_terminal_event_is_refused(registered: Api, subtests: pytest.Subtests) -> None:
    registered.given(b.measure(), b.lift(effective_at="2025-12-01"),
                     b.license_granted(), b.license_revoked(effective_at="2025-10-01"))
    for name, body in (("earlier lift", b.lift(effective_at="2025-11-01", reason="superseded")),
                       ("later revocation", b.license_revoked(effective_at="2025-10-02"))):
        with subtests.test(name):
            assert_problem(registered.post(body), 422, "invalid-event", "/type")


def test_a_retracted_terminal_event_no_longer_ends_the_object(registered: Api) -> None:
    _, lifted = registered.given(b.measure(), b.lift(effective_at="2025-12-01"))
    registered.given(b.retraction(lifted["id"]), b.amendment(effective_at="2025-12-02"))


def test_a_lifecycle_event_of_a_retracted_creation_is_refused(registered: Api) -> None:
    [granted] = registered.given(b.license_granted())
    registered.given(b.retraction(granted["id"]))
    response = registered.post(b.license_revoked())
    assert_problem(response, 422, "invalid-event", "/data/license_id")


def test_an_amendment_may_not_leave_a_measure_covering_nothing(registered: Api) -> None:
    registered.given(b.measure(chips=["h20"]))
    response = registered.post(b.amendment(chips=[]))
    assert_problem(response, 422, "invalid-event", "/data")


def test_an_amendment_may_drop_the_chips_while_criteria_remain(registered: Api) -> None:
    registered.given(b.measure(chips=["h20"], criteria=[{"tpp_min": 4800}]),
                     b.amendment(chips=[]))


def test_amended_coverage_counts_the_amendments_in_force_at_that_time(registered: Api) -> None:
    registered.given(b.measure(chips=["h20"]),
                     b.amendment(effective_at="2025-05-01", criteria=[{"tpp_min": 4800}]),
                     b.amendment(effective_at="2025-06-01", chips=[]))
    response = registered.post(b.amendment(effective_at="2025-04-20", chips=[]))
    assert_problem(response, 422, "invalid-event", "/data")


def test_an_amendment_without_a_change_is_refused(registered: Api) -> None:
    registered.given(b.measure())
    body = b.envelope("ExportBanAmended", {"measure_id": "bis-2025-04-h20"}, "2025-05-01")
    assert_problem(registered.post(body), 422, "validation-error", "/data")


# -- production --------------------------------------------------------------------------

def test_resuming_a_chip_without_an_open_halt_is_refused_at_that_chip(registered: Api) -> None:
    registered.given(b.chip("b30a"), b.halt(chips=["h20"]))
    response = registered.post(b.resume(chips=["h20", "b30a"]))
    assert_problem(response, 422, "invalid-event", "/data/chips/1")


def test_resuming_one_of_two_halted_chips_is_accepted(registered: Api) -> None:
    registered.given(b.chip("b30a"), b.halt(chips=["h20", "b30a"]),
                     b.resume(chips=["b30a"], effective_at="2025-09-01"))


def test_resuming_a_chip_twice_is_refused(registered: Api) -> None:
    registered.given(b.chip("b30a"), b.halt(chips=["h20", "b30a"]),
                     b.resume(chips=["b30a"], effective_at="2025-09-01"))
    response = registered.post(b.resume(chips=["b30a"], effective_at="2025-10-01"))
    assert_problem(response, 422, "invalid-event", "/data/chips/0")


def test_another_companys_halt_does_not_count(registered: Api) -> None:
    registered.given(b.halt("amkor", chips=["h20"]))
    response = registered.post(b.resume("nvidia", chips=["h20"]))
    assert_problem(response, 422, "invalid-event", "/data/chips/0")


def test_a_resume_effective_before_the_halt_is_refused(registered: Api) -> None:
    registered.given(b.halt(effective_at="2025-08-22"))
    response = registered.post(b.resume(effective_at="2025-08-21"))
    assert_problem(response, 422, "invalid-event", "/data/chips/0")


def test_a_retracted_halt_cannot_be_resumed(registered: Api) -> None:
    [halted] = registered.given(b.halt())
    registered.given(b.retraction(halted["id"]))
    assert_problem(registered.post(b.resume()), 422, "invalid-event", "/data/chips/0")


# -- revisions ---------------------------------------------------------------------------

def test_a_revision_of_an_unknown_event_is_refused(registered: Api,
                                                   subtests: pytest.Subtests) -> None:
    unknown = str(uuid.uuid4())
    for body in (b.correction(unknown, effective_at="2025-04-10"), b.retraction(unknown)):
        with subtests.test(body["type"]):
            assert_problem(registered.post(body), 422, "invalid-event", "/data/event_id")


def test_a_revision_of_a_malformed_event_id_is_refused(registered: Api) -> None:
    assert_problem(registered.post(b.retraction("not-a-uuid")), 422, "validation-error",
                   "/data/event_id")


def test_a_correction_of_a_correction_is_refused(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    [fix] = registered.given(b.correction(imposed["id"], effective_at="2025-04-10"))
    response = registered.post(b.correction(fix["id"], effective_at="2025-04-11"))
    assert_problem(response, 422, "invalid-event", "/data/event_id")


def test_a_retraction_of_a_retraction_is_refused(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    [withdrawn] = registered.given(b.retraction(imposed["id"]))
    response = registered.post(b.retraction(withdrawn["id"]))
    assert_problem(response, 422, "invalid-event", "/data/event_id")


def test_a_registry_event_cannot_be_retracted(api: Api) -> None:
    [nvidia] = api.given(b.company("nvidia"))
    assert_problem(api.post(b.retraction(nvidia["id"])), 422, "invalid-event", "/data/event_id")


def test_a_registry_event_can_be_corrected(api: Api) -> None:
    _, h20 = api.given(*b.basics())
    data = {**h20["data"], "specs": {"tpp": 2368, "hbm_gb": "96.0"}}
    [fix] = api.given(b.correction(h20["id"], data=data))
    assert fix["data"]["changes"]["data"]["specs"] == {"tpp": "2368", "hbm_gb": "96"}


def test_a_correction_may_not_make_a_chip_succeed_itself(registered: Api) -> None:
    [b30a] = registered.given(b.chip("b30a", successor_of="h20"))
    response = registered.post(b.correction(b30a["id"], data={**b30a["data"],
                                                              "successor_of": "b30a"}))
    assert_problem(response, 422, "invalid-event", "/data/changes/data/successor_of")


IDENTITIES: dict[str, tuple[Body, str, str]] = {
    "measure_id": (b.measure(), "measure_id", "bis-other"),
    "license_id": (b.license_granted(), "license_id", "other-license"),
    "application_id": (b.license_denied(), "application_id", "app-2"),
    "agreement_id": (b.revenue_share(), "agreement_id", "other-deal"),
    "advisory_id": (b.advisory(), "advisory_id", "other-advice"),
    "case_id": (b.investigation(), "case_id", "other-case"),
    "chip": (b.chip("b30a"), "chip", "b40"),
    "company": (b.company("foxconn"), "company", "hon-hai"),
    "halt's company": (b.halt(), "company", "amkor"),
}


def test_an_identity_field_cannot_be_corrected(registered: Api,
                                               subtests: pytest.Subtests) -> None:
    targets = registered.given(*[created for created, _, _ in IDENTITIES.values()])
    for (name, (_, field, value)), target in zip(IDENTITIES.items(), targets, strict=True):
        with subtests.test(name):
            response = registered.post(b.correction(target["id"],
                                                    data={**target["data"], field: value}))
            assert_problem(response, 422, "invalid-event", f"/data/changes/data/{field}")


def test_a_resumes_company_cannot_be_corrected(registered: Api) -> None:
    registered.given(b.halt("amkor"), b.halt("nvidia"))
    [resumed] = registered.given(b.resume("nvidia"))
    response = registered.post(b.correction(resumed["id"], data={**resumed["data"],
                                                                 "company": "amkor"}))
    assert_problem(response, 422, "invalid-event", "/data/changes/data/company")


def test_a_corrected_payload_is_validated_as_its_type(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    data = {**imposed["data"], "destinations": ["CN", "UK"]}
    response = registered.post(b.correction(imposed["id"], data=data))
    assert_problem(response, 422, "invalid-event", "/data/changes/data/destinations/1")


def test_a_corrected_payload_must_be_complete(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    data = {k: v for k, v in imposed["data"].items() if k != "authority"}
    response = registered.post(b.correction(imposed["id"], data=data))
    assert_problem(response, 422, "invalid-event", "/data/changes/data/authority")


def test_a_corrected_payload_is_as_strict_as_the_original(registered: Api) -> None:
    [chip] = registered.given(b.chip("b30a"))
    original = registered.post(b.chip("b40", name=1.5))
    assert_problem(original, 422, "validation-error", "/data/name")
    response = registered.post(b.correction(chip["id"], data={**chip["data"], "name": 1.5}))
    assert_problem(response, 422, "invalid-event", "/data/changes/data/name")


def test_a_corrected_payload_may_only_name_registered_ids(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    data = {**imposed["data"], "chips": ["h20", "ghost"]}
    response = registered.post(b.correction(imposed["id"], data=data))
    assert_problem(response, 422, "invalid-event", "/data/changes/data/chips/1")


def test_a_correction_without_changes_is_refused(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    assert_problem(registered.post(b.correction(imposed["id"])), 422, "validation-error",
                   "/data/changes")


def test_a_correction_cannot_remove_a_clock(registered: Api, subtests: pytest.Subtests) -> None:
    [imposed] = registered.given(b.measure())
    for clock_field in ("effective_at", "reported_at"):
        with subtests.test(clock_field):
            response = registered.post(b.correction(imposed["id"], **{clock_field: None}))
            assert_problem(response, 422, "invalid-event", f"/data/changes/{clock_field}")


def test_a_revision_has_no_effective_at_of_its_own(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    body = with_(b.retraction(imposed["id"]), effective_at="2025-05-01")
    assert_problem(registered.post(body), 422, "invalid-event", "/effective_at")


def test_a_correction_reinstates_a_retracted_event(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    registered.given(b.retraction(imposed["id"]),
                     b.correction(imposed["id"], effective_at="2025-04-10"),
                     b.amendment())  # the measure lives again


def test_a_revision_takes_the_next_version_of_its_targets_aggregate(registered: Api) -> None:
    imposed, amended = registered.given(b.measure(), b.amendment())
    fix, withdrawn = registered.given(b.correction(imposed["id"], effective_at="2025-04-10"),
                                      b.retraction(amended["id"]))
    assert (imposed["version"], amended["version"]) == (1, 2)
    assert (fix["version"], withdrawn["version"]) == (3, 4)


# -- expected_version / If-Match ---------------------------------------------------------

def test_a_matching_expected_version_is_accepted(registered: Api) -> None:
    registered.given(b.measure())
    [amended] = registered.given(with_(b.amendment(), expected_version=1))
    assert amended["version"] == 2


def test_a_stale_expected_version_is_a_conflict_giving_the_current_version(
        registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(with_(b.lift(), expected_version=1))
    problem = assert_problem(response, 409, "version-conflict", "/expected_version")
    assert problem["current_version"] == 2


def test_a_matching_if_match_is_accepted(registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(b.lift(), **{"If-Match": '"2"'})
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 3


def test_a_stale_if_match_is_a_conflict_giving_the_current_version(registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(b.lift(), **{"If-Match": '"1"'})
    assert response.status_code == 409, response.text
    assert response.json()["type"] == "/problems/version-conflict"
    assert response.json()["current_version"] == 2


def test_a_stale_if_match_conflict_points_at_the_header(registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(b.lift(), **{"If-Match": '"1"'})
    assert_header_problem(response, 409, "version-conflict", "If-Match")


def test_if_match_disagreeing_with_expected_version_is_refused(registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(with_(b.lift(), expected_version=2), **{"If-Match": '"1"'})
    assert_header_problem(response, 422, "validation-error", "If-Match")


def test_a_malformed_if_match_is_refused(registered: Api) -> None:
    registered.given(b.measure())
    response = registered.post(b.lift(), **{"If-Match": "latest"})
    assert_header_problem(response, 422, "validation-error", "If-Match")


def test_a_creation_accepts_expected_version_zero(registered: Api) -> None:
    [imposed] = registered.given(with_(b.measure(), expected_version=0))
    assert imposed["version"] == 1


def test_a_creation_with_a_nonzero_expected_version_is_a_conflict(registered: Api) -> None:
    problem = assert_problem(registered.post(with_(b.measure(), expected_version=1)), 409,
                             "version-conflict", "/expected_version")
    assert problem["current_version"] == 0


def test_a_revision_checks_the_version_of_its_targets_aggregate(registered: Api) -> None:
    imposed, _ = registered.given(b.measure(), b.amendment())
    response = registered.post(with_(b.correction(imposed["id"], effective_at="2025-04-10"),
                                     expected_version=1))
    problem = assert_problem(response, 409, "version-conflict", "/expected_version")
    assert problem["current_version"] == 2


# -- reported_at and recorded_at ---------------------------------------------------------

def test_reported_at_of_a_future_rule_defaults_to_recorded_at(registered: Api) -> None:
    [imposed] = registered.given(b.measure(effective_at="2026-06-01"))
    assert imposed["recorded_at"] == NOW
    assert imposed["reported_at"] == NOW


def test_reported_at_of_a_revision_defaults_to_recorded_at(registered: Api,
                                                           clock: FakeClock) -> None:
    [imposed] = registered.given(b.measure())
    clock.now = datetime(2026, 2, 1, 8, 30, 0, 250_000, tzinfo=UTC)
    [fix] = registered.given(b.correction(imposed["id"], effective_at="2025-04-10"))
    assert fix["recorded_at"] == "2026-02-01T08:30:00.250000Z"
    assert fix["reported_at"] == fix["recorded_at"]


def test_reported_at_of_a_registry_event_defaults_to_recorded_at(api: Api) -> None:
    [nvidia] = api.given(b.company())
    assert nvidia["reported_at"] == nvidia["recorded_at"] == NOW


def test_an_explicit_reported_at_is_kept_in_utc(registered: Api) -> None:
    [imposed] = registered.given(with_(b.measure(effective_at="2025-04-09"),
                                       reported_at="2025-04-01T02:00:00+02:00"))
    assert imposed["reported_at"] == "2025-04-01T00:00:00Z"


def test_an_explicit_reported_at_of_a_revision_is_kept(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    [fix] = registered.given(with_(b.correction(imposed["id"], effective_at="2025-04-10"),
                                   reported_at="2025-04-12"))
    assert fix["reported_at"] == "2025-04-12T00:00:00Z"


def test_correcting_effective_at_does_not_move_the_stored_reported_at(
        registered: Api, container: Container) -> None:
    [imposed] = registered.given(b.measure(effective_at="2025-04-09"))
    registered.given(b.correction(imposed["id"], effective_at="2025-03-01"))
    container.catch_up()
    stored = registered.client.get(f"/v1/events/{imposed['id']}").json()
    assert stored["reported_at"] == "2025-04-09T00:00:00Z"
    assert stored["effective_at"] == "2025-04-09T00:00:00Z"


def test_recorded_at_never_decreases_when_the_clock_steps_back(api: Api,
                                                               clock: FakeClock) -> None:
    [first] = api.given(b.company("nvidia"))
    clock.now -= timedelta(hours=3)
    [second] = api.given(b.company("amkor"))
    assert second["recorded_at"] == first["recorded_at"] == NOW
    assert second["position"] > first["position"]


def test_recorded_at_never_decreases_across_a_restart(api: Api, backend: Backend,
                                                      clock: FakeClock) -> None:
    [first] = api.given(b.company("nvidia"))
    behind = FakeClock(clock.now - timedelta(hours=3))
    restarted = bootstrap(backend.settings, clock=behind)
    try:
        with TestClient(create_app(restarted), raise_server_exceptions=False) as client:
            [second] = Api(client, api.headers).given(b.company("amkor"))
    finally:
        restarted.close()
    assert second["recorded_at"] >= first["recorded_at"]
