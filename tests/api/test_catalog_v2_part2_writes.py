"""POST /v1/events of catalog v2 part 2, on both backends: applications, ownership, tariffs and
announcements, and the new fields of licences, agreements and measures, are stored and
echoed by GET /v1/events/{id} with their data normalised; a v1 licence or agreement is
echoed as in v1; the write rules refuse with RFC 9457 problems naming the field and store
nothing (docs/events.md, "Write rules"; the rules in full: tests/unit/test_catalog_v2_part2_*.py).

The application, tariff and announcement reads are in test_catalog_v2_part2_objects.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid


@pytest.fixture(scope="module")
def api(api: Api) -> Api:
    """The module's service on each backend (tests/api/conftest.py), with nvidia, amkor and
    the H20 registered."""
    api.given(*b.basics(), b.company("amkor"))
    return api


def echoed(api: Api, stored: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/events/{id} of a stored event: it must answer the event as the POST did."""
    api.container.catch_up()
    body = api.ok(f"/v1/events/{stored['id']}")
    assert body == stored
    return body


def companies(api: Api, count: int) -> list[str]:
    """Companies of the test's own (an ownership is keyed by its pair)."""
    slugs = [uid("co") for _ in range(count)]
    api.given(*(b.company(slug) for slug in slugs))
    return slugs


def test_each_part2_type_is_stored_and_echoed_normalised(api: Api) -> None:
    app, tariff, announcement = uid("app"), uid("tariff"), uid("ann")
    owner, owned = companies(api, 2)
    bodies = [
        v2.announced(announcement, expected_effective_at="2026-01-15"),
        v2.applied(app),
        v2.application_withdrawn(app, reason="returned without action"),
        v2.owns(owner, owned, percent="50.50"),
        v2.ownership_ended(owner, owned),
        v2.tariff(
            tariff,
            criteria=[{"tpp_min": 4800.0}],
            origins=["TW"],
            destinations=["CN"],
            basis="Section 232",
            implements=[announcement],
        ),  # fmt: skip
        v2.tariff_amended(tariff, rate_percent="30.00"),
        v2.tariff_lifted(tariff, reason="court ruling"),
        v2.announcement_withdrawn(announcement),
    ]
    data = [echoed(api, stored)["data"] for stored in api.given(*bodies)]
    assert data == [
        {**v2.announced(announcement)["data"], "expected_effective_at": "2026-01-15T00:00:00Z"},
        v2.applied(app)["data"],
        {"application_id": app, "reason": "returned without action"},
        {"owner": owner, "owned": owned, "percent": "50.5"},
        {"owner": owner, "owned": owned},
        {
            **v2.tariff(tariff)["data"],
            "rate_percent": "25",
            "criteria": [{"tpp_min": "4800"}],
            "origins": ["TW"],
            "destinations": ["CN"],
            "basis": "Section 232",
            "implements": [announcement],
        },
        {"tariff_id": tariff, "rate_percent": "30"},
        {"tariff_id": tariff, "reason": "court ruling"},
        {"announcement_id": announcement},
    ]


def test_the_new_fields_of_licences_agreements_and_measures_are_echoed(api: Api) -> None:
    app, announcement = uid("app"), uid("ann")
    licence, agreement, measure = uid("lic"), uid("agr"), uid("m")
    api.given(v2.announced(announcement), v2.applied(app))
    bodies = [
        b.license_granted(
            licence,
            application_id=app,
            conditions=["no military end use"],
            implements=[announcement],
            end_users=["amkor"],
        ),  # fmt: skip
        b.revenue_share(agreement, implements=[announcement]),
        b.measure(
            measure,
            chips=[],
            companies=["amkor"],
            affiliates_min_percent="50.0",
            implements=[announcement],
        ),  # fmt: skip
    ]
    data = [echoed(api, stored)["data"] for stored in api.given(*bodies)]
    assert data == [
        {
            **b.license_granted(licence)["data"],
            "expires_at": None,
            "application_id": app,
            "conditions": ["no military end use"],
            "implements": [announcement],
            "end_users": ["amkor"],
        },
        {**b.revenue_share(agreement)["data"], "percent": "15", "implements": [announcement]},
        {
            **b.measure(measure)["data"],
            "chips": [],
            "criteria": [],
            "companies": ["amkor"],
            "affiliates_min_percent": "50",
            "implements": [announcement],
        },
    ]


def test_a_v1_licence_and_agreement_posted_today_are_echoed_without_any_v2_key(api: Api) -> None:
    today = api.now
    empty = {"application_id": None, "conditions": [], "implements": [], "end_users": []}
    for extra in ({}, empty):
        license_id = uid("lic")
        [stored] = api.given(b.license_granted(license_id, effective_at=today, **extra))
        v1_data = {**b.license_granted(license_id)["data"], "expires_at": None}
        assert echoed(api, stored)["data"] == v1_data
    for extra in ({}, {"implements": []}):
        agreement_id = uid("agr")
        [stored] = api.given(b.revenue_share(agreement_id, effective_at=today, **extra))
        v1_data = {**b.revenue_share(agreement_id)["data"], "percent": "15"}
        assert echoed(api, stored)["data"] == v1_data


