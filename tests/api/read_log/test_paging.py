"""GET /v1/events: the whole log in position order, and its pages (limit, after, next and
the Link header)."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.read_log import Stored, assert_parameter_problem, get, items

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


# -- the whole log -----------------------------------------------------------------------


def test_the_log_lists_every_stored_event_as_stored(client: TestClient, log: Stored) -> None:
    listed = items(client, "")
    assert listed == sorted(log.values(), key=lambda e: e["position"])


def test_positions_increase_strictly(client: TestClient, log: Stored) -> None:
    positions = [e["position"] for e in items(client, "?limit=1000")]
    assert len(positions) == len(log)
    assert all(a < b for a, b in itertools.pairwise(positions))


# -- pagination --------------------------------------------------------------------------


def test_limit_caps_a_page_and_next_is_the_cursor_of_its_last_item(
    client: TestClient, log: Stored
) -> None:
    page = get(client, "?limit=4").json()
    assert len(page["items"]) == 4
    assert page["next"] == str(page["items"][-1]["position"])


def test_after_continues_from_the_cursor(client: TestClient, log: Stored) -> None:
    first = get(client, "?limit=4").json()
    second = items(client, f"?limit=4&after={first['next']}")
    everything = items(client, "")
    assert second == everything[4:8]


def test_following_the_link_header_yields_the_next_page(client: TestClient, log: Stored) -> None:
    seen: list[dict[str, Any]] = []
    response = get(client, "?limit=3")
    while True:
        assert response.status_code == 200, response.text
        seen += response.json()["items"]
        if response.json()["next"] is None:
            break
        link = LINK.match(response.headers["link"])
        assert link is not None, response.headers["link"]
        response = client.get(link["url"])
    assert seen == items(client, "")


def test_the_link_keeps_the_filters(client: TestClient, log: Stored) -> None:
    response = get(client, "?chip=h20&limit=2")
    link = LINK.match(response.headers["link"])
    assert link is not None
    following = client.get(link["url"]).json()["items"]
    assert following == items(client, "?chip=h20")[2:4]


def test_the_last_page_has_no_next_and_no_link(client: TestClient, log: Stored) -> None:
    response = get(client, f"?limit=3&after={log['revoked']['position']}")
    assert response.json()["next"] is None
    assert len(response.json()["items"]) == 2
    assert "link" not in response.headers


def test_a_page_that_exactly_fills_the_limit_is_the_last(client: TestClient, log: Stored) -> None:
    response = get(client, f"?limit={len(log)}")
    assert len(response.json()["items"]) == len(log)
    assert response.json()["next"] is None and "link" not in response.headers


def test_the_limit_is_from_1_to_1000(
    client: TestClient, log: Stored, subtests: pytest.Subtests
) -> None:
    for limit in ("0", "1001", "-1", "ten", "2.5"):
        with subtests.test(limit=limit):
            assert_parameter_problem(get(client, f"?limit={limit}"), "limit")
    for limit in ("1", "1000"):
        with subtests.test(limit=limit):
            assert get(client, f"?limit={limit}").status_code == 200


def test_a_malformed_cursor_is_refused(client: TestClient, log: Stored) -> None:
    assert_parameter_problem(get(client, "?after=abc"), "after")


def test_an_unknown_query_parameter_is_refused(client: TestClient, log: Stored) -> None:
    assert_parameter_problem(get(client, "?chips=h20"), "chips")
