"""A migrated service on SQLite or PostgreSQL, for modules that share one per backend.

A fresh PostgreSQL database per test costs ~0.4 s; modules whose tests do not interfere
open one service per backend (module-scoped fixtures) and give every test its own ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.settings import Settings
from services.storage import migrate
from tests.support import postgres
from tests.support.clock import FakeClock
from tests.support.contract import checked_client


class ReadsTheLog:
    """For test APIs with `client` and `container`: what the log holds since a position."""

    client: TestClient
    container: Container

    def stored_since(self, head: int) -> list[dict[str, Any]]:
        """The events stored after log position `head`, as GET /v1/events lists them."""
        self.container.catch_up()
        page = self.client.get(f"/v1/events?after={head}&limit=1000")
        assert page.status_code == 200, page.text
        return page.json()["items"]  # type: ignore[no-any-return]

    def head(self) -> int:
        return self.container.log.head()


@dataclass
class Service:
    client: TestClient
    container: Container
    clock: FakeClock


@contextmanager
def open_service(
    kind: str, tmp_path: Path, farm: postgres.PostgresFarm | None, **overrides: Any
) -> Iterator[Service]:
    """A migrated service on `kind` ("sqlite" | "postgres"), `overrides` to its Settings."""
    database = None
    if kind == "sqlite":
        settings = Settings(
            database_url=f"sqlite:///{tmp_path}/regtimeline.db", data_dir=tmp_path, **overrides
        )
        migrate.upgrade(settings)
    elif farm is None:
        pytest.skip("PostgreSQL not available")
    else:
        database = farm.create()
        settings = Settings(
            database_url=farm.service_url(database),
            migration_database_url=farm.owner_url(database),
            data_dir=tmp_path,
            **overrides,
        )
    clock = FakeClock()
    container = bootstrap(settings, clock=clock, monotonic=clock.monotonic)
    try:
        with checked_client(create_app(container)) as client:
            yield Service(client, container, clock)
    finally:
        container.close()
        if farm is not None and database is not None:
            farm.drop(database)
