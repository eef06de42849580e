"""HTTP conventions (docs/http.md): problems for unknown routes (404) and methods (405), bad
headers and query parameters (422), and the Link to a log page's next page."""

from __future__ import annotations

import re

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid

# -- routing (404, 405) -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/nope", "/nope", "/v2/events", "/v1/events/batch/x"])
def test_an_unknown_route_is_a_404_problem(api: Api, path: str) -> None:
    body = assert_problem(api.client.get(path), 404, "not-found")
    assert path in body["detail"]


def test_an_unknown_event_id_is_a_404_naming_the_parameter(api: Api) -> None:
    api.container.catch_up()  # else the read first waits for the unprojected tail
    response = api.client.get("/v1/events/00000000-0000-4000-8000-000000000000")
    assert_problem(response, 404, "not-found", parameter="event_id")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/v1/events", {"GET", "POST"}),
        ("PUT", "/v1/events", {"GET", "POST"}),
        ("PATCH", "/v1/events/batch", {"POST"}),
        ("POST", "/healthz", {"GET"}),
    ],
)
def test_a_wrong_method_is_a_405_problem_with_allow(
    api: Api, method: str, path: str, allowed: set[str]
) -> None:
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
    response = api.client.post(
        "/v1/events", json=b.company(uid()), headers={**api.write, "If-Match": if_match}
    )
    assert_problem(response, 422, "validation-error", header="If-Match")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("after=-1", "after"),
        ("type=ExportBanRemoved", "type"),
        ("chip=H20", "chip"),
        ("effective_from=2025-01-01T00:00:00", "effective_from"),
        ("bogus=1", "bogus"),
    ],
)
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
