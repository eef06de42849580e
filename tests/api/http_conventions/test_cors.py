"""HTTP conventions (docs/http.md): CORS, on a service with one allowed origin and on one with
none (the default)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from httpx import Response

from tests.support import builders as b
from tests.support import postgres
from tests.support.events_api import Api, open_api
from tests.support.problems import uid

ORIGIN = "https://app.example"
EXPOSED = {"etag", "link", "location", "retry-after"}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def cors_api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Api]:
    with open_api(
        request.param, tmp_path_factory.mktemp("cors"), pg_farm, cors_origins=[ORIGIN]
    ) as shared:
        shared.stored(b.company("nvidia"))
        yield shared


# -- CORS ---------------------------------------------------------------------------------


def _exposed(response: Response) -> set[str]:
    header = response.headers.get("access-control-expose-headers", "")
    return {h.strip().lower() for h in header.split(",") if h.strip()}


def test_a_preflight_from_an_allowed_origin_allows_the_write_headers(cors_api: Api) -> None:
    response = cors_api.client.options(
        "/v1/events",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, if-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type", "idempotency-key", "if-match"} <= allowed


def test_a_get_from_an_allowed_origin_exposes_the_api_headers(cors_api: Api) -> None:
    response = cors_api.client.get("/v1/events", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert _exposed(response) >= EXPOSED


def test_a_created_response_exposes_its_location(cors_api: Api) -> None:
    response = cors_api.client.post(
        "/v1/events", json=b.company(uid()), headers={**cors_api.write, "Origin": ORIGIN}
    )
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
    response = api.client.options(
        "/v1/events", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in response.headers
