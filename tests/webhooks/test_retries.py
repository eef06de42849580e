"""Retries and their controls (docs/webhooks.md): the schedule with jitter, Retry-After clamped to
[1×, 2×], exhausted → failed → recover, resend, ping, replay, the attempt log, and the five
days of failure that disable a subscription (re-enabled, it resumes where it stopped).

The fixtures' schedule is "0,5,60": attempt 2 is due 5 s (±20 %) after attempt 1, attempt 3
60 s (±20 %) after attempt 2, and then the delivery is failed.
"""

from __future__ import annotations

import re
import socket
from contextlib import ExitStack
from datetime import timedelta

from fastapi.testclient import TestClient

from services.bootstrap import Container
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.hooks import Keys, attempts, kinds, record, settle, subscribe, verified, verify
from tests.support.receiver import Answer
from tests.support.receivers import QuickReceiver


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/hook"  # nobody listens once closed


def test_503_then_success_and_the_log_shows_every_attempt(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    dead = subscribe(api, keys, _closed_port_url())
    receiver.answer(Answer(503, body=b"busy, come back", delay=0.05))
    event = record(api, keys, b.company())[0]
    first_at = clock()
    settle(hooks)
    (first,) = attempts(api, keys, sub["id"])
    assert (
        first["status_code"],
        first["error"],
        first["response_body"],
        first["delivery_status"],
        first["msg_id"],
        first["type"],
        first["position"],
    ) == (
        503,
        None,
        "busy, come back",
        "pending",
        f"msg_{event['id']}",
        "CompanyRegistered",
        event["position"],
    )
    assert first["latency_ms"] >= 50
    (refused,) = attempts(api, keys, dead["id"])
    assert refused["status_code"] is None and "refused" in refused["error"].lower()

    clock.advance(seconds=3.9)  # before the earliest retry (5 s - 20 %)
    hooks.webhooks.step()
    assert len(receiver.received) == 1
    clock.advance(seconds=2.2)  # after the latest (5 s + 20 %)
    hooks.webhooks.step()
    assert len(receiver.received) == 2
    log = attempts(api, keys, sub["id"])
    assert [a["status_code"] for a in log] == [204, 503]  # newest first
    assert [a["delivery_status"] for a in log] == ["delivered", "delivered"]
    assert log[0]["error"] is None and log[0]["delivery_id"] == log[1]["delivery_id"]
    assert log[0]["attempted_at"] > log[1]["attempted_at"]
    one, two = receiver.received
    assert one.headers["webhook-id"] == two.headers["webhook-id"] == f"msg_{event['id']}"
    assert one.body == two.body  # the stored bytes, signed again per attempt
    assert (one.headers["webhook-timestamp"], two.headers["webhook-timestamp"]) == (
        str(int(first_at.timestamp())),
        str(int(clock().timestamp())),
    )  # per attempt
    verified(sub["secret"], receiver.received)
    assert len(attempts(api, keys, dead["id"])) == 2  # retried too, and refused again

    clock.advance(days=31)  # attempts are kept 30 days
    assert attempts(api, keys, sub["id"]) == []


def test_retry_after_is_honoured_but_clamped(
    api: TestClient, hooks: Container, keys: Keys, clock: FakeClock
) -> None:
    with ExitStack() as stack:
        receivers = {
            wanted: stack.enter_context(QuickReceiver(clock=clock)) for wanted in ("1", "7", "1000")
        }
        for wanted, r in receivers.items():
            subscribe(api, keys, r.url)
            r.answer(Answer(503, headers={"Retry-After": wanted}))
        record(api, keys, b.company())
        failed_at = clock()
        settle(hooks)

        def tried() -> dict[str, int]:
            return {wanted: len(r.received) for wanted, r in receivers.items()}

        assert tried() == {"1": 1, "7": 1, "1000": 1}
        # the planned delay is 5 s: Retry-After may stretch it to [5 s, 10 s], no jitter
        for seconds, expected in [
            (4.99, {"1": 1, "7": 1, "1000": 1}),
            (5.00, {"1": 2, "7": 1, "1000": 1}),  # 1 s is raised to the planned 5 s
            (6.99, {"1": 2, "7": 1, "1000": 1}),
            (7.00, {"1": 2, "7": 2, "1000": 1}),  # 7 s is within [5, 10]: honoured
            (9.99, {"1": 2, "7": 2, "1000": 1}),
            (10.00, {"1": 2, "7": 2, "1000": 2}),
        ]:  # 1000 s is cut to 2 × 5 s
            clock.now = failed_at + timedelta(seconds=seconds)
            hooks.webhooks.step()
            assert tried() == expected, seconds


def test_exhausted_deliveries_are_failed_and_recover_sends_them_again(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    path = f"/v1/subscriptions/{sub['id']}"
    receiver.default = Answer(500, body=b"oops")
    event = record(api, keys, b.company())[0]
    settle(hooks)
    clock.advance(seconds=6.1)
    hooks.webhooks.step()
    clock.advance(seconds=72.1)
    hooks.webhooks.step()
    log = attempts(api, keys, sub["id"])
    assert [a["status_code"] for a in log] == [500, 500, 500]
    assert {a["delivery_status"] for a in log} == {"failed"}
    clock.advance(hours=12)
    hooks.webhooks.step()
    assert len(receiver.received) == 3  # nothing after the last attempt of the schedule

    receiver.default = Answer(204)
    response = api.post(f"{path}/recover", headers=keys["subscribe"])
    assert response.status_code == 202 and response.json() == {"queued": 1}
    hooks.webhooks.step()
    log = attempts(api, keys, sub["id"])
    assert [a["status_code"] for a in log] == [204, 500, 500, 500]
    assert log[0]["delivery_status"] == "delivered"
    assert set(verified(sub["secret"], receiver.received)) == {f"msg_{event['id']}"}
    again = api.post(f"{path}/recover", headers=keys["subscribe"])
    assert again.status_code == 202 and again.json() == {"queued": 0}


def test_resend_one_delivery(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    path = f"/v1/subscriptions/{sub['id']}"
    first, second = record(api, keys, *b.basics())
    settle(hooks)
    log = attempts(api, keys, sub["id"])
    delivery = next(a["delivery_id"] for a in log if a["msg_id"] == f"msg_{second['id']}")
    clock.advance(seconds=30)
    response = api.post(f"{path}/deliveries/{delivery}/resend", headers=keys["subscribe"])
    assert response.status_code == 202, response.text
    hooks.webhooks.step()
    assert len(receiver.received) == 3
    again = receiver.received[-1]
    assert again.headers["webhook-id"] == f"msg_{second['id']}"
    assert int(again.headers["webhook-timestamp"]) == int(clock().timestamp())  # a new attempt
    verify(sub["secret"], again)
    assert len(attempts(api, keys, sub["id"])) == 3
    missing = api.post(f"{path}/deliveries/987654321/resend", headers=keys["subscribe"])
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    hooks.webhooks.step()
    assert len(receiver.received) == 3


def test_ping(api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver) -> None:
    # a ping ignores the filters: it is for checking the endpoint and the secret
    sub = subscribe(api, keys, receiver.url, event_types=["LicenseRevoked"], chips=["h20"])
    response = api.post(f"/v1/subscriptions/{sub['id']}/ping", headers=keys["subscribe"])
    assert response.status_code == 202, response.text
    msg_id = response.json()["msg_id"]
    assert re.fullmatch(
        r"msg_ping_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", msg_id
    )
    hooks.webhooks.step()
    (got,) = receiver.received
    assert got.headers["webhook-id"] == msg_id
    payload = verify(sub["secret"], got)
    assert payload["type"] == "Ping" and payload["data"] == {"subscription_id": sub["id"]}
    second = api.post(f"/v1/subscriptions/{sub['id']}/ping", headers=keys["subscribe"])
    assert second.json()["msg_id"] != msg_id  # each ping is its own message
    (entry,) = attempts(api, keys, sub["id"])  # the second is not sent yet
    assert (entry["msg_id"], entry["type"], entry["status_code"]) == (msg_id, "Ping", 204)


def test_replay_from_a_position_or_a_time_inclusive(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    early = record(api, keys, b.company("nvidia"))[0]  # before the subscription
    sub = subscribe(api, keys, receiver.url, event_types=["CompanyRegistered"])
    path = f"/v1/subscriptions/{sub['id']}/replay"
    stored = []
    for slug in ("amd", "intel", "huawei"):
        clock.advance(seconds=1)
        stored += record(api, keys, b.company(slug))
    clock.advance(seconds=1)
    chip = record(api, keys, b.chip("h20"))[0]  # filtered out, replay or not
    settle(hooks)
    ids = [f"msg_{e['id']}" for e in stored]
    assert sorted(r.headers["webhook-id"] for r in receiver.received) == sorted(ids)

    def replay(body: dict[str, object]) -> list[str]:
        before = len(receiver.received)
        response = api.post(path, json=body, headers=keys["subscribe"])
        assert response.status_code == 202, response.text
        hooks.webhooks.step()
        again = receiver.received[before:]
        assert response.json() == {"queued": len(again)}
        verified(sub["secret"], again)
        return sorted(r.headers["webhook-id"] for r in again)

    assert replay({"from_position": stored[1]["position"]}) == sorted(ids[1:])
    assert replay({"from_time": stored[2]["recorded_at"]}) == [ids[2]]
    assert replay({"from_position": early["position"]}) == sorted([f"msg_{early['id']}", *ids])
    assert replay({"from_position": chip["position"] + 1}) == []
    assert replay({"from_time": "2999-01-01T00:00:00Z"}) == []
    for body, where in [
        ({}, ""),
        ({"from_position": 1, "from_time": "2025-01-01"}, ""),
        ({"from_position": -1}, "/from_position"),
        ({"from_time": "2025-01-01T00:00:00"}, "/from_time"),
        ({"from_time": 5}, "/from_time"),
        ({"since": 1}, "/since"),
    ]:
        response = api.post(path, json=body, headers=keys["subscribe"])
        assert response.status_code == 422, (body, response.text)
        assert where in [e.get("pointer") for e in response.json()["errors"]], (body, response.text)


def test_five_days_of_failure_disable_and_re_enabling_resumes(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    path = f"/v1/subscriptions/{sub['id']}"
    receiver.default = Answer(500)
    a = record(api, keys, b.company("nvidia"))[0]
    settle(hooks)
    for seconds in (6.1, 72.1):
        clock.advance(seconds=seconds)
        hooks.webhooks.step()  # a: three attempts, failed
    state = api.get(path, headers=keys["subscribe"]).json()
    assert state["failing_since"] is not None and state["disabled"] is False

    clock.advance(days=4, hours=23)
    b_ = record(api, keys, b.company("amd"))[0]
    settle(hooks)
    assert api.get(path, headers=keys["subscribe"]).json()["disabled"] is False  # 4 d 23 h
    clock.advance(hours=1, minutes=1)
    c = record(api, keys, b.company("intel"))[0]
    settle(hooks)
    state = api.get(path, headers=keys["subscribe"]).json()
    assert state["disabled"] is True and "5 days" in state["disabled_reason"]
    sent = len(receiver.received)
    d = record(api, keys, b.company("huawei"))[0]
    for _ in range(2):
        clock.advance(minutes=5)
        settle(hooks)
    assert len(receiver.received) == sent  # nothing while disabled

    receiver.default = Answer(204)
    response = api.patch(path, json={"disabled": False}, headers=keys["subscribe"])
    assert response.status_code == 200 and response.json()["disabled"] is False
    assert response.json()["failing_since"] is None
    hooks.webhooks.step()
    resumed = verified(sub["secret"], receiver.received[sent:])
    assert set(resumed) == {f"msg_{e['id']}" for e in (b_, c, d)}  # where it stopped
    assert kinds(receiver.received[sent:]) == ["CompanyRegistered"] * 3
    failed = [x for x in attempts(api, keys, sub["id"]) if x["msg_id"] == f"msg_{a['id']}"]
    assert {x["delivery_status"] for x in failed} == {"failed"}  # recover is for those
