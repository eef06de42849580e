"""Shared fixtures of the webhook tests: a container whose webhooks may reach 127.0.0.1,
a short retry schedule, an API client, a real scripted receiver and a FakeClock that starts
at the real time (the official verifier checks webhook-timestamp against its own clock)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from domain.clocks import utc_now
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from tests.conftest import Backend
from tests.support.clock import FakeClock
from tests.support.hooks import Keys
from tests.support.receivers import QuickReceiver

# attempt 1 at once, attempt 2 after 5 s (±20 %), attempt 3 after 60 s (±20 %); then failed
SCHEDULE = "0,5,60"


@pytest.fixture
def clock() -> FakeClock:
    """Starts at the real time: the official verifier checks webhook-timestamp against it."""
    return FakeClock(utc_now())


@pytest.fixture
def hooks(backend: Backend, clock: FakeClock) -> Iterator[Container]:
    settings = backend.settings.model_copy(update={
        "webhook_allow_private": True, "webhook_retry_schedule": SCHEDULE})
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
def keys(hooks: Container) -> Keys:
    return Keys(hooks)


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[QuickReceiver]:
    with QuickReceiver(clock=clock) as r:
        yield r
