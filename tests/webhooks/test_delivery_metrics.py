"""regtl_webhook_deliveries_total{outcome} and the attempt latency histogram, counted by
the worker once each attempt is recorded (docs/deploy.md, "Metrics").

Fixtures (hooks, api, keys, receiver, clock) live in tests/webhooks/conftest.py.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from services.bootstrap import Container
from tests.support import builders as b
from tests.support.hooks import Keys, record, settle, subscribe
from tests.support.metrics import scrape
from tests.support.receiver import Answer, Receiver

DELIVERIES = "regtl_webhook_deliveries_total"


def test_delivered_and_failed_attempts_are_counted(
    api: TestClient, hooks: Container, keys: Keys, receiver: Receiver
) -> None:
    subscribe(api, keys, receiver.url)
    receiver.answer(Answer(503))
    record(api, keys, b.company())
    settle(hooks)  # one attempt fails, to be retried
    record(api, keys, b.company("amd"))
    settle(hooks)  # delivered
    samples = scrape(hooks)
    assert samples.value(DELIVERIES, outcome="failed_attempt") == 1
    assert samples.value(DELIVERIES, outcome="delivered") == 1
    assert samples.value("regtl_webhook_delivery_duration_seconds_count") == 2
    assert samples.value("regtl_webhook_delivery_duration_seconds_sum") > 0


def test_a_410_counts_as_gone(
    api: TestClient, hooks: Container, keys: Keys, receiver: Receiver
) -> None:
    subscribe(api, keys, receiver.url)
    receiver.answer(Answer(410))
    record(api, keys, b.company())
    settle(hooks)
    assert scrape(hooks).value(DELIVERIES, outcome="gone") == 1
