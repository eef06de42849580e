"""The subscription API (docs/webhooks.md): secrets shown once, ownership, scopes, validation,
PATCH, DELETE, and a new subscription starting at the head of the log."""

from __future__ import annotations

import base64
import re

from fastapi.testclient import TestClient

from services.bootstrap import Container
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.hooks import Keys, record, settle, subscribe, verified
from tests.support.receiver import Answer
from tests.support.receivers import QuickReceiver


def test_the_secret_is_shown_once_and_a_new_subscription_starts_at_the_head(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    before = record(api, keys, b.company("nvidia"))[0]
    response = api.post(
        "/v1/subscriptions",
        headers=keys["subscribe"],
        json={"url": receiver.url, "description": "ours"},
    )
    assert response.status_code == 201, response.text
    sub = response.json()
    assert response.headers["Location"] == f"/v1/subscriptions/{sub['id']}"
    secret = sub["secret"]
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert sub["start_position"] == before["position"]
    assert (sub["url"], sub["description"], sub["paused"], sub["disabled"]) == (
        receiver.url,
        "ours",
        False,
        False,
    )

    one = api.get(f"/v1/subscriptions/{sub['id']}", headers=keys["subscribe"])
    listing = api.get("/v1/subscriptions", headers=keys["subscribe"])
    for shown in (one, listing):
        assert shown.status_code == 200
        assert secret not in shown.text and secret.removeprefix("whsec_") not in shown.text
        assert '"secret"' not in shown.text
    assert one.json() == {k: v for k, v in sub.items() if k != "secret"}
    assert [s["id"] for s in listing.json()["items"]] == [sub["id"]]

    after = record(api, keys, b.chip("h20"))[0]
    settle(hooks)
    got = verified(secret, receiver.received)  # the secret shown is the one that signs
    assert list(got) == [f"msg_{after['id']}"]  # the earlier event is not delivered


def test_keys_see_their_own_subscriptions_admin_sees_all(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    mine = subscribe(api, keys, receiver.url)
    other_key = keys.new("subscribe")
    theirs = api.post("/v1/subscriptions", json={"url": receiver.url}, headers=other_key).json()
    record(api, keys, b.company())
    settle(hooks)
    delivery_of_theirs = api.get(
        f"/v1/subscriptions/{theirs['id']}/deliveries", headers=other_key
    ).json()["items"][0]["delivery_id"]

    listed = api.get("/v1/subscriptions", headers=keys["subscribe"]).json()["items"]
    assert [s["id"] for s in listed] == [mine["id"]]
    base = f"/v1/subscriptions/{theirs['id']}"
    attempts = [
        ("GET", base, None),
        ("PATCH", base, {"paused": True}),
        ("DELETE", base, None),
        ("POST", f"{base}/rotate-secret", None),
        ("GET", f"{base}/deliveries", None),
        ("POST", f"{base}/replay", {"from_position": 0}),
        ("POST", f"{base}/recover", None),
        ("POST", f"{base}/ping", None),
        ("POST", f"{base}/deliveries/{delivery_of_theirs}/resend", None),
    ]
    for method, path, body in attempts:
        response = api.request(method, path, json=body, headers=keys["subscribe"])
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    # nothing happened to theirs
    state = api.get(base, headers=other_key).json()
    assert state["paused"] is False and state["secret_rotation_ends_at"] is None
    # my subscription cannot resend their delivery either
    response = api.post(
        f"/v1/subscriptions/{mine['id']}/deliveries/{delivery_of_theirs}/resend",
        headers=keys["subscribe"],
    )
    assert response.status_code == 404

    admin = api.get("/v1/subscriptions", headers=keys["admin"]).json()["items"]
    assert {s["id"] for s in admin} == {mine["id"], theirs["id"]}
    assert api.get(base, headers=keys["admin"]).status_code == 200
    first = api.get("/v1/subscriptions?limit=1", headers=keys["admin"]).json()
    second = api.get(
        f"/v1/subscriptions?limit=1&after={first['next']}", headers=keys["admin"]
    ).json()
    assert [s["id"] for s in first["items"] + second["items"]] == sorted([mine["id"], theirs["id"]])
    assert second["next"] is None


def test_scopes(api: TestClient, keys: Keys, receiver: QuickReceiver) -> None:
    sub = subscribe(api, keys, receiver.url)
    for method, path in (
        ("POST", "/v1/subscriptions"),
        ("GET", "/v1/subscriptions"),
        ("GET", f"/v1/subscriptions/{sub['id']}"),
    ):
        body = {"url": receiver.url} if method == "POST" else None
        anonymous = api.request(method, path, json=body)
        assert anonymous.status_code == 401, anonymous.text
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
        assert anonymous.headers["content-type"] == "application/problem+json"
        for scope in ("read", "write"):
            response = api.request(method, path, json=body, headers=keys[scope])
            assert response.status_code == 403, (scope, response.text)
    bogus = api.get("/v1/subscriptions", headers={"Authorization": "Bearer rtl_nope_nope"})
    assert bogus.status_code == 401


def test_invalid_bodies_are_422_naming_the_field(
    api: TestClient, keys: Keys, receiver: QuickReceiver
) -> None:
    url = receiver.url
    cases = [
        ({"url": url, "colour": "red"}, "/colour"),
        ({"url": "ftp://example.com/hook"}, "/url"),
        ({"url": "example.com/hook"}, "/url"),
        ({"url": "http:// spaced.example/"}, "/url"),
        ({}, "/url"),
        ({"url": 17}, "/url"),
        ({"url": url, "event_types": ["ExportBanImposed", "ExportBanImposd"]}, "/event_types"),
        ({"url": url, "chips": ["H20"]}, "/chips/0"),
        ({"url": url, "companies": ["nvidia", "-nvidia"]}, "/companies/1"),
        ({"url": url, "chips": "h20"}, "/chips"),
    ]
    for body, pointer in cases:
        response = api.post("/v1/subscriptions", json=body, headers=keys["subscribe"])
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert pointer in [e.get("pointer") for e in response.json()["errors"]], (
            body,
            response.text,
        )
    malformed = api.post(
        "/v1/subscriptions",
        content=b'{"url": ',
        headers={**keys["subscribe"], "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert api.get("/v1/subscriptions", headers=keys["subscribe"]).json()["items"] == []

    sub = subscribe(api, keys, url)
    for body, pointer in [
        ({"paused": "yes"}, "/paused"),
        ({"chips": ["H 20"]}, "/chips/0"),
        ({"event_types": ["Nope"]}, "/event_types"),
        ({"secret": "x"}, "/secret"),
        ({"disabled": True}, "/disabled"),
        ({"url": "gopher://x"}, "/url"),
    ]:
        response = api.patch(f"/v1/subscriptions/{sub['id']}", json=body, headers=keys["subscribe"])
        assert response.status_code == 422, (body, response.text)
        assert pointer in [e.get("pointer") for e in response.json()["errors"]], (
            body,
            response.text,
        )
    unchanged = api.get(f"/v1/subscriptions/{sub['id']}", headers=keys["subscribe"]).json()
    assert unchanged == {k: v for k, v in sub.items() if k != "secret"}


def test_patch_changes_filters_and_they_apply(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    sub = subscribe(api, keys, receiver.url)
    response = api.patch(
        f"/v1/subscriptions/{sub['id']}",
        headers=keys["subscribe"],
        json={"event_types": ["ChipRegistered"], "chips": ["h20"], "description": "chips only"},
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (
        changed["event_types"],
        changed["chips"],
        changed["companies"],
        changed["description"],
    ) == (["ChipRegistered"], ["h20"], [], "chips only")
    assert api.get(f"/v1/subscriptions/{sub['id']}", headers=keys["subscribe"]).json() == changed
    stored = record(api, keys, b.company("nvidia"), b.chip("h20"), b.chip("h100"))
    settle(hooks)
    assert list(verified(sub["secret"], receiver.received)) == [f"msg_{stored[1]['id']}"]
    # clearing a filter: empty lists mean everything again
    api.patch(
        f"/v1/subscriptions/{sub['id']}",
        headers=keys["subscribe"],
        json={"event_types": [], "chips": []},
    )
    later = record(api, keys, b.company("amd"))
    settle(hooks)
    assert f"msg_{later[0]['id']}" in verified(sub["secret"], receiver.received)


def test_delete_is_204_then_404_and_stops_deliveries(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    keep = subscribe(api, keys, receiver.url + "/kept")
    receiver.answer(Answer(503), Answer(503))  # the first attempt of each fails
    record(api, keys, b.company())
    settle(hooks)
    assert len(receiver.received) == 2
    path = f"/v1/subscriptions/{sub['id']}"
    deleted = api.delete(path, headers=keys["subscribe"])
    assert deleted.status_code == 204 and deleted.content == b""
    assert api.get(path, headers=keys["subscribe"]).status_code == 404
    assert api.get(path, headers=keys["admin"]).status_code == 404
    assert api.delete(path, headers=keys["subscribe"]).status_code == 404
    assert [
        s["id"] for s in api.get("/v1/subscriptions", headers=keys["admin"]).json()["items"]
    ] == [keep["id"]]
    record(api, keys, b.company("amd"))
    clock.advance(seconds=10)  # the retries fall due
    settle(hooks)
    paths = [r.path for r in receiver.received[2:]]
    assert paths == ["/hook/kept", "/hook/kept"]  # retry + amd, to the kept one only
