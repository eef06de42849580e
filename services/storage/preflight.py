"""Before a command opens the database: is it there, reachable and migrated? (docs/cli.md)

Without this look, SQLAlchemy creates a missing SQLite file (a failed `regtl load` left an
empty database behind), an unmigrated database fails deep in the library with a long
traceback, and the library's PostgreSQL pool retries for 30 s before it says "couldn't get
a connection". One quick connection answers each case in one line instead.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from services.storage.database_names import (
    POSTGRES_EVENTS_TABLE,
    SQLITE_EVENTS_TABLE,
    psycopg_dsn,
    sqlite_path,
)

if TYPE_CHECKING:
    from services.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations" / "versions"
CONNECT_TIMEOUT_SECONDS = 5  # libpq's own minimum is 2
UPGRADE = "run `regtl db upgrade`"
_REVISION = re.compile(r'^(down_)?revision\s*=\s*(?:"([^"]*)"|None)', re.MULTILINE)


class NotReady(Exception):
    """The database cannot serve the command; the message is one line that says what to do."""


def check_migrated(settings: Settings, *, any_revision: bool = False) -> None:
    """The database exists, answers, and is at the revision this code needs (at some
    revision: `any_revision`, for `regtl db downgrade`)."""
    if settings.is_postgres:
        tables, revision = _postgres_state(settings.database_url)
        events = POSTGRES_EVENTS_TABLE
    else:
        tables, revision = _sqlite_state(settings.database_url)
        events = SQLITE_EVENTS_TABLE
    where = _describe(settings.database_url)
    if "alembic_version" not in tables or events not in tables:
        raise NotReady(f"the database {where} is not migrated: {UPGRADE} first")
    if not any_revision and revision in _older_revisions():
        raise NotReady(
            f"the database {where} is at revision {revision}, this regtl needs "
            f"{head_revision()}: {UPGRADE}"
        )


def check_reachable(url: str) -> None:
    """PostgreSQL only: the server answers and the database exists (before `db upgrade`)."""
    if not url.startswith("sqlite"):
        _postgres_state(url)


def _sqlite_state(url: str) -> tuple[set[str], str | None]:
    path = sqlite_path(url)
    if path == ":memory:" or path.startswith("file:"):
        return {"alembic_version", SQLITE_EVENTS_TABLE}, None  # nothing to look at first
    if not Path(path).exists():
        raise NotReady(
            f"the database {path} does not exist: {UPGRADE} to create it "
            "(or fix REGTL_DATABASE_URL)"
        )
    try:
        # mode=rw: open an existing file only; the default mode would create it.
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
    except sqlite3.OperationalError as error:
        raise NotReady(f"the database {path} cannot be opened: {error}") from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revision = _sqlite_revision(conn) if "alembic_version" in tables else None
    except sqlite3.DatabaseError as error:
        raise NotReady(
            f"{path} is not a regtl database ({error}): fix REGTL_DATABASE_URL"
        ) from None
    finally:
        conn.close()
    return tables, revision


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def _postgres_state(url: str) -> tuple[set[str], str | None]:
    import psycopg

    try:
        with psycopg.connect(psycopg_dsn(url), connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            tables = {
                str(r[0])
                for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            }
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM public.alembic_version").fetchone()
                revision = None if row is None else str(row[0])
    except psycopg.OperationalError as error:
        raise NotReady(connection_problem(url, str(error))) from None
    return tables, revision


def connection_problem(url: str, message: str) -> str:
    """psycopg's connection error, as one line that says what to fix."""
    parts = urlsplit(url)
    server = f"{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
    missing = re.search(r'database "([^"]+)" does not exist', message)
    if missing:
        name = missing.group(1)
        return (
            f'database "{name}" does not exist on {server}: create it (createdb {name}) '
            "or fix REGTL_DATABASE_URL"
        )
    if re.search(r'role "[^"]+" does not exist|password authentication failed', message):
        user = unquote(parts.username or "postgres")
        return (
            f"PostgreSQL at {server} refused user {user!r}: check the user and password "
            "in REGTL_DATABASE_URL"
        )
    reason = message.strip().splitlines()[0].rsplit("failed: ", 1)[-1]
    return f"cannot reach PostgreSQL at {server} ({reason}): start it or fix REGTL_DATABASE_URL"


def _describe(url: str) -> str:
    """Where the database is, without its password."""
    if url.startswith("sqlite"):
        return sqlite_path(url)
    parts = urlsplit(url)
    return (
        f"{unquote(parts.path.lstrip('/'))} on {parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
    )


def _revisions() -> dict[str, str | None]:
    """revision → down_revision, read from the migration files (Alembic costs 0.4 s to import;
    a test checks this reading against Alembic's)."""
    chain: dict[str, str | None] = {}
    for path in sorted(MIGRATIONS.glob("[0-9]*.py")):
        found = {bool(m.group(1)): m.group(2) for m in _REVISION.finditer(path.read_text())}
        if found.get(False):
            chain[str(found[False])] = found.get(True)
    return chain


def head_revision() -> str:
    chain = _revisions()
    (head,) = set(chain) - set(chain.values())
    return head


def _older_revisions() -> set[str]:
    return set(_revisions()) - {head_revision()}
