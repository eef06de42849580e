"""Signed deliveries to a real receiver on 127.0.0.1, verified with `standardwebhooks`.

Fixtures (hooks, api, keys, receiver, clock) live in tests/webhooks/conftest.py.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from services.bootstrap import Container
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.hooks import Keys, attempts, record, settle, subscribe
from tests.support.receiver import Answer, Receiver


def test_every_new_event_is_delivered_signed(
    api: TestClient, hooks: Container, keys: Keys, receiver: Receiver
) -> None:
    sub = subscribe(api, keys, receiver.url)
    stored = record(api, keys, *b.basics())
    settle(hooks)
    assert len(receiver.received) == 2
    by_id = {r.headers["webhook-id"]: r for r in receiver.received}  # order is not guaranteed
    for event in stored:
        got = by_id[f"msg_{event['id']}"]
        payload = Webhook(sub["secret"]).verify(got.body, got.headers)
        assert payload["type"] == event["type"] and payload["data"] == event
        assert payload["timestamp"] == event["recorded_at"]
        assert payload["links"] == {"self": f"/v1/events/{event['id']}"}


def test_a_receiver_down_then_up_gets_every_event(
    api: TestClient, hooks: Container, keys: Keys, receiver: Receiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    receiver.answer(Answer(503), Answer(503))
    record(api, keys, *b.basics())
    settle(hooks)  # both attempts fail
    clock.advance(seconds=10)  # past the 5 s retry (±20 %)
    hooks.webhooks.step()
    delivered = {r.headers["webhook-id"] for r in receiver.received}
    assert len(delivered) == 2 and len(receiver.received) == 4
    log = attempts(api, keys, sub["id"])
    assert sorted(a["status_code"] for a in log) == [204, 204, 503, 503]


def test_410_disables_the_subscription(
    api: TestClient, hooks: Container, keys: Keys, receiver: Receiver
) -> None:
    sub = subscribe(api, keys, receiver.url)
    receiver.answer(Answer(410))
    record(api, keys, b.company())
    settle(hooks)
    admin = keys["admin"]
    state = api.get(f"/v1/subscriptions/{sub['id']}", headers=admin).json()
    assert state["disabled"] is True and "410" in state["disabled_reason"]
    record(api, keys, b.company("amd"))
    settle(hooks)
    assert len(receiver.received) == 1  # nothing more while disabled
    api.patch(f"/v1/subscriptions/{sub['id']}", json={"disabled": False}, headers=admin)
    hooks.webhooks.step()
    assert sorted(json.loads(r.body)["data"]["data"]["company"] for r in receiver.received) == [
        "amd",
        "nvidia",
        "nvidia",
    ]
