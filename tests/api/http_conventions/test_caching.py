"""HTTP conventions (docs/http.md): Cache-Control, weak ETags and 304s for one event and a
log page."""

from __future__ import annotations

import re

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import uid

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
