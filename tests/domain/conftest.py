"""Fixtures of the write-rule tests: the write API, with or without the registry they share."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.domain.write_api import Api
from tests.support import builders as b


@pytest.fixture
def api(client: TestClient, write_headers: dict[str, str]) -> Api:
    return Api(client, write_headers)


@pytest.fixture
def registered(api: Api) -> Api:
    """nvidia, amkor and the H20 registered."""
    api.given(*b.basics(), b.company("amkor"))
    return api
