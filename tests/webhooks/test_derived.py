"""Derived messages (docs/webhooks.md): EffectiveDateReached when a stored event takes effect after
it was recorded, LicenseExpired at a licence's expires_at — each once, on time, across
restarts; moved by corrections, cancelled by retractions."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from domain.clocks import format_instant
from services.bootstrap import Container, bootstrap
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.hooks import Keys, record, settle, subscribe, verified
from tests.support.receivers import QuickReceiver
from tests.webhooks.conftest import SCHEDULE


def _derived(receiver: QuickReceiver, secret: str, path: str = "/hook") -> dict[str, Any]:
    """Derived messages (by webhook-id) that reached `path`, each verified."""
    got = [r for r in receiver.received if r.path == path]
    return {
        m: p
        for m, p in verified(secret, got).items()
        if p["type"] in ("EffectiveDateReached", "LicenseExpired")
    }


def _count(receiver: QuickReceiver, msg_id: str) -> int:
    return sum(1 for r in receiver.received if r.headers["webhook-id"] == msg_id)


def test_effective_date_reached_once_when_the_clock_passes_it(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    record(api, keys, *b.basics())
    due = clock() + timedelta(hours=1)
    past = record(api, keys, b.measure("bis-old"))[0]  # took effect before it was recorded
    rule = record(api, keys, b.measure("bis-new", effective_at=format_instant(due)))[0]
    # subscribed after the rule was recorded, before it takes effect: it hears of it
    late = subscribe(api, keys, receiver.url + "/late", event_types=["EffectiveDateReached"])
    subscribe(api, keys, receiver.url + "/b30a", chips=["b30a"])
    settle(hooks)
    assert _derived(receiver, sub["secret"]) == {}
    assert {r.headers["webhook-id"] for r in receiver.received} == {
        f"msg_{e['id']}" for e in api.get("/v1/events").json()["items"]
    }

    clock.advance(minutes=59, seconds=59)
    settle(hooks)
    assert _derived(receiver, sub["secret"]) == {}  # not before
    clock.advance(seconds=1)
    settle(hooks)
    derived = _derived(receiver, sub["secret"])
    assert list(derived) == [f"msg_{rule['id']}_eff"]
    payload = derived[f"msg_{rule['id']}_eff"]
    assert payload["type"] == "EffectiveDateReached"
    assert payload["timestamp"] == format_instant(due)  # the instant it fell due
    assert payload["data"]["id"] == rule["id"] and payload["data"]["position"] == rule["position"]
    assert payload["data"]["effective_at"] == rule["effective_at"]
    assert payload["links"] == {"self": f"/v1/events/{rule['id']}"}
    assert list(_derived(receiver, late["secret"], "/hook/late")) == [f"msg_{rule['id']}_eff"]
    assert not any(r.path == "/hook/b30a" for r in receiver.received)  # not its chip

    for _ in range(3):
        clock.advance(hours=6)
        settle(hooks)
    assert _count(receiver, f"msg_{rule['id']}_eff") == 2  # once per subscription, no more
    assert _count(receiver, f"msg_{past['id']}_eff") == 0


def test_exactly_once_across_a_restart(
    backend: Backend,
    api: TestClient,
    hooks: Container,
    keys: Keys,
    receiver: QuickReceiver,
    clock: FakeClock,
) -> None:
    sub = subscribe(api, keys, receiver.url)
    record(api, keys, *b.basics())
    rules = [
        record(
            api,
            keys,
            b.measure(f"bis-{n}", effective_at=format_instant(clock() + timedelta(minutes=10 * n))),
        )[0]
        for n in (1, 2, 3)
    ]
    settle(hooks)
    hooks.close()  # the first process stops before anything falls due

    settings = backend.settings.model_copy(
        update={"webhook_allow_private": True, "webhook_retry_schedule": SCHEDULE}
    )
    clock.advance(minutes=15)  # the first is due
    second = bootstrap(settings, clock=clock)
    try:
        settle(second)
        assert list(_derived(receiver, sub["secret"])) == [f"msg_{rules[0]['id']}_eff"]
    finally:
        second.close()

    clock.advance(minutes=30)  # the other two are due; two processes race for them
    processes = [bootstrap(settings, clock=clock) for _ in range(2)]
    try:
        threads = [threading.Thread(target=settle, args=(p,)) for p in processes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        for p in processes:
            settle(p)
    finally:
        for p in processes:
            p.close()
    for rule in rules:
        assert _count(receiver, f"msg_{rule['id']}_eff") == 1, rule["data"]["measure_id"]


def test_a_correction_moves_it_and_a_retraction_cancels_it(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    record(api, keys, *b.basics())
    start = clock()
    moved = record(
        api, keys, b.measure("bis-moved", effective_at=format_instant(start + timedelta(hours=1)))
    )[0]
    earlier = record(
        api, keys, b.measure("bis-earlier", effective_at=format_instant(start + timedelta(hours=3)))
    )[0]
    retracted = record(
        api,
        keys,
        b.measure("bis-retracted", effective_at=format_instant(start + timedelta(hours=1))),
    )[0]
    into_past = record(
        api, keys, b.measure("bis-past", effective_at=format_instant(start + timedelta(hours=1)))
    )[0]
    settle(hooks)
    clock.advance(minutes=1)
    record(
        api,
        keys,
        b.correction(moved["id"], effective_at=format_instant(start + timedelta(hours=2))),
        b.correction(earlier["id"], effective_at=format_instant(start + timedelta(minutes=30))),
        b.retraction(retracted["id"]),
        b.correction(into_past["id"], effective_at="2025-01-01"),
    )
    settle(hooks)

    def fired() -> list[str]:
        return sorted(_derived(receiver, sub["secret"]))

    clock.now = start + timedelta(minutes=29)
    settle(hooks)
    assert fired() == []
    clock.now = start + timedelta(minutes=30)
    settle(hooks)
    assert fired() == [f"msg_{earlier['id']}_eff"]
    clock.now = start + timedelta(hours=1, minutes=30)  # the original date of three of them
    settle(hooks)
    assert fired() == [f"msg_{earlier['id']}_eff"]
    clock.now = start + timedelta(hours=2)
    settle(hooks)
    assert fired() == sorted([f"msg_{earlier['id']}_eff", f"msg_{moved['id']}_eff"])
    payload = _derived(receiver, sub["secret"])[f"msg_{moved['id']}_eff"]
    assert payload["timestamp"] == format_instant(start + timedelta(hours=2))
    clock.now = start + timedelta(hours=5)
    settle(hooks)
    assert fired() == sorted([f"msg_{earlier['id']}_eff", f"msg_{moved['id']}_eff"])


def test_license_expired_at_expires_at(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url, event_types=["LicenseExpired"])
    record(api, keys, *b.basics())
    expires = clock() + timedelta(hours=2)
    grant = record(
        api,
        keys,
        b.license_granted("lic-1", effective_at="2025-08-11", expires_at=format_instant(expires)),
    )[0]
    dropped = record(
        api,
        keys,
        b.license_granted("lic-2", effective_at="2025-08-11", expires_at=format_instant(expires)),
    )[0]
    record(api, keys, b.retraction(dropped["id"]))
    settle(hooks)
    assert receiver.received == []  # filtered to LicenseExpired: nothing yet
    clock.now = expires - timedelta(seconds=1)
    settle(hooks)
    assert receiver.received == []
    clock.now = expires
    settle(hooks)
    derived = _derived(receiver, sub["secret"])
    assert list(derived) == [f"msg_{grant['id']}_exp"]
    payload = derived[f"msg_{grant['id']}_exp"]
    assert payload["type"] == "LicenseExpired"
    assert payload["timestamp"] == format_instant(expires)
    assert payload["data"]["id"] == grant["id"]
    assert payload["data"]["data"]["license_id"] == "lic-1"
    clock.advance(days=1)
    settle(hooks)
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["LicenseExpired"]
