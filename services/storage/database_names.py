"""Where a database URL points and what the log's table is called there.

Standard library only, so `regtl`'s first look at the database (services/storage/preflight.py)
does not import the event-sourcing library; services/storage/store.py re-exports these names.
"""

from __future__ import annotations

APPLICATION_NAME = "regtimeline"  # pinned: on PostgreSQL the log table is `regtimeline_events`
SQLITE_EVENTS_TABLE = "stored_events"
POSTGRES_EVENTS_TABLE = f"{APPLICATION_NAME}_events"


def sqlite_path(url: str) -> str:
    """`sqlite:///relative/path.db` or `sqlite:////absolute/path.db` → the file path."""
    path = url.removeprefix("sqlite://")
    return path[1:] if path.startswith("/") else path


def psycopg_dsn(url: str) -> str:
    """A libpq URL psycopg accepts (SQLAlchemy-style driver suffixes removed)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def make_sqlite_files_private(url: str) -> None:
    """The SQLite database holds key digests and webhook URLs (which may carry
    credentials): readable by its owner only, 0600. SQLite gives the -wal and -shm files it
    creates later the database file's own mode, so setting it on the file covers them; those
    already there are set too (docs/deploy.md, "Threat model")."""
    import os
    import stat

    path = sqlite_path(url)
    if path in ("", ":memory:"):
        return
    for name in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(name, mode & 0o700)
