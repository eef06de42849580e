"""Where a database URL points and what the log's table is called there.

Standard library only, so `regtl`'s first look at the database (services/preflight.py)
does not import the event-sourcing library; services/store.py re-exports these names.
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
