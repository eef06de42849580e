"""Fixtures: every test that takes `backend` runs on SQLite and on PostgreSQL.

PostgreSQL tests run where a local server answers (or REGTL_TEST_POSTGRES_URL is set);
with REGTL_REQUIRE_POSTGRES=1 (CI) an unreachable server fails the run instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from domain.clocks import utc_now
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.settings import Settings
from services.storage import migrate
from tests.support import postgres
from tests.support.clock import FakeClock
from tests.support.contract import checked_client

REQUIRE_POSTGRES = os.environ.get("REGTL_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def pg_farm() -> Iterator[postgres.PostgresFarm | None]:
    if not postgres.available():
        if REQUIRE_POSTGRES:
            pytest.fail(
                f"PostgreSQL is required (REGTL_REQUIRE_POSTGRES=1) but "
                f"{postgres.admin_url()} does not answer"
            )
        yield None
        return
    with postgres.farm() as farm:
        yield farm


@dataclass
class Backend:
    name: str
    settings: Settings
    farm: postgres.PostgresFarm | None = None
    database: str | None = None


def _sqlite_backend(tmp_path: Path) -> Backend:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/regtimeline.db", data_dir=tmp_path)
    migrate.upgrade(settings)
    return Backend("sqlite", settings)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, pg_farm: postgres.PostgresFarm | None
) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield _sqlite_backend(tmp_path)
        return
    if pg_farm is None:
        pytest.skip("PostgreSQL not available")
    database = pg_farm.create()
    settings = Settings(
        database_url=pg_farm.service_url(database),
        migration_database_url=pg_farm.owner_url(database),
        data_dir=tmp_path,
    )
    try:
        yield Backend("postgres", settings, pg_farm, database)
    finally:
        pg_farm.drop(database)


@pytest.fixture
def sqlite_backend(tmp_path: Path) -> Backend:
    """A second, SQLite-only database (its own folder: `backend` may be SQLite too)."""
    folder = tmp_path / "second"
    folder.mkdir()
    return _sqlite_backend(folder)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def container(backend: Backend, clock: FakeClock) -> Iterator[Container]:
    c = bootstrap(backend.settings, clock=clock)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with checked_client(create_app(container)) as test_client:
        yield test_client


def _token(container: Container, scope: str) -> str:
    return container.keys.create(scope, f"test-{scope}", utc_now())[1]


@pytest.fixture
def write_headers(container: Container) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(container, 'write')}"}


@pytest.fixture
def read_headers(container: Container) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(container, 'read')}"}


@pytest.fixture
def admin_headers(container: Container) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(container, 'admin')}"}
