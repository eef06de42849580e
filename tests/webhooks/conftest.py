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
from tests.support.contract import checked_client
from tests.support.hooks import Keys
from tests.support.receivers import QuickReceiver

# attempt 1 at once, attempt 2 after 5 s (±20 %), attempt 3 after 60 s (±20 %); then failed
SCHEDULE = "0,5,60"


@pytest.fixture
def clock() -> FakeClock:
    """Starts at the real time: the official verifier checks webhook-timestamp against it."""
    return FakeClock(utc_now())


def webhook_container(
    backend: Backend, clock: FakeClock, *, allow_private: bool
) -> Iterator[Container]:
    """A container with the test retry schedule; `allow_private` lets webhooks reach the
    local receivers (production refuses non-public addresses)."""
    settings = backend.settings.model_copy(
        update={"webhook_allow_private": allow_private, "webhook_retry_schedule": SCHEDULE}
    )
    container = bootstrap(settings, clock=clock)
    try:
        yield container
    finally:
        container.close()


@pytest.fixture
def hooks(backend: Backend, clock: FakeClock) -> Iterator[Container]:
    yield from webhook_container(backend, clock, allow_private=True)


@pytest.fixture
def api(hooks: Container) -> Iterator[TestClient]:
    with checked_client(create_app(hooks)) as client:
        yield client


@pytest.fixture
def keys(hooks: Container) -> Keys:
    return Keys(hooks)


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[QuickReceiver]:
    with QuickReceiver(clock=clock) as r:
        yield r
