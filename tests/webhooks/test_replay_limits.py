"""What one key can queue is bounded (issue 10, item 3).

Replays once grew webhook_delivery from 32k to 170k rows in 8 s. Now: a replay never queues
a message already waiting (pending or held) for the subscription, and replay, recover and
resend refuse with 429 (Retry-After) what would take the subscription's waiting deliveries
beyond REGTL_WEBHOOK_MAX_PENDING_PER_SUBSCRIPTION. The fan-out itself is never capped: an
event's deliveries are never dropped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from services.bootstrap import Container, bootstrap
from services.webhooks import tables as t
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.hooks import Keys, attempts, record, settle, subscribe
from tests.support.receiver import Answer
from tests.support.receivers import QuickReceiver
from tests.webhooks.conftest import SCHEDULE

CAP = 5


@pytest.fixture
def hooks(backend: Backend, clock: FakeClock) -> Iterator[Container]:
    settings = backend.settings.model_copy(
        update={
            "webhook_allow_private": True,
            "webhook_retry_schedule": SCHEDULE,
            "webhook_max_pending_per_subscription": CAP,
        }
    )
    container = bootstrap(settings, clock=clock)
    try:
        yield container
    finally:
        container.close()


def _waiting(container: Container, sub_id: str) -> int:
    d = t.delivery
    with container.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(d)
                .where(d.c.subscription_id == sub_id, d.c.status.in_(("pending", "held")))
            ).scalar_one()
        )


def _rows(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.delivery)).scalar_one())


def _paused(api: TestClient, keys: Keys, url: str) -> str:
    """A paused subscription, after the events so far have been fanned out (stored as
    messages: what a replay sends)."""
    settle(keys.container)
    sub = subscribe(api, keys, url)
    response = api.patch(
        f"/v1/subscriptions/{sub['id']}", json={"paused": True}, headers=keys["subscribe"]
    )
    assert response.status_code == 200
    return str(sub["id"])


def _too_many(response: object) -> None:
    assert response.status_code == 429, response.text  # type: ignore[attr-defined]
    assert int(response.headers["Retry-After"]) > 0  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert response.json()["type"] == "/problems/rate-limited"  # type: ignore[attr-defined]


def test_a_second_identical_replay_queues_nothing_new(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    stored = record(api, keys, *[b.company(f"c-{n}") for n in range(3)])
    sub_id = _paused(api, keys, receiver.url)
    path = f"/v1/subscriptions/{sub_id}/replay"
    body = {"from_position": stored[0]["position"]}
    first = api.post(path, json=body, headers=keys["subscribe"])
    assert (first.status_code, first.json()) == (202, {"queued": 3})
    rows = _rows(hooks)
    for _ in range(20):
        again = api.post(path, json=body, headers=keys["subscribe"])
        assert (again.status_code, again.json()) == (202, {"queued": 0})
    assert _rows(hooks) == rows
    # overlapping: only the message not already waiting is queued
    more = record(api, keys, b.company("d"))
    settle(hooks)  # paused: the fan-out holds it (1 more waiting)
    assert api.post(path, json=body, headers=keys["subscribe"]).json() == {"queued": 0}
    api.patch(f"/v1/subscriptions/{sub_id}", json={"paused": False}, headers=keys["subscribe"])
    settle(hooks)
    assert receiver.ids() == {f"msg_{e['id']}": 1 for e in stored + more}
    # delivered now: a replay sends them again, as it always did
    assert api.post(path, json=body, headers=keys["subscribe"]).json() == {"queued": 4}


def test_replay_beyond_the_cap_is_429_and_queues_nothing(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    stored = record(api, keys, *[b.company(f"c-{n}") for n in range(CAP + 1)])
    sub_id = _paused(api, keys, receiver.url)
    path = f"/v1/subscriptions/{sub_id}/replay"
    _too_many(
        api.post(path, json={"from_position": stored[0]["position"]}, headers=keys["subscribe"])
    )
    assert _waiting(hooks, sub_id) == 0
    ok = api.post(path, json={"from_position": stored[2]["position"]}, headers=keys["subscribe"])
    assert ok.json() == {"queued": CAP - 1}
    _too_many(
        api.post(path, json={"from_position": stored[0]["position"]}, headers=keys["subscribe"])
    )  # 2 new + 4 waiting > 5
    assert api.post(
        path, json={"from_position": stored[1]["position"]}, headers=keys["subscribe"]
    ).json() == {"queued": 1}
    assert _waiting(hooks, sub_id) == CAP
    # another subscription has a cap of its own
    other = _paused(api, keys, receiver.url)
    assert (
        api.post(
            f"/v1/subscriptions/{other}/replay",
            json={"from_position": 0},
            headers=keys["subscribe"],
        ).status_code
        == 429
    )
    assert api.post(
        f"/v1/subscriptions/{other}/replay",
        json={"from_position": stored[1]["position"]},
        headers=keys["subscribe"],
    ).json() == {"queued": CAP}


def test_the_fan_out_is_never_capped(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    sub_id = _paused(api, keys, receiver.url)
    record(api, keys, *[b.company(f"c-{n}") for n in range(CAP + 3)])
    settle(hooks)
    assert _waiting(hooks, sub_id) == CAP + 3  # every event kept, held
    replay = api.post(
        f"/v1/subscriptions/{sub_id}/replay", json={"from_position": 0}, headers=keys["subscribe"]
    )
    assert replay.json() == {"queued": 0}  # all of them are waiting already


def _fail_all(container: Container, sub_id: str) -> None:
    d = t.delivery
    with container.engine.begin() as conn:
        conn.execute(update(d).where(d.c.subscription_id == sub_id).values(status="failed"))


def test_recover_and_resend_respect_the_cap(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    sub = subscribe(api, keys, receiver.url)
    path = f"/v1/subscriptions/{sub['id']}"
    receiver.default = Answer(500)
    record(api, keys, *[b.company(f"c-{n}") for n in range(CAP + 2)])
    settle(hooks)
    delivery_ids = sorted({a["delivery_id"] for a in attempts(api, keys, sub["id"])})
    _fail_all(hooks, sub["id"])
    api.patch(path, json={"paused": True}, headers=keys["subscribe"])

    recovered = api.post(f"{path}/recover", headers=keys["subscribe"])
    assert (recovered.status_code, recovered.json()) == (202, {"queued": CAP})  # up to the cap
    assert _waiting(hooks, sub["id"]) == CAP
    _too_many(api.post(f"{path}/recover", headers=keys["subscribe"]))  # 2 failed, no room
    failed = [i for i in delivery_ids if _status(hooks, i) == "failed"]
    assert len(failed) == 2
    _too_many(api.post(f"{path}/deliveries/{failed[0]}/resend", headers=keys["subscribe"]))
    waiting = next(i for i in delivery_ids if _status(hooks, i) == "held")
    again = api.post(f"{path}/deliveries/{waiting}/resend", headers=keys["subscribe"])
    assert again.status_code == 202  # already waiting: nothing new, no room needed
    assert _status(hooks, waiting) == "held"  # and a paused subscription stays paused
    _too_many(api.post(f"{path}/ping", headers=keys["subscribe"]))  # pings queue too
    assert _waiting(hooks, sub["id"]) == CAP


def _status(container: Container, delivery_id: int) -> str:
    d = t.delivery
    with container.engine.connect() as conn:
        return str(conn.execute(select(d.c.status).where(d.c.id == delivery_id)).scalar_one())


def test_the_replay_limit_names_the_field(
    api: TestClient,
    hooks: Container,
    keys: Keys,
    receiver: QuickReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services.webhooks import queueing

    monkeypatch.setattr(queueing, "REPLAY_LIMIT", 2)
    record(api, keys, *[b.company(f"c-{n}") for n in range(3)])
    sub_id = _paused(api, keys, receiver.url)
    response = api.post(
        f"/v1/subscriptions/{sub_id}/replay", json={"from_position": 0}, headers=keys["subscribe"]
    )
    assert response.status_code == 422, response.text
    assert [e.get("pointer") for e in response.json()["errors"]] == ["/from_position"]
