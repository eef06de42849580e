"""POST /v1/events: the happy path of every catalog type, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import builders as b


def post(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post("/v1/events", json=body, headers=headers)


def test_every_event_type_is_accepted(client: TestClient, write_headers: dict[str, str]) -> None:
    stored = {}
    for body in [
        *b.basics(),
        b.company("amkor"),
        b.measure(),
        b.amendment(),
        b.license_granted(expires_at="2026-08-10"),
        b.license_denied(),
        b.revenue_share(),
        b.advisory(),
        b.halt(suppliers=["amkor"]),
        b.resume(),
        b.investigation(),
        b.investigation_concluded(),
        b.revenue_share_ended(),
        b.advisory_withdrawn(),
        b.license_revoked(),
        b.lift(),
    ]:
        response = post(client, write_headers, body)
        assert response.status_code == 201, response.text
        stored[body["type"]] = response.json()
    correction = post(
        client,
        write_headers,
        b.correction(stored["ExportBanImposed"]["id"], effective_at="2025-04-10"),
    )
    assert correction.status_code == 201, correction.text
    retraction = post(client, write_headers, b.retraction(stored["LicenseDenied"]["id"]))
    assert retraction.status_code == 201, retraction.text
    assert len(stored) == 16


def test_the_response_is_the_stored_event(
    client: TestClient, write_headers: dict[str, str]
) -> None:
    for body in b.basics():
        post(client, write_headers, body)
    response = post(client, write_headers, b.revenue_share(percent="15.000"))
    event = response.json()
    assert response.headers["location"] == f"/v1/events/{event['id']}"
    assert event["data"]["percent"] == "15"
    assert event["effective_at"] == "2025-08-11T00:00:00Z"
    assert event["reported_at"] == "2025-08-11T00:00:00Z"  # min(effective_at, recorded_at)
    assert event["version"] == 1 and event["schema_version"] == 1
    assert event["recorded_by"] == "test-write"
    assert event["position"] > 2


@pytest.mark.parametrize("scope", ["read", "subscribe"])
def test_writing_needs_the_write_scope(client: TestClient, container: Any, scope: str) -> None:
    from domain.clocks import utc_now

    token = container.keys.create(scope, "x", utc_now())[1]
    response = post(client, {"Authorization": f"Bearer {token}"}, b.company())
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
