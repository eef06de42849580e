"""HTTP conventions (docs/http.md): health and readiness, the OpenAPI document and the offline
/docs page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import uid

EVENT_TYPES = {
    "CompanyRegistered",
    "ChipRegistered",
    "ExportBanImposed",
    "ExportBanAmended",
    "ExportBanLifted",
    "ExportBanSuspended",
    "ExportBanReinstated",
    "DestinationGroupDefined",
    "DestinationGroupAmended",
    "LicenseApplied",
    "LicenseApplicationWithdrawn",
    "OwnershipRecorded",
    "OwnershipEnded",
    "TariffImposed",
    "TariffAmended",
    "TariffLifted",
    "PolicyAnnounced",
    "PolicyAnnouncementWithdrawn",
    "LicenseGranted",
    "LicenseDenied",
    "LicenseRevoked",
    "RevenueShareAgreed",
    "RevenueShareEnded",
    "AdvisoryIssued",
    "AdvisoryWithdrawn",
    "ProductionHalted",
    "ProductionResumed",
    "InvestigationOpened",
    "InvestigationConcluded",
    "EventCorrected",
    "EventRetracted",
}


# -- health -------------------------------------------------------------------------------


def test_healthz_says_the_process_is_up(api: Api) -> None:
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database_and_the_projection_lag(api: Api) -> None:
    api.post(b.company(uid()))  # stored, not yet projected
    report = api.client.get("/readyz")
    assert report.status_code == 200
    body = report.json()
    assert body["status"] == "ready" and body["database"] == "ok"
    assert body["log_head"] == api.container.log.head()
    events = body["projections"]["views"]
    assert events["lag"] == body["log_head"] - events["position"] > 0


def test_readyz_reports_no_lag_once_projections_catch_up(api: Api) -> None:
    api.stored(b.company(uid()))
    body = api.client.get("/readyz").json()
    assert all(p["lag"] == 0 for p in body["projections"].values())


# -- OpenAPI and /docs --------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi(api: Api) -> dict[str, Any]:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/components/schemas/"), ref
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]  # type: ignore[no-any-return]


def test_openapi_is_version_3_1(openapi: dict[str, Any]) -> None:
    assert openapi["openapi"].startswith("3.1.")


def test_openapi_has_a_discriminated_union_of_the_31_event_types(openapi: dict[str, Any]) -> None:
    event = openapi["components"]["schemas"]["Event"]
    assert event["discriminator"]["propertyName"] == "type"
    assert set(event["discriminator"]["mapping"]) == EVENT_TYPES
    assert len(event["oneOf"]) == 31
    assert {o["$ref"] for o in event["oneOf"]} == set(event["discriminator"]["mapping"].values())


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_openapi_has_a_closed_schema_per_event_type(
    openapi: dict[str, Any], event_type: str
) -> None:
    mapping = openapi["components"]["schemas"]["Event"]["discriminator"]["mapping"]
    schema = _resolve(openapi, mapping[event_type])
    assert schema["properties"]["type"].get("const", event_type) == event_type
    assert schema["properties"]["type"].get("enum", [event_type]) == [event_type]
    assert schema["additionalProperties"] is False
    assert "type" in schema["required"] and "data" in schema["required"]
    data = _resolve(openapi, schema["properties"]["data"]["$ref"])
    assert data["additionalProperties"] is False


@pytest.mark.parametrize(
    ("path", "schema"), [("/v1/events", "Event"), ("/v1/events/batch", "EventBatch")]
)
def test_openapi_describes_the_write_bodies(
    openapi: dict[str, Any], path: str, schema: str
) -> None:
    body = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == f"#/components/schemas/{schema}"


def test_docs_page_uses_only_local_assets(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"(https?:)?//", page.text), "the page must not reach a CDN"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/docs/assets/") for a in assets), assets


def test_docs_assets_are_served(api: Api) -> None:
    page = api.client.get("/docs").text
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page):
        response = api.client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 1000, asset
