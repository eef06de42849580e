"""Throwaway PostgreSQL databases for tests: one migrated template per run, a copy per test.

The service connects as an unprivileged role (created by `regtl db upgrade`, as in
production), so tests of the append-only guarantee exercise the real privileges.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    return os.environ.get("REGTL_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


def with_database(url: str, database: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        host = netloc.rsplit("@", 1)[-1]
        netloc = f"{user}@{host}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", "", ""))


def available() -> bool:
    try:
        with psycopg.connect(admin_url(), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _admin() -> psycopg.Connection:
    return psycopg.connect(admin_url(), autocommit=True)


class PostgresFarm:
    """Creates databases from a migrated template and drops everything it made."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.role = f"regtl_app_{tag}"
        self.template = f"regtl_tpl_{tag}"
        self.databases: list[str] = []
        self._template_ready = False

    def owner_url(self, database: str) -> str:
        return with_database(admin_url(), database)

    def service_url(self, database: str) -> str:
        return with_database(admin_url(), database, user=self.role)

    def _ensure_template(self) -> None:
        if self._template_ready:
            return
        from services.settings import Settings
        from services.storage import migrate

        with _admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.template}"')
        migrate.upgrade(
            Settings(
                database_url=self.service_url(self.template),
                migration_database_url=self.owner_url(self.template),
            )
        )
        self._template_ready = True

    def create(self) -> str:
        """A fresh, migrated database; returns its name."""
        self._ensure_template()
        name = f"regtl_t_{uuid.uuid4().hex[:12]}"
        with _admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.databases.append(name)
        return name

    def create_empty(self) -> str:
        """A fresh database with no schema (for migration tests)."""
        name = f"regtl_e_{uuid.uuid4().hex[:12]}"
        with _admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return name

    def drop(self, name: str) -> None:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.databases:
            self.databases.remove(name)

    def close(self) -> None:
        for name in list(self.databases):
            self.drop(name)
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{self.role}"')


@contextmanager
def farm() -> Iterator[PostgresFarm]:
    f = PostgresFarm()
    try:
        yield f
    finally:
        f.close()
