"""Helpers for the webhook tests: keys per scope, subscribing, settling, verifying.

Every delivery is checked with the official `standardwebhooks` verifier. It compares
webhook-timestamp with the receiver's clock (±5 min): tests that move the FakeClock by
hours or days verify "as the receiver would have when the request arrived" (the FakeClock's
time then, noted by QuickReceiver), which moves the verifier's notion of now, never the
signature check itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import standardwebhooks.webhooks as sw
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from domain.clocks import utc_now
from services.bootstrap import Container
from tests.support.receiver import Received


class Keys:
    """One API key per scope (created on first use), as Authorization headers."""

    def __init__(self, container: Container):
        self.container = container
        self._made: dict[str, dict[str, str]] = {}

    def new(self, scope: str) -> dict[str, str]:
        token = self.container.keys.create(scope, f"test-{scope}", utc_now())[1]
        return {"Authorization": f"Bearer {token}"}

    def __getitem__(self, scope: str) -> dict[str, str]:
        if scope not in self._made:
            self._made[scope] = self.new(scope)
        return self._made[scope]


def subscribe(api: TestClient, keys: Keys, url: str, **filters: Any) -> dict[str, Any]:
    response = api.post(
        "/v1/subscriptions", json={"url": url, **filters}, headers=keys["subscribe"]
    )
    assert response.status_code == 201, response.text
    return response.json()


def record(api: TestClient, keys: Keys, *bodies: dict[str, Any]) -> list[dict[str, Any]]:
    stored = []
    for body in bodies:
        response = api.post("/v1/events", json=body, headers=keys["write"])
        assert response.status_code == 201, response.text
        stored.append(response.json())
    return stored


def settle(container: Container) -> None:
    """Project, fan out, fire what is due and send: one full round, no sleeping."""
    container.catch_up()
    container.webhooks.step()


def attempts(api: TestClient, keys: Keys, sub_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/v1/subscriptions/{sub_id}/deliveries?limit=1000", headers=keys["admin"])
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


class _At(datetime):
    moment: datetime

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return cls.moment


@contextmanager
def receiver_time(moment: datetime | None) -> Iterator[None]:
    """Let the verifier's clock read `moment` (None: the real time, untouched)."""
    if moment is None or abs(moment - utc_now()) < timedelta(minutes=1):
        yield
        return
    at = type("At", (_At,), {"moment": moment})
    with mock.patch.object(sw, "datetime", at):
        yield


def verify(secret: str, got: Received, at: datetime | None = None) -> dict[str, Any]:
    """The official verifier's verdict on one delivery; returns the payload.

    `at`: the receiver's time; by default the FakeClock's time when it arrived, where a
    QuickReceiver noted it (`clock_at`), else the real time."""
    at = at or getattr(got, "clock_at", None)
    with receiver_time(at):
        return Webhook(secret).verify(got.body, got.headers)  # type: ignore[no-any-return]


def verified(
    secret: str, received: Iterable[Received], at: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Every delivery verified; payloads by webhook-id (a duplicate must be identical)."""
    found: dict[str, dict[str, Any]] = {}
    for got in received:
        payload = verify(secret, got, at)
        msg_id = got.headers["webhook-id"]
        assert found.setdefault(msg_id, payload) == payload, f"{msg_id} changed between sends"
    return found


def kinds(received: Iterable[Received]) -> list[str]:
    return [json.loads(r.body)["type"] for r in received]