# -- refusals ----------------------------------------------------------------------------------

REFUSED: dict[str, tuple[dict[str, Any], str, str]] = {
    "a company owning itself": (v2.owns("amkor", "amkor"), "validation-error", "/data/owned"),
    "percent 101": (v2.owns(percent=101), "validation-error", "/data/percent"),
    "rate 0": (v2.tariff("t", rate_percent=0), "validation-error", "/data/rate_percent"),
    "tariff covering nothing": (v2.tariff("t", chips=[]), "validation-error", "/data"),
    "group in an announcement": (
        v2.announced("a", destinations=["group:ear-d5"]),
        "validation-error",
        "/data/destinations/0",
    ),
    "affiliates without companies": (
        b.measure("m", affiliates_min_percent=50),
        "validation-error",
        "/data/affiliates_min_percent",
    ),
    "unknown group in a tariff": (
        v2.tariff("t", destinations=["group:nowhere"]),
        "invalid-event",
        "/data/destinations/0",
    ),
    "unknown announcement implemented": (
        b.revenue_share("a", implements=["nowhere"]),
        "invalid-event",
        "/data/implements/0",
    ),
    "unknown application granted": (
        b.license_granted("l", application_id="nowhere"),
        "invalid-event",
        "/data/application_id",
    ),
    "unknown end user": (
        b.license_granted("l", end_users=["ghost"]),
        "invalid-event",
        "/data/end_users/0",
    ),
    "unknown owner": (v2.owns("ghost", "amkor"), "invalid-event", "/data/owner"),
    "nothing recorded to end": (v2.ownership_ended(), "invalid-event", "/data/owned"),
    "unknown application withdrawn": (
        v2.application_withdrawn("nowhere"),
        "invalid-event",
        "/data/application_id",
    ),
    "unknown tariff amended": (v2.tariff_amended("nowhere"), "invalid-event", "/data/tariff_id"),
}


@pytest.mark.parametrize(("body", "kind", "pointer"), REFUSED.values(), ids=REFUSED.keys())
def test_a_refusal_is_a_problem_naming_the_field_and_stores_nothing(
    api: Api, body: dict[str, Any], kind: str, pointer: str
) -> None:
    head = api.head()
    assert_problem(api.post(body), 422, kind, pointer=pointer)
    assert api.stored_since(head) == []


def test_the_log_rules_of_part2_objects_over_http(api: Api) -> None:
    app, tariff, measure = uid("app"), uid("tariff"), uid("m")
    owner, owned = companies(api, 2)
    [_, _, recorded, *_] = api.given(
        v2.applied(app),
        v2.application_withdrawn(app, effective_at="2025-08-01"),
        v2.owns(owner, owned),
        v2.tariff(tariff),
        b.measure(measure),
    )
    head = api.head()
    refusals = [
        (b.license_granted(uid("lic"), application_id=app), "/data/application_id"),
        (v2.application_withdrawn(app, effective_at="2025-09-01"), "/type"),
        (b.license_denied(app, effective_at="2025-09-01"), "/type"),
        (v2.tariff_amended(tariff, chips=[]), "/data"),
        (b.amendment(measure, affiliates_min_percent=50), "/data/affiliates_min_percent"),
        (v2.ownership_ended(owner, owned, effective_at="2024-12-31"), "/data/owned"),
        (
            b.correction(recorded["id"], data=v2.owns(owned, owner)["data"]),
            "/data/changes/data/owner",
        ),
    ]
    for body, pointer in refusals:
        assert_problem(api.post(body), 422, "invalid-event", pointer=pointer)
    assert api.stored_since(head) == []
    duplicate = api.post(v2.applied(app, effective_at="2025-10-01"))
    assert_problem(duplicate, 409, "duplicate-id", pointer="/data/application_id")
    corrected = api.given(b.correction(recorded["id"], data=v2.owns(owner, owned, 40)["data"]))
    assert corrected[0]["data"]["changes"]["data"]["percent"] == "40"


def test_a_retracted_application_cannot_be_granted_over_http(api: Api) -> None:
    app = uid("app")
    [filed] = api.given(v2.applied(app))
    api.given(b.retraction(filed["id"]))
    head = api.head()
    grant = b.license_granted(uid("lic"), application_id=app)
    assert_problem(api.post(grant), 422, "invalid-event", pointer="/data/application_id")
    assert api.stored_since(head) == []


def test_a_batch_may_file_an_application_and_end_it(api: Api) -> None:
    """Later items see what earlier ones file: a grant, a denial (joining the application's
    aggregate, version 2) and a withdrawal."""
    granted, denied, withdrawn = uid("app"), uid("app"), uid("app")
    items = api.batch(
        *(v2.applied(app) for app in (granted, denied, withdrawn)),
        b.license_granted(uid("lic"), application_id=granted),
        b.license_denied(denied, effective_at="2025-08-01"),
        v2.application_withdrawn(withdrawn),
    )
    assert [item["version"] for item in items] == [1, 1, 1, 1, 2, 2]
    found = [api.ok(f"/v1/applications/{app}")["status"] for app in (granted, denied, withdrawn)]
    assert found == ["granted", "denied", "withdrawn"]
