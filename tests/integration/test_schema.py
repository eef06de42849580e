"""Alembic owns the schema: it matches the library's, and the log is append-only in the DB."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from services.settings import Settings
from services.storage import migrate
from services.storage.store import EventLog, library_env, sqlite_path
from tests.conftest import Backend
from tests.support import postgres

LOG_TABLE = {"sqlite": "stored_events", "postgres": "regtimeline_events"}


def _squash(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip().lower()


def test_sqlite_log_table_matches_what_the_library_creates(tmp_path: Path) -> None:
    ours = Settings(database_url=f"sqlite:///{tmp_path}/ours.db")
    migrate.upgrade(ours)
    theirs = Settings(database_url=f"sqlite:///{tmp_path}/theirs.db")
    EventLog(env={**library_env(theirs), "CREATE_TABLE": "yes"}).close()

    def describe(path: str) -> Any:
        with sqlite3.connect(path) as conn:
            sql = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name='stored_events'"
            ).fetchone()
            columns = conn.execute("PRAGMA table_info(stored_events)").fetchall()
        return _squash(sql[0].replace("IF NOT EXISTS ", "")), columns

    assert describe(sqlite_path(ours.database_url)) == describe(sqlite_path(theirs.database_url))


PG_DESCRIBE = {
    "columns": "SELECT column_name, data_type, is_nullable, column_default FROM "
    "information_schema.columns WHERE table_name = 'regtimeline_events' ORDER BY ordinal_position",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'regtimeline_events' ORDER BY 1",
    "options": "SELECT reloptions FROM pg_class WHERE relname = 'regtimeline_events'",
    "type": "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_type t "
    "JOIN pg_attribute a ON a.attrelid = t.typrelid WHERE t.typname = 'stored_event_uuid' "
    "ORDER BY a.attnum",
    "function": "SELECT proname, pg_get_function_arguments(oid) FROM pg_proc "
    "WHERE proname = 'es_insert_events_uuid'",
}


def _describe_pg(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in PG_DESCRIBE.items()}


def test_postgres_log_table_matches_what_the_library_creates(pg_farm: Any) -> None:
    if pg_farm is None:
        pytest.skip("PostgreSQL not available")
    ours = pg_farm.create()
    theirs = pg_farm.create_empty()
    settings = Settings(database_url=pg_farm.owner_url(theirs))
    EventLog(env={**library_env(settings), "CREATE_TABLE": "yes"}).close()
    described = _describe_pg(pg_farm.owner_url(ours))
    assert described["columns"] and described["indexes"] and described["type"]
    assert described == _describe_pg(pg_farm.owner_url(theirs))


def _append_one(backend: Backend) -> None:
    from services.bootstrap import bootstrap
    from services.write.parsing import parse_envelope
    from services.write.writer import Item
    from tests.support import builders as b

    container = bootstrap(backend.settings)
    try:
        container.writer.append([Item(parse_envelope(b.company()))], "test")
    finally:
        container.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {t} SET topic = 'x'",
        "DELETE FROM {t}",
        "TRUNCATE {t}",
        "REPLACE INTO {t} SELECT * FROM {t}",
        "LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE",
    ],
)
def test_the_service_cannot_change_or_remove_logged_events(
    backend: Backend, statement: str
) -> None:
    """Run as the service's own role (PostgreSQL: not the schema owner)."""
    _append_one(backend)
    table = LOG_TABLE[backend.name]
    if backend.name == "sqlite":
        if statement.startswith("TRUNCATE"):
            statement = "DELETE FROM {t}"  # SQLite's truncate is an unqualified DELETE
        if statement.startswith("LOCK"):
            pytest.skip("SQLite has no LOCK TABLE")
        with sqlite3.connect(sqlite_path(backend.settings.database_url)) as conn:
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(statement.format(t=table))
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 1
        return
    if statement.startswith("REPLACE"):
        pytest.skip("PostgreSQL has no REPLACE")
    with psycopg.connect(backend.settings.database_url) as conn:
        with pytest.raises(psycopg.Error, match="append-only|permission denied"):
            conn.execute(statement.format(t=table))
    with psycopg.connect(backend.settings.database_url) as conn:
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 1


