"""A command that needs the tables, run where they are not: one line, exit 1, nothing created.

Before the preflight (services/storage/preflight.py), `regtl load` before `regtl db upgrade` printed
a 150-line traceback and left an empty database file, and a PostgreSQL URL naming a
missing database hung for 31 s before "couldn't get a connection".
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.settings import Settings
from services.storage import migrate, preflight
from tests.support import builders as b
from tests.support import postgres
from tests.support.cli import one_error_line, regtl, regtl_process

NEEDS_TABLES = [
    ("load", "{file}"),
    ("demo",),
    ("export",),
    ("keys", "list"),
    ("keys", "create", "--scope", "read"),
    ("keys", "revoke", "abc"),
    ("projections", "rebuild"),
    ("projections", "status"),
    ("db", "downgrade", "0003"),
]


def _fresh(tmp_path: Path) -> Settings:
    """Settings for a database nobody has created yet (in a folder nobody has created)."""
    data = tmp_path / "data"
    return Settings(database_url=f"sqlite:///{data}/regtimeline.db", data_dir=data)


def _events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.json"
    path.write_text(json.dumps([b.company()]))
    return path


@pytest.mark.parametrize("command", NEEDS_TABLES, ids=" ".join)
def test_before_db_upgrade_a_command_says_so_and_creates_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    settings = _fresh(tmp_path)
    args = [a.format(file=_events_file(tmp_path)) for a in command]
    result = regtl(settings, *args)
    line = one_error_line(result.stderr, result.exit_code)
    assert "does not exist: run `regtl db upgrade`" in line
    assert not settings.data_dir.exists()  # neither the SQLite file nor its folder


def test_the_real_process_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    settings = _fresh(tmp_path)
    done = regtl_process(
        {"REGTL_DATABASE_URL": settings.database_url, "REGTL_DATA_DIR": str(settings.data_dir)},
        "load",
        str(_events_file(tmp_path)),
    )
    one_error_line(done.stderr, done.returncode)
    assert done.stdout == "" and not settings.data_dir.exists()


def test_an_empty_database_file_is_not_migrated(tmp_path: Path) -> None:
    settings = _fresh(tmp_path)
    settings.data_dir.mkdir()
    Path(settings.database_url.removeprefix("sqlite:///")).touch()  # what the old bug left
    result = regtl(settings, "keys", "list")
    line = one_error_line(result.stderr, result.exit_code)
    assert "is not migrated: run `regtl db upgrade` first" in line


def test_a_database_behind_the_code_asks_for_the_upgrade(tmp_path: Path) -> None:
    settings = _fresh(tmp_path)
    migrate.upgrade(settings, "0003")
    result = regtl(settings, "load", str(_events_file(tmp_path)))
    line = one_error_line(result.stderr, result.exit_code)
    assert f"is at revision 0003, this regtl needs {preflight.head_revision()}" in line
    assert "run `regtl db upgrade`" in line
    assert regtl(settings, "db", "downgrade", "0002").exit_code == 0  # any revision will do


def test_the_head_read_from_the_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(migrate.MIGRATIONS))
    assert preflight.head_revision() == scripts.get_current_head()


@pytest.fixture
def missing_database() -> Iterator[str]:
    if not postgres.available():
        pytest.skip("PostgreSQL not available")
    yield f"regtl_missing_{uuid.uuid4().hex[:8]}"  # never created


@pytest.mark.parametrize("command", [("keys", "list"), ("db", "upgrade")], ids=" ".join)
def test_a_missing_postgres_database_is_named_at_once(
    missing_database: str, command: tuple[str, ...]
) -> None:
    url = postgres.with_database(postgres.admin_url(), missing_database)
    # The library's pool took 31 s to give up; a hang would fail on the timeout.
    done = regtl_process({"REGTL_DATABASE_URL": url}, *command, timeout=20)
    line = one_error_line(done.stderr, done.returncode)
    assert (
        f'database "{missing_database}" does not exist' in line
        and f"createdb {missing_database}" in line
        and "REGTL_DATABASE_URL" in line
    )


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A local port that refuses connections: bound, never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_an_unreachable_postgres_server_is_named_with_its_address(
    refusing_port: int, tmp_path: Path
) -> None:
    url = f"postgresql://regtl@127.0.0.1:{refusing_port}/regtimeline"
    result = regtl(Settings(database_url=url, data_dir=tmp_path), "export")
    line = one_error_line(result.stderr, result.exit_code)
    assert f"cannot reach PostgreSQL at 127.0.0.1:{refusing_port}" in line


def test_an_unmigrated_postgres_database_asks_for_the_upgrade(
    pg_farm: postgres.PostgresFarm | None, tmp_path: Path
) -> None:
    if pg_farm is None:
        pytest.skip("PostgreSQL not available")
    name = pg_farm.create_empty()
    settings = Settings(database_url=pg_farm.owner_url(name), data_dir=tmp_path)
    result = regtl(settings, "keys", "list")
    line = one_error_line(result.stderr, result.exit_code)
    assert f"the database {name} on " in line and "is not migrated" in line
