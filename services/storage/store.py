"""The event log: the `eventsourcing` library's Application over its own recorders.

SQLite (embedded default) or PostgreSQL, chosen by REGTL_DATABASE_URL. Tables are created
by Alembic, never by the library (CREATE_TABLE=no), so a least-privileged role can run it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import JSONTranscoder, Notification, Recording
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Literal

from services.settings import Settings
from services.storage.database_names import (
    APPLICATION_NAME,
    POSTGRES_EVENTS_TABLE,
    SQLITE_EVENTS_TABLE,
    psycopg_dsn,
    sqlite_path,
)

__all__ = [
    "APPLICATION_NAME",
    "POSTGRES_EVENTS_TABLE",
    "SQLITE_EVENTS_TABLE",
    "EventLog",
    "library_env",
    "open_event_log",
    "psycopg_dsn",
    "sqlite_path",
]


class EventLog(Application[UUID]):
    """The append-only log of every regulatory event (and idempotency record)."""

    name = APPLICATION_NAME

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        # Our payloads are JSON-native strings; the defaults (UUID, datetime, Decimal) cover
        # the library's own fields. Register more here, in this one class, if ever needed.

    def append(self, events: Sequence[DomainEvent]) -> list[Recording[UUID]]:
        """Store events atomically: the library's event store `put`, as `save()` would call
        it, minus `save()`'s per-object runtime Protocol checks (a fifth of a batch's time)
        and its snapshot and notify hooks, which this application does not use."""
        return self.events.put(events)

    def notifications(self, after: int, limit: int) -> list[Notification]:
        return list(self.recorder.select_notifications(start=after + 1, limit=limit))

    def head(self) -> int:
        return int(self.recorder.max_notification_id() or 0)

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The log position of one stored event (the library has no call for this)."""
        recorder: Any = self.recorder
        if isinstance(recorder, SQLiteApplicationRecorder):
            sql = f"SELECT rowid FROM {SQLITE_EVENTS_TABLE} WHERE originator_id=? AND originator_version=?"
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(sql, (originator_id.hex, version))
                row = cursor.fetchone()
            return None if row is None else int(row[0])
        sql = (
            f"SELECT notification_id FROM public.{POSTGRES_EVENTS_TABLE} "
            "WHERE originator_id=%s AND originator_version=%s"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, (originator_id, version))
            row = cursor.fetchone()
        return None if row is None else int(row["notification_id"])


# pg_advisory_xact_lock key of the log's writers: "regtl" in ASCII, then 1.
WRITERS_LOCK = 0x7265_6774_6C00_0001


class SerialisedRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, its writers serialised by an advisory lock.

    The library takes `LOCK TABLE … IN EXCLUSIVE MODE` before each insert so that commit
    order equals position order (a reader that has seen position n+1 never later sees n
    appear). PostgreSQL grants that lock only to a role with UPDATE, DELETE or TRUNCATE on
    the table, and such a role may also take ACCESS EXCLUSIVE and block every reader. A
    transaction-scoped advisory lock gives every writer of the log (all of them go through
    this class) the same order, held until commit, so the service role needs only SELECT
    and INSERT on the log (docs/deploy.md, "The database roles").
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
            SQL("SELECT pg_advisory_xact_lock({0})").format(Literal(WRITERS_LOCK)),
        ]


# The log is stored as plain JSON, whatever the process environment says: the read models
# render event bodies from it (projections/stored.py). Encryption at rest is the database's.
PLAIN_STATE = {
    f"{prefix}{key}": ""
    for prefix in ("", f"{APPLICATION_NAME.upper()}_")
    for key in ("CIPHER_TOPIC", "CIPHER_KEY", "COMPRESSOR_TOPIC")
}


def library_env(settings: Settings, url: str | None = None) -> dict[str, str]:
    return {**_persistence_env(settings, url), **PLAIN_STATE}


def _persistence_env(settings: Settings, url: str | None = None) -> dict[str, str]:
    url = url or settings.database_url
    if not settings.is_postgres:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": sqlite_path(url),
            "SQLITE_LOCK_TIMEOUT": "30",
            "CREATE_TABLE": "no",
        }
    parts = urlsplit(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_LOCK_TIMEOUT": str(settings.postgres_lock_timeout_seconds),
        "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        "POSTGRES_SCHEMA": "public",
        "CREATE_TABLE": "no",
        "APPLICATION_RECORDER_TOPIC": f"{__name__}:{SerialisedRecorder.__name__}",
    }


def open_event_log(settings: Settings) -> EventLog:
    return EventLog(env=library_env(settings))
