"""The objects of catalog v2 part 2 over HTTP, on both backends: GET /v1/applications/{id} is
pending from its filing until a licence grants it, a denial or a withdrawal ends it; a v1
denial is a denied application; /v1/tariffs and /v1/announcements list and answer their
objects, an announcement open until a tariff naming it in `implements` takes effect
(docs/api.md, "Answers"). A denial written by another process, whose cache never saw the
application, still ends it (the writer's optimistic creation is retried against the log).
"""

from __future__ import annotations

from typing import Any

import pytest

from services.api.app import create_app
from services.bootstrap import bootstrap
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.support.contract import checked_client
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid


@pytest.fixture(scope="module")
def api(api: Api) -> Api:
    """The module's service on each backend (tests/api/conftest.py), with nvidia and its H20."""
    api.given(*b.basics())
    return api


def statuses(api: Api, path: str, *as_of: str) -> list[str]:
    api.container.catch_up()
    return [api.ok(path, as_of=moment)["status"] for moment in as_of]


# -- applications -----------------------------------------------------------------------------


def test_an_application_is_pending_until_a_licence_grants_it(api: Api) -> None:
    app, licence = uid("app"), uid("lic")
    [filed, granted] = api.given(
        v2.applied(app, effective_at="2025-07-15"),
        b.license_granted(licence, effective_at="2025-08-11", application_id=app),
    )
    path = f"/v1/applications/{app}"
    assert statuses(api, path, "2025-07-15", "2025-08-10", "2025-08-11") == [
        "pending",
        "pending",
        "granted",
    ]
    body = api.ok(path)
    assert (body["application_id"], body["licensee"], body["chips"]) == (app, "nvidia", ["h20"])
    assert [(e["id"], e["type"]) for e in body["events"]] == [
        (filed["id"], "LicenseApplied"),
        (granted["id"], "LicenseGranted"),
    ]


def test_a_denial_or_a_withdrawal_ends_a_pending_application(api: Api) -> None:
    denied, withdrawn = uid("app"), uid("app")
    api.given(v2.applied(denied), b.license_denied(denied, effective_at="2025-08-01"))
    api.given(v2.applied(withdrawn), v2.application_withdrawn(withdrawn, effective_at="2025-09-01"))
    assert statuses(api, f"/v1/applications/{denied}", "2025-07-31", "2025-08-01") == [
        "pending",
        "denied",
    ]
    assert statuses(api, f"/v1/applications/{withdrawn}", "2025-08-31", "2025-09-01") == [
        "pending",
        "withdrawn",
    ]
    assert api.ok(f"/v1/applications/{denied}")["version"] == 2


def test_a_v1_denial_is_a_denied_application_and_an_unknown_one_a_404(api: Api) -> None:
    app = uid("app")
    api.given(b.license_denied(app, effective_at="2025-06-01"))
    assert statuses(api, f"/v1/applications/{app}", "2025-06-01") == ["denied"]
    missing = api.get(f"/v1/applications/{uid('app')}")
    assert_problem(missing, 404, "not-found", parameter="application_id")


def test_the_applications_list_gives_each_status(api: Api) -> None:
    pending, withdrawn = uid("app"), uid("app")
    api.given(v2.applied(pending), v2.applied(withdrawn), v2.application_withdrawn(withdrawn))
    api.container.catch_up()
    listed = {
        item["application_id"]: item["status"]
        for item in api.ok("/v1/applications", as_of="2025-12-01", limit=1000)["items"]
    }
    assert (listed[pending], listed[withdrawn]) == ("pending", "withdrawn")


def test_a_denial_written_by_another_process_ends_the_application(api: Api) -> None:
    """The other writer has never seen the application: it presumes the denial's id new, the
    log refuses the duplicate version, and deciding again against the log ends it."""
    app = uid("app")
    api.given(v2.applied(app))
    other = bootstrap(api.container.settings, clock=api.clock)
    try:
        with checked_client(create_app(other)) as client:
            denial = b.license_denied(app, effective_at="2025-08-01")
            response = client.post("/v1/events", json=denial, headers=api.write)
    finally:
        other.close()
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 2
    assert statuses(api, f"/v1/applications/{app}", "2025-08-01") == ["denied"]


# -- tariffs and announcements -----------------------------------------------------------------


def test_a_tariff_is_listed_and_answered_as_amended_and_lifted(api: Api) -> None:
    tariff = uid("tariff")
    api.given(
        v2.tariff(tariff, effective_at="2026-01-15", basis="Section 232"),
        v2.tariff_amended(tariff, effective_at="2026-02-01", rate_percent=50),
        v2.tariff_lifted(tariff, effective_at="2026-06-01"),
    )
    path = f"/v1/tariffs/{tariff}"
    assert statuses(api, path, "2026-01-14", "2026-01-15", "2026-06-01") == [
        "pending",
        "in_force",
        "lifted",
    ]
    rates = [api.ok(path, as_of=day)["rate_percent"] for day in ("2026-01-20", "2026-02-01")]
    assert rates == ["25", "50"]
    body = api.ok(path, as_of="2026-02-01")
    assert (body["basis"], body["chips"], body["direction"], body["version"]) == (
        "Section 232",
        ["h20"],
        "import",
        3,
    )
    listed = api.ok("/v1/tariffs", as_of="2026-02-01", in_force="true", limit=1000)["items"]
    [item] = [i for i in listed if i["tariff_id"] == tariff]
    assert (item["status"], item["rate_percent"]) == ("in_force", "50")
    lifted = api.ok("/v1/tariffs", as_of="2026-06-01", in_force="true", limit=1000)["items"]
    assert tariff not in [i["tariff_id"] for i in lifted]


def test_an_announcement_is_open_until_a_tariff_implementing_it_takes_effect(api: Api) -> None:
    announcement, tariff = uid("ann"), uid("tariff")
    [announced, imposed] = api.given(
        v2.announced(announcement, effective_at="2025-12-08", expected_effective_at="2026-01-15"),
        v2.tariff(tariff, effective_at="2026-01-15", implements=[announcement]),
    )
    path = f"/v1/announcements/{announcement}"
    assert statuses(api, path, "2025-12-08", "2026-01-14", "2026-01-15") == [
        "open",
        "open",
        "implemented",
    ]
    body: dict[str, Any] = api.ok(path, as_of="2026-01-15")
    assert body["expected_effective_at"] == "2026-01-15T00:00:00Z"
    assert [e["id"] for e in body["events"]] == [announced["id"], imposed["id"]]
    listed = api.ok("/v1/announcements", as_of="2025-12-31", limit=1000)["items"]
    assert [i["status"] for i in listed if i["announcement_id"] == announcement] == ["open"]


def test_a_withdrawn_announcement_is_withdrawn(api: Api) -> None:
    announcement = uid("ann")
    api.given(
        v2.announced(announcement, effective_at="2025-12-08"),
        v2.announcement_withdrawn(announcement, effective_at="2026-03-01"),
    )
    path = f"/v1/announcements/{announcement}"
    assert statuses(api, path, "2026-02-28", "2026-03-01") == ["open", "withdrawn"]
