"""Signed deliveries to a real receiver on 127.0.0.1, verified with `standardwebhooks`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.receiver import Answer, Receiver


@pytest.fixture
def clock() -> FakeClock:
    """Starts at the real time: the official verifier checks webhook-timestamp against it."""
    from domain.clocks import utc_now

    return FakeClock(utc_now())


@pytest.fixture
def hooks(backend: Backend, clock: FakeClock) -> Iterator[Container]:
    settings = backend.settings.model_copy(update={
        "webhook_allow_private": True, "webhook_retry_schedule": "0,5,60"})
    container = bootstrap(settings, clock=clock)
    try:
        yield container
    finally:
        container.close()


@pytest.fixture
def api(hooks: Container) -> Iterator[TestClient]:
    with TestClient(create_app(hooks), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def _headers(container: Container, scope: str) -> dict[str, str]:
    from domain.clocks import utc_now

    return {"Authorization": f"Bearer {container.keys.create(scope, scope, utc_now())[1]}"}


def _subscribe(api: TestClient, hooks: Container, url: str, **filters: Any) -> dict[str, Any]:
    response = api.post("/v1/subscriptions", json={"url": url, **filters},
                        headers=_headers(hooks, "subscribe"))
    assert response.status_code == 201, response.text
    return response.json()


def _settle(hooks: Container) -> None:
    hooks.catch_up()
    hooks.webhooks.step()


def test_every_new_event_is_delivered_signed(api: TestClient, hooks: Container,
                                             receiver: Receiver) -> None:
    sub = _subscribe(api, hooks, receiver.url)
    writer = _headers(hooks, "write")
    stored = [api.post("/v1/events", json=body, headers=writer).json() for body in b.basics()]
    _settle(hooks)
    assert len(receiver.received) == 2
    by_id = {r.headers["webhook-id"]: r for r in receiver.received}  # order is not guaranteed
    for event in stored:
        got = by_id[f"msg_{event['id']}"]
        payload = Webhook(sub["secret"]).verify(got.body, got.headers)
        assert payload["type"] == event["type"] and payload["data"] == event
        assert payload["timestamp"] == event["recorded_at"]
        assert payload["links"] == {"self": f"/v1/events/{event['id']}"}


def test_a_receiver_down_then_up_gets_every_event(api: TestClient, hooks: Container,
                                                  receiver: Receiver, clock: FakeClock) -> None:
    sub = _subscribe(api, hooks, receiver.url)
    receiver.answer(Answer(503), Answer(503))
    writer = _headers(hooks, "write")
    for body in b.basics():
        api.post("/v1/events", json=body, headers=writer)
    _settle(hooks)  # both attempts fail
    clock.advance(seconds=10)  # past the 5 s retry (±20 %)
    hooks.webhooks.step()
    delivered = {r.headers["webhook-id"] for r in receiver.received}
    assert len(delivered) == 2 and len(receiver.received) == 4
    log = api.get(f"/v1/subscriptions/{sub['id']}/deliveries",
                  headers=_headers(hooks, "admin")).json()["items"]
    assert sorted(a["status_code"] for a in log) == [204, 204, 503, 503]


def test_410_disables_the_subscription(api: TestClient, hooks: Container,
                                       receiver: Receiver) -> None:
    sub = _subscribe(api, hooks, receiver.url)
    receiver.answer(Answer(410))
    api.post("/v1/events", json=b.company(), headers=_headers(hooks, "write"))
    _settle(hooks)
    admin = _headers(hooks, "admin")
    state = api.get(f"/v1/subscriptions/{sub['id']}", headers=admin).json()
    assert state["disabled"] is True and "410" in state["disabled_reason"]
    api.post("/v1/events", json=b.company("amd"), headers=_headers(hooks, "write"))
    _settle(hooks)
    assert len(receiver.received) == 1  # nothing more while disabled
    api.patch(f"/v1/subscriptions/{sub['id']}", json={"disabled": False}, headers=admin)
    hooks.webhooks.step()
    assert sorted(json.loads(r.body)["data"]["data"]["company"] for r in receiver.received) == \
        ["amd", "nvidia", "nvidia"]
