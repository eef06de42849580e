"""Caching of a state (docs/http.md): Cache-Control by which coordinates were given, weak ETags
that ignore the position, If-None-Match; and the reproducibility caching forever relies on
(the same t, k and p give the same bytes)."""

from __future__ import annotations

import re

import pytest
from httpx import Response

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import Scene, reported

IMMUTABLE = "public, max-age=31536000, immutable"
MAX_AGE = re.compile(r"max-age=(\d+)")


def max_age(response: Response) -> int:
    found = MAX_AGE.search(response.headers["cache-control"])
    assert found is not None, response.headers["cache-control"]
    return int(found[1])


# -- caching ---------------------------------------------------------------------------------


def test_t_k_and_p_all_explicit_is_cached_forever(scene: Scene) -> None:
    response = scene.api.get(
        f"/v1/chips/{scene.chip}",
        as_of="2025-08-15",
        known_at="2025-09-01",
        at_position=scene.api.head(),
    )
    assert response.headers["cache-control"] == IMMUTABLE


@pytest.mark.parametrize("missing", ["as_of", "known_at", "at_position"])
def test_an_answer_with_a_default_coordinate_is_cached_at_most_a_minute(
    scene: Scene, missing: str
) -> None:
    params = {"as_of": "2025-08-15", "known_at": "2025-09-01", "at_position": scene.api.head()}
    response = scene.api.get(f"/v1/chips/{scene.chip}", **{**params, missing: None})
    assert response.status_code == 200
    assert "immutable" not in response.headers["cache-control"]
    assert max_age(response) <= 60


def test_a_future_known_at_is_not_cached_forever(scene: Scene) -> None:
    response = scene.api.get(
        f"/v1/chips/{scene.chip}",
        as_of="2025-08-15",
        known_at="2030-01-01",
        at_position=scene.api.head(),
    )
    assert "immutable" not in response.headers["cache-control"]
    assert max_age(response) <= 60


def test_the_etag_is_weak(scene: Scene) -> None:
    assert scene.api.get(f"/v1/chips/{scene.chip}").headers["etag"].startswith('W/"')


def test_if_none_match_with_the_etag_is_a_304_without_a_body(scene: Scene) -> None:
    url = f"/v1/chips/{scene.chip}"
    tag = scene.api.get(url, as_of="2025-08-15").headers["etag"]
    again = scene.api.get(url, {"If-None-Match": tag}, as_of="2025-08-15")
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)


def test_if_none_match_with_another_states_etag_is_a_200(licensed_scene: Scene) -> None:
    url = f"/v1/chips/{licensed_scene.chip}"
    tag = licensed_scene.api.get(url, as_of="2025-05-01").headers["etag"]
    again = licensed_scene.api.get(url, {"If-None-Match": tag}, as_of="2025-08-15")
    assert again.status_code == 200 and again.headers["etag"] != tag


def test_the_etag_ignores_the_position(scene: Scene) -> None:
    api, url = scene.api, f"/v1/chips/{scene.chip}"
    first = api.head()
    api.batch(b.company(scene.id("bystander")))  # concerns nothing of this chip
    fixed = {"as_of": "2025-08-15", "known_at": "2025-09-01"}
    at_first = api.get(url, at_position=first, **fixed)
    at_second = api.get(url, at_position=api.head(), **fixed)
    assert at_first.json()["position"] != at_second.json()["position"]
    assert at_first.headers["etag"] == at_second.headers["etag"]


# -- reproducibility -------------------------------------------------------------------------


def test_the_same_t_k_p_gives_the_same_bytes_after_more_is_appended(api: Api) -> None:
    s = Scene(api).register()
    first = api.batch(s.measure())
    url = f"/v1/chips/{s.chip}"
    fixed = {"as_of": "2025-08-15", "known_at": "2025-09-01", "at_position": api.head()}
    before = api.get(url, **fixed).content
    api.batch(
        reported(s.licence(), "2025-08-11"),
        reported(
            b.correction(first[0]["id"], data={**s.measure()["data"], "control": "ban"}),
            "2025-08-20",
        ),
        b.envelope(
            "AdvisoryIssued", {**b.advisory(s.id("adv"))["data"], "chips": [s.chip]}, "2025-08-12"
        ),
    )
    assert api.get(url, **fixed).content == before
    assert s.cn(as_of="2025-08-15", known_at="2025-09-01") == "licensed"  # not so at the head
