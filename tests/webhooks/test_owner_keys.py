"""A subscription lives only as long as its owner's key (issue 10, item 2).

Revoked or expired, the key's subscriptions receive nothing: their deliveries are held
(not dropped, not sent). An admin re-assigns a subscription to a live key with
`PATCH /v1/subscriptions/{id}` `{"owner_key_id": …}`; it then resumes where it stopped.
Also with REGTL_PUBLIC_READS=false (the key is the only credential there is).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from domain.clocks import utc_now
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.contract import checked_client
from tests.support.hooks import Keys, record, settle, subscribe
from tests.support.receivers import QuickReceiver
from tests.webhooks.conftest import SCHEDULE


@pytest.fixture(params=[True, False], ids=["public-reads", "private-reads"])
def hooks(
    request: pytest.FixtureRequest, backend: Backend, clock: FakeClock
) -> Iterator[Container]:
    settings = backend.settings.model_copy(
        update={
            "webhook_allow_private": True,
            "webhook_retry_schedule": SCHEDULE,
            "public_reads": request.param,
        }
    )
    container = bootstrap(settings, clock=clock)
    try:
        yield container
    finally:
        container.close()


@pytest.fixture
def api(hooks: Container) -> Iterator[TestClient]:
    with checked_client(create_app(hooks)) as client:
        yield client


def _key(container: Container, scope: str, expires_at: object = None) -> tuple[str, dict[str, str]]:
    key, token = container.keys.create(scope, f"owner-{scope}", utc_now(), expires_at=expires_at)  # type: ignore[arg-type]
    return key.id, {"Authorization": f"Bearer {token}"}


def _subscribe(api: TestClient, auth: dict[str, str], url: str) -> str:
    response = api.post("/v1/subscriptions", json={"url": url}, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _statuses(container: Container, sub_id: str) -> dict[str, int]:
    from services.webhooks import tables as t

    d = t.delivery
    with container.engine.connect() as conn:
        return dict(
            conn.execute(
                select(d.c.status, func.count())
                .where(  # type: ignore[arg-type]
                    d.c.subscription_id == sub_id
                )
                .group_by(d.c.status)
            ).all()
        )


def _ids(events: list[dict[str, object]]) -> set[str]:
    return {f"msg_{e['id']}" for e in events}


def _reassign(api: TestClient, keys: Keys, sub_id: str, owner: str) -> None:
    response = api.patch(
        f"/v1/subscriptions/{sub_id}", json={"owner_key_id": owner}, headers=keys["admin"]
    )
    assert response.status_code == 200, response.text
    assert response.json()["owner_key_id"] == owner


def test_a_revoked_keys_subscription_is_held_then_resumes_when_reassigned(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    owner, auth = _key(hooks, "subscribe")
    sub_id = _subscribe(api, auth, receiver.url)
    other = subscribe(api, keys, receiver.url)  # another tenant: unaffected throughout
    first = record(api, keys, b.company("a"))
    settle(hooks)
    assert receiver.ids() == dict.fromkeys(_ids(first), 2)

    # recorded and fanned out before the revocation, still queued when it lands
    queued = record(api, keys, b.company("b"))
    hooks.catch_up()
    hooks.webhooks.fanout.catch_up()
    assert hooks.keys.revoke(owner, clock())
    later = record(api, keys, b.company("c"), b.company("d"))
    settle(hooks)
    clock.advance(hours=1)
    hooks.webhooks.step()
    got = receiver.ids()
    assert got == {**dict.fromkeys(_ids(first), 2), **dict.fromkeys(_ids(queued + later), 1)}
    assert _statuses(hooks, sub_id) == {"delivered": 1, "held": 3}  # kept, not sent
    assert _statuses(hooks, other["id"]) == {"delivered": 4}

    # the admin may still see it; a PATCH of anything else leaves it held
    assert (
        api.patch(
            f"/v1/subscriptions/{sub_id}", json={"description": "x"}, headers=keys["admin"]
        ).status_code
        == 200
    )
    settle(hooks)
    assert _statuses(hooks, sub_id) == {"delivered": 1, "held": 3}

    heir, _ = _key(hooks, "subscribe")
    _reassign(api, keys, sub_id, heir)
    settle(hooks)
    assert receiver.ids() == dict.fromkeys(_ids(first + queued + later), 2)  # from where it stopped
    assert _statuses(hooks, sub_id) == {"delivered": 4}
    after = record(api, keys, b.company("e"))
    settle(hooks)
    assert receiver.ids()[f"msg_{after[0]['id']}"] == 2


def test_an_expired_keys_subscription_is_held_then_resumes_when_reassigned(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    owner, auth = _key(hooks, "subscribe", expires_at=clock() + timedelta(hours=1))
    sub_id = _subscribe(api, auth, receiver.url)
    first = record(api, keys, b.company("a"))
    settle(hooks)
    assert receiver.ids() == dict.fromkeys(_ids(first), 1)

    clock.advance(hours=1)  # expires_at reached: no longer live
    later = record(api, keys, b.company("b"), b.company("c"))
    settle(hooks)
    assert receiver.ids() == dict.fromkeys(_ids(first), 1)
    assert _statuses(hooks, sub_id) == {"delivered": 1, "held": 2}
    assert api.get("/v1/subscriptions", headers=auth).status_code == 401

    heir, heir_auth = _key(hooks, "admin")
    _reassign(api, keys, sub_id, heir)
    settle(hooks)
    assert receiver.ids() == dict.fromkeys(_ids(first + later), 1)
    listed = api.get("/v1/subscriptions", headers=heir_auth).json()["items"]
    assert sub_id in [s["id"] for s in listed]


def test_expiry_between_fan_out_and_sending_holds_what_was_queued(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    _, auth = _key(hooks, "subscribe", expires_at=clock() + timedelta(minutes=5))
    sub_id = _subscribe(api, auth, receiver.url)
    record(api, keys, b.company("a"))
    hooks.catch_up()
    hooks.webhooks.fanout.catch_up()  # queued while the key is live
    clock.advance(minutes=5)
    hooks.webhooks.step()
    assert receiver.snapshot() == []
    assert _statuses(hooks, sub_id) == {"held": 1}


def test_reassigning_is_for_admins_and_only_to_a_live_subscribing_key(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    owner, auth = _key(hooks, "subscribe")
    sub_id = _subscribe(api, auth, receiver.url)
    path = f"/v1/subscriptions/{sub_id}"
    mine = api.patch(path, json={"owner_key_id": owner}, headers=auth)
    assert mine.status_code == 403, mine.text
    assert [e.get("pointer") for e in mine.json()["errors"]] == ["/owner_key_id"]

    revoked, _ = _key(hooks, "subscribe")
    hooks.keys.revoke(revoked, clock())
    expired, _ = _key(hooks, "subscribe", expires_at=clock() - timedelta(seconds=1))
    reader, _ = _key(hooks, "read")
    for target in ("nope", revoked, expired, reader, "", 17, None):
        response = api.patch(path, json={"owner_key_id": target}, headers=keys["admin"])
        assert response.status_code == 422, (target, response.text)
        assert "/owner_key_id" in [e.get("pointer") for e in response.json()["errors"]], (
            target,
            response.text,
        )
    assert api.get(path, headers=keys["admin"]).json()["owner_key_id"] == owner
