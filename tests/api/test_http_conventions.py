"""HTTP conventions (SPEC §5): problems for the framework's errors, limits, media types,
caching, CORS, health, the OpenAPI document and offline /docs.

The module shares one service per backend (and one with CORS on); tests that store use
ids of their own and read only what they wrote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.clocks import utc_now
from services.bootstrap import Container
from tests.support import builders as b
from tests.support import postgres
from tests.support.problems import assert_problem, uid
from tests.support.service import open_service

ORIGIN = "https://app.example"
EXPOSED = {"etag", "link", "location", "retry-after"}
EVENT_TYPES = {
    "CompanyRegistered", "ChipRegistered", "ExportBanImposed", "ExportBanAmended",
    "ExportBanLifted", "LicenseGranted", "LicenseDenied", "LicenseRevoked", "RevenueShareAgreed",
    "RevenueShareEnded", "AdvisoryIssued", "AdvisoryWithdrawn", "ProductionHalted",
    "ProductionResumed", "InvestigationOpened", "InvestigationConcluded", "EventCorrected",
    "EventRetracted",
}




@dataclass
class Api:
    client: TestClient
    container: Container
    write: dict[str, str]

    def post(self, body: Any) -> Response:
        response: Response = self.client.post("/v1/events", json=body, headers=self.write)
        return response

    def post_raw(self, raw: Any, content_type: str | None = "application/json",
                 path: str = "/v1/events") -> Response:
        headers = dict(self.write)
        if content_type is not None:
            headers["Content-Type"] = content_type
        response: Response = self.client.post(path, content=raw, headers=headers)
        return response

    def stored(self, body: dict[str, Any]) -> dict[str, Any]:
        """Append `body` and bring the projections to the head: the stored event."""
        response = self.post(body)
        assert response.status_code == 201, response.text
        self.container.catch_up()
        return response.json()  # type: ignore[no-any-return]


@contextmanager
def open_api(kind: str, tmp_path: Path, farm: postgres.PostgresFarm | None,
             **overrides: Any) -> Iterator[Api]:
    """A migrated service on `kind` (with `overrides` to its Settings), nvidia registered."""
    with open_service(kind, tmp_path, farm, **overrides) as service:
        client, container = service.client, service.container
        token = container.keys.create("write", "test-write", utc_now())[1]
        api = Api(client, container, {"Authorization": f"Bearer {token}"})
        api.stored(b.company("nvidia"))
        yield api


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        pg_farm: postgres.PostgresFarm | None) -> Iterator[Api]:
    with open_api(request.param, tmp_path_factory.mktemp("http"), pg_farm) as shared:
        yield shared


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def cors_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
             pg_farm: postgres.PostgresFarm | None) -> Iterator[Api]:
    with open_api(request.param, tmp_path_factory.mktemp("cors"), pg_farm,
                  cors_origins=[ORIGIN]) as shared:
        yield shared


# -- body size (413) ----------------------------------------------------------------------

def _padded(body: dict[str, Any], size: int) -> bytes:
    """`body` as JSON followed by whitespace up to `size` bytes (still valid JSON)."""
    raw = json.dumps(body).encode()
    return raw + b" " * (size - len(raw))


def test_a_single_event_body_over_64_kb_is_a_413(api: Api) -> None:
    response = api.post_raw(_padded(b.company(uid()), 64 * 1024 + 1))
    assert_problem(response, 413, "payload-too-large", header="Content-Length")


def test_a_single_event_body_of_exactly_64_kb_is_read(api: Api) -> None:
    response = api.post_raw(_padded(b.company(uid()), 64 * 1024))
    assert response.status_code == 201, response.text


def test_a_chunked_body_over_64_kb_is_a_413_without_a_content_length(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"type": "CompanyRegistered"'
        for _ in range(70):
            yield b" " * 1024

    response = api.post_raw(chunks())
    assert_problem(response, 413, "payload-too-large", header="Content-Length")


def test_a_batch_may_exceed_the_single_event_limit(api: Api) -> None:
    events = [{**b.company(uid()), "summary": "s" * 900} for _ in range(100)]
    response = api.client.post("/v1/events/batch", json={"events": events}, headers=api.write)
    assert response.status_code == 201, response.text


def test_a_batch_body_over_4_mb_is_a_413(api: Api) -> None:
    raw = _padded({"events": [b.company(uid())]}, 4 * 1024 * 1024 + 1)
    response = api.post_raw(raw, path="/v1/events/batch")
    assert_problem(response, 413, "payload-too-large", header="Content-Length")


# -- media type (415) ---------------------------------------------------------------------

@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonx",
                                          "text/json"])
def test_a_body_that_is_not_declared_json_is_a_415(api: Api, content_type: str | None) -> None:
    response = api.post_raw(json.dumps(b.company(uid())).encode(), content_type)
    assert_problem(response, 415, "unsupported-media-type", header="Content-Type")


def test_a_batch_that_is_not_declared_json_is_a_415(api: Api) -> None:
    response = api.post_raw(b'{"events": []}', "text/plain", path="/v1/events/batch")
    assert_problem(response, 415, "unsupported-media-type", header="Content-Type")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_with_parameters_or_any_case_is_accepted(api: Api, content_type: str) -> None:
    response = api.post_raw(json.dumps(b.company(uid())).encode(), content_type)
    assert response.status_code == 201, response.text


# -- routing (404, 405) -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/nope", "/nope", "/v2/events", "/v1/events/batch/x"])
def test_an_unknown_route_is_a_404_problem(api: Api, path: str) -> None:
    body = assert_problem(api.client.get(path), 404, "not-found")
    assert path in body["detail"]


def test_an_unknown_event_id_is_a_404_naming_the_parameter(api: Api) -> None:
    api.container.catch_up()  # else the read first waits for the unprojected tail
    response = api.client.get("/v1/events/00000000-0000-4000-8000-000000000000")
    assert_problem(response, 404, "not-found", parameter="event_id")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/v1/events", {"GET", "POST"}),
    ("PUT", "/v1/events", {"GET", "POST"}),
    ("PATCH", "/v1/events/batch", {"POST"}),
    ("POST", "/healthz", {"GET"}),
])
def test_a_wrong_method_is_a_405_problem_with_allow(api: Api, method: str, path: str,
                                                    allowed: set[str]) -> None:
    response = api.client.request(method, path, headers=api.write)
    assert_problem(response, 405, "method-not-allowed")
    assert allowed <= {m.strip() for m in response.headers["allow"].split(",")}
    assert method not in response.headers["allow"]


def test_a_problem_type_is_a_uri_that_describes_it(api: Api) -> None:
    problem = api.client.get("/v1/nope").json()
    page = api.client.get(problem["type"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "404" in page.text


# -- headers and query parameters ---------------------------------------------------------

@pytest.mark.parametrize("if_match", ["abc", '"-1"', '"1.5"', '""'])
def test_a_malformed_if_match_is_a_422_naming_the_header(api: Api, if_match: str) -> None:
    response = api.client.post("/v1/events", json=b.company(uid()),
                               headers={**api.write, "If-Match": if_match})
    assert_problem(response, 422, "validation-error", header="If-Match")


@pytest.mark.parametrize(("query", "parameter"), [
    ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit"), ("after=-1", "after"),
    ("type=ExportBanRemoved", "type"), ("chip=H20", "chip"),
    ("effective_from=2025-01-01T00:00:00", "effective_from"), ("bogus=1", "bogus"),
])
def test_a_bad_query_parameter_is_a_422_naming_it(api: Api, query: str, parameter: str) -> None:
    response = api.client.get(f"/v1/events?{query}")
    assert_problem(response, 422, "validation-error", parameter=parameter)


def test_a_page_links_to_the_next_one(api: Api) -> None:
    first = api.stored(b.company(uid()))
    api.stored(b.company(uid()))
    response = api.client.get(f"/v1/events?after={first['position'] - 1}&limit=1")
    assert response.json()["next"] == str(first["position"])
    link = response.headers["link"]
    assert re.fullmatch(r'<(/v1/events\?[^>]+)>; rel="next"', link), link
    target = re.fullmatch(r"<([^>]+)>.*", link).group(1)  # type: ignore[union-attr]
    assert api.client.get(target).json()["items"][0]["position"] > first["position"]


# -- caching ------------------------------------------------------------------------------

def test_a_stored_event_is_cached_for_good_with_a_weak_etag(api: Api) -> None:
    event = api.stored(b.company(uid()))
    response = api.client.get(f"/v1/events/{event['id']}")
    assert response.status_code == 200
    assert response.json() == event
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert re.fullmatch(r'W/"[^"]+"', response.headers["etag"])


def test_a_stored_event_is_a_304_when_if_none_match_has_its_etag(api: Api) -> None:
    event = api.stored(b.company(uid()))
    etag = api.client.get(f"/v1/events/{event['id']}").headers["etag"]
    response = api.client.get(f"/v1/events/{event['id']}", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


def test_a_stored_event_is_a_200_when_if_none_match_has_another_etag(api: Api) -> None:
    event = api.stored(b.company(uid()))
    response = api.client.get(f"/v1/events/{event['id']}", headers={"If-None-Match": 'W/"0"'})
    assert response.status_code == 200
    assert response.json()["id"] == event["id"]


def test_the_log_page_is_a_304_until_it_changes(api: Api) -> None:
    first = api.stored(b.company(uid()))
    url = f"/v1/events?after={first['position'] - 1}"
    page = api.client.get(url)
    assert re.fullmatch(r'W/"[^"]+"', page.headers["etag"])
    max_age = re.search(r"max-age=(\d+)", page.headers["cache-control"])
    assert max_age is not None and int(max_age.group(1)) <= 60
    unchanged = api.client.get(url, headers={"If-None-Match": page.headers["etag"]})
    assert unchanged.status_code == 304
    api.stored(b.company(uid()))
    changed = api.client.get(url, headers={"If-None-Match": page.headers["etag"]})
    assert changed.status_code == 200
    assert changed.headers["etag"] != page.headers["etag"]
    assert len(changed.json()["items"]) == 2


# -- CORS ---------------------------------------------------------------------------------

def _exposed(response: Response) -> set[str]:
    header = response.headers.get("access-control-expose-headers", "")
    return {h.strip().lower() for h in header.split(",") if h.strip()}


def test_a_preflight_from_an_allowed_origin_allows_the_write_headers(cors_api: Api) -> None:
    response = cors_api.client.options("/v1/events", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, if-match"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "if-match"} <= allowed


def test_a_get_from_an_allowed_origin_exposes_the_api_headers(cors_api: Api) -> None:
    response = cors_api.client.get("/v1/events", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert _exposed(response) >= EXPOSED


def test_a_created_response_exposes_its_location(cors_api: Api) -> None:
    response = cors_api.client.post("/v1/events", json=b.company(uid()),
                                    headers={**cors_api.write, "Origin": ORIGIN})
    assert response.status_code == 201, response.text
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "location" in _exposed(response)


def test_a_problem_response_carries_cors_headers(cors_api: Api) -> None:
    response = cors_api.client.get("/v1/nope", headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_another_origin_is_not_allowed(cors_api: Api) -> None:
    response = cors_api.client.get("/v1/events", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_without_configured_origins_no_cors_headers_are_sent(api: Api) -> None:
    response = api.client.get("/v1/events", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_without_configured_origins_a_preflight_is_not_answered(api: Api) -> None:
    response = api.client.options("/v1/events", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in response.headers


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


def test_openapi_has_a_discriminated_union_of_the_18_event_types(openapi: dict[str, Any]) -> None:
    event = openapi["components"]["schemas"]["Event"]
    assert event["discriminator"]["propertyName"] == "type"
    assert set(event["discriminator"]["mapping"]) == EVENT_TYPES
    assert len(event["oneOf"]) == 18
    assert {o["$ref"] for o in event["oneOf"]} == set(event["discriminator"]["mapping"].values())


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_openapi_has_a_closed_schema_per_event_type(openapi: dict[str, Any],
                                                    event_type: str) -> None:
    mapping = openapi["components"]["schemas"]["Event"]["discriminator"]["mapping"]
    schema = _resolve(openapi, mapping[event_type])
    assert schema["properties"]["type"].get("const", event_type) == event_type
    assert schema["properties"]["type"].get("enum", [event_type]) == [event_type]
    assert schema["additionalProperties"] is False
    assert "type" in schema["required"] and "data" in schema["required"]
    data = _resolve(openapi, schema["properties"]["data"]["$ref"])
    assert data["additionalProperties"] is False


@pytest.mark.parametrize(("path", "schema"), [("/v1/events", "Event"),
                                              ("/v1/events/batch", "EventBatch")])
def test_openapi_describes_the_write_bodies(openapi: dict[str, Any], path: str,
                                            schema: str) -> None:
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
