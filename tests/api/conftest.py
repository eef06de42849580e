"""Fixtures of the HTTP API tests: the service a module's tests share on each backend.

`api` is one migrated service per backend for each module that asks for it (PostgreSQL
database creation stays out of each test, so tests use ids of their own and read only what
they wrote). A module or package whose tests need a registry first overrides `api` with a
fixture of the same name that asks for this one and adds it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import postgres
from tests.support.events_api import Api, open_api


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Api]:
    """A migrated service on each backend, shared by the module's tests."""
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    with open_api(request.param, folder, pg_farm) as shared:
        yield shared
