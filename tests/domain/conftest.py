"""Fixtures of the write-rule tests: the write API, with or without the registry they share."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.bootstrap import Container
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.events_api import Api


@pytest.fixture
def api(
    client: TestClient, container: Container, clock: FakeClock, write_headers: dict[str, str]
) -> Api:
    return Api(client, container, clock, write_headers)


@pytest.fixture
def registered(api: Api) -> Api:
    """nvidia, amkor and the H20 registered."""
    api.given(*b.basics(), b.company("amkor"))
    return api
