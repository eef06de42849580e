"""The databases a property test's examples share (the `stores` fixture of
tests/properties/conftest.py).

One database serves every example of a test (a fresh PostgreSQL database costs ~0.4 s):
each example names its own chips, companies and objects (prefix `p<n>-`) and compares only
those. The other examples' events are in the log the reference folds; they must not leak
into an answer, which is itself a test of slice selection.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.settings import Settings
from services.storage import migrate
from tests.conftest import Backend
from tests.support.clock import FakeClock
from tests.support.contract import checked_client


class Stores:
    """The databases a test's examples share. Each example names its own ids, so one
    database serves many; a fresh one replaces it once its log is long, because the
    reference folds the whole log for every question (the thorough profile would otherwise
    grow quadratically)."""

    MAX_LOG = 1500

    def __init__(self, backend: Backend, folder: Path, clock: FakeClock):
        self.backend, self.folder, self.clock = backend, folder, clock
        self.databases: list[str] = []  # PostgreSQL databases made here (the first is not)
        self.opened = itertools.count()
        self.container: Container | None = None
        self.client: TestClient | None = None

    def current(self) -> Container:
        if self.container is None:
            self._open(self.backend.settings)
        elif self.container.log.head() > self.MAX_LOG:
            self.close()
            self._open(self._fresh())
        assert self.container is not None
        return self.container

    def http(self) -> TestClient:
        container = self.current()
        if self.client is None:
            self.client = checked_client(create_app(container))
            self.client.__enter__()
        return self.client

    def _fresh(self) -> Settings:
        if self.backend.farm is not None:
            database = self.backend.farm.create()
            self.databases.append(database)
            return Settings(
                database_url=self.backend.farm.service_url(database),
                migration_database_url=self.backend.farm.owner_url(database),
                data_dir=self.folder,
            )
        folder = self.folder / f"store-{next(self.opened)}"
        folder.mkdir()
        fresh = Settings(database_url=f"sqlite:///{folder}/regtimeline.db", data_dir=folder)
        migrate.upgrade(fresh)
        return fresh

    def _open(self, settings: Settings) -> None:
        self.container = bootstrap(settings, clock=self.clock)

    def close(self) -> None:
        if self.client is not None:
            self.client.__exit__(None, None, None)
            self.client = None
        if self.container is not None:
            self.container.close()
            self.container = None
        if self.backend.farm is not None:
            for database in self.databases:
                self.backend.farm.drop(database)
            self.databases.clear()