def test_sqlite_refuses_a_replace_by_rowid_and_keeps_the_event(backend: Backend) -> None:
    """REPLACE's implicit delete fires no DELETE trigger: the insert trigger of revision 0005
    must catch an overwrite by rowid as well as by key."""
    if backend.name != "sqlite":
        pytest.skip("SQLite only")
    _append_one(backend)
    with sqlite3.connect(sqlite_path(backend.settings.database_url)) as conn:
        before = conn.execute("SELECT rowid, * FROM stored_events").fetchall()
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(
                "INSERT OR REPLACE INTO stored_events (rowid, originator_id, "
                "originator_version, topic, state) VALUES (1, 'other', 1, 't', x'00')"
            )
        assert conn.execute("SELECT rowid, * FROM stored_events").fetchall() == before


def test_the_service_role_does_not_own_the_log(backend: Backend) -> None:
    if backend.name != "postgres":
        pytest.skip("roles are a PostgreSQL matter")
    with psycopg.connect(backend.settings.database_url) as conn:
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'regtimeline_events'"
        ).fetchone()[0]
        me = conn.execute("SELECT current_user").fetchone()[0]
        with pytest.raises(psycopg.Error):
            conn.execute("ALTER TABLE regtimeline_events DISABLE TRIGGER ALL")
    assert owner != me


def test_read_models_downgrade_but_the_log_never_does(backend: Backend) -> None:
    _append_one(backend)
    owner = backend.settings.model_copy(
        update={
            "database_url": backend.settings.migration_database_url
            or backend.settings.database_url,
            "migration_database_url": None,
        }
    )
    migrate.downgrade(owner, "0001")
    from projections.database import make_engine

    engine = make_engine(owner.database_url)
    with engine.connect() as conn:
        count = conn.execute(text(f"SELECT count(*) FROM {LOG_TABLE[backend.name]}")).scalar()
    engine.dispose()
    assert count == 1
    with pytest.raises(RuntimeError, match="never downgrades"):
        migrate.downgrade(owner, "base")
    migrate.upgrade(backend.settings)  # and back up again


def test_upgrade_on_an_empty_database_gives_a_working_service(pg_farm: Any, tmp_path: Path) -> None:
    if pg_farm is None:
        pytest.skip("PostgreSQL not available")
    database = pg_farm.create_empty()
    settings = Settings(
        database_url=pg_farm.service_url(database),
        migration_database_url=pg_farm.owner_url(database),
    )
    migrate.upgrade(settings)
    migrate.upgrade(settings)  # idempotent: the role exists already
    _append_one(Backend("postgres", settings))
    assert postgres.available()


def test_read_model_keys_compare_bytewise_as_on_sqlite(backend: Backend) -> None:
    """Ids page in the same order on both backends (PostgreSQL: COLLATE "C")."""
    if backend.name != "postgres":
        pytest.skip("SQLite compares text bytewise by default")
    with psycopg.connect(backend.settings.database_url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_name LIKE 'rm\\_%' AND data_type = 'character varying'"
        ).fetchall()
    assert len(rows) == 2 * 12
    assert {(t, c) for t, c, collation in rows if collation != "C"} == set()


def test_postgres_writers_serialise_on_the_advisory_lock_not_a_table_lock(backend: Backend) -> None:
    """The service role has no table-lock privilege: an append takes the writers' advisory
    lock instead, so while another session holds it the append waits on it (seen in
    pg_locks), and goes through once it is released."""
    if backend.name != "postgres":
        pytest.skip("PostgreSQL only")
    from services.storage.store import WRITERS_LOCK, SerialisedRecorder, open_event_log

    log = open_event_log(backend.settings)
    try:
        assert isinstance(log.recorder, SerialisedRecorder)
        with psycopg.connect(backend.settings.database_url, autocommit=False) as holder:
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITERS_LOCK,))
            appending = threading.Thread(target=_append_one_to, args=(log,))
            appending.start()
            assert _advisory_waiter_seen(holder), "the append did not wait on the lock"
            assert log.head() == 0
            holder.rollback()  # releases the lock
            appending.join(timeout=10)
        assert not appending.is_alive() and log.head() == 1
    finally:
        log.close()


def _advisory_waiter_seen(conn: Any) -> bool:
    for _ in range(100):
        waiting = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()[0]
        if waiting:
            return True
        time.sleep(0.05)
    return False


def _append_one_to(log: Any) -> None:
    from eventsourcing.domain import Aggregate

    log.append(Aggregate().collect_events())
