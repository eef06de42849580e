"""Safety of an attempt's exchange (docs/webhooks.md): no redirects followed, ≤ 16 KB of the
answer kept (as text, never rendered), one deadline for the whole attempt, and proxies from
the environment ignored.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from services.bootstrap import Container
from services.webhooks import http_post
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.hooks import Keys, attempts, record, settle, subscribe, verified
from tests.support.receiver import Answer
from tests.support.receivers import QuickReceiver, TrickleServer


def test_redirects_are_not_followed(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    with QuickReceiver(clock=clock) as elsewhere:
        sub = subscribe(api, keys, receiver.url)
        receiver.answer(
            Answer(302, headers={"Location": elsewhere.url}),
            Answer(307, headers={"Location": elsewhere.url}),
        )
        record(api, keys, b.company())
        settle(hooks)
        clock.advance(seconds=6.1)
        hooks.webhooks.step()
        assert elsewhere.received == []  # the Location was never visited
        log = attempts(api, keys, sub["id"])
        assert [a["status_code"] for a in log] == [307, 302]
        assert {a["delivery_status"] for a in log} == {"pending"}  # failed attempts: retried
        assert len(receiver.received) == 2


def test_a_large_answer_is_cut_to_16_kb_and_kept_as_text(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    sub = subscribe(api, keys, receiver.url)
    big = b"<script>alert(1)</script>" + b"x" * 40_000
    receiver.answer(Answer(500, body=big))
    record(api, keys, b.company())
    settle(hooks)
    (entry,) = attempts(api, keys, sub["id"])
    assert entry["status_code"] == 500
    assert entry["response_body"] == big[: 16 * 1024].decode()
    response = api.get(f"/v1/subscriptions/{sub['id']}/deliveries", headers=keys["admin"])
    assert response.headers["content-type"] == "application/json"  # data, never rendered


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_one_deadline_covers_the_whole_attempt(phase: str) -> None:
    """A 200 whose headers (or body) never end is a failed attempt, cut at the deadline."""
    assert http_post.DEADLINE_SECONDS == 15  # what the worker uses (docs/webhooks.md)
    with TrickleServer(interval=0.3, phase=phase) as slow:  # no single read ever times out
        started = time.monotonic()
        outcome = http_post.post(slow.url, b"{}", {}, allow_private=True, deadline=2)
        took = time.monotonic() - started
    assert slow.connections == 1
    assert outcome.status is None and not outcome.ok
    assert outcome.error is not None and "deadline" in outcome.error
    assert 1.9 <= took < 4.0  # cut at the deadline, not at the (never) end
    assert 1900 <= outcome.latency_ms < 4000


def test_proxies_from_the_environment_are_ignored(
    api: TestClient,
    hooks: Container,
    keys: Keys,
    receiver: QuickReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dead = "http://127.0.0.1:9"
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.setenv(name, dead)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    sub = subscribe(api, keys, receiver.url)
    stored = record(api, keys, b.company())
    settle(hooks)
    assert set(verified(sub["secret"], receiver.received)) == {f"msg_{stored[0]['id']}"}
    assert [a["status_code"] for a in attempts(api, keys, sub["id"])] == [204]
