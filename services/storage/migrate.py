"""`regtl db upgrade|downgrade`: Alembic, run programmatically, plus the service role's grants."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from projections.database import make_engine
from services.settings import Settings
from services.storage.database_names import make_sqlite_files_private
from services.storage.store import POSTGRES_EVENTS_TABLE, sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"


def _owner_engine(settings: Settings) -> Engine:
    url = settings.migration_database_url or settings.database_url
    if url.startswith("sqlite"):
        path = Path(sqlite_path(url))
        if path.parent and str(path) != ":memory:":
            # A data directory we create is private too (docs/deploy.md, "Threat model").
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return make_engine(url, pool_size=1)


def upgrade(settings: Settings, revision: str = "head") -> None:
    engine = _owner_engine(settings)
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        if not settings.is_postgres:
            make_sqlite_files_private(settings.migration_database_url or settings.database_url)
        if settings.is_postgres and settings.migration_database_url:
            grant_service_role(engine, settings.database_url)
    finally:
        engine.dispose()


def downgrade(settings: Settings, revision: str) -> None:
    engine = _owner_engine(settings)
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def grant_service_role(owner: Engine, service_url: str) -> None:
    """Create the service's role if needed and grant it no more than it needs.

    The log gets SELECT and INSERT only: its writers serialise on an advisory lock
    (services/storage/store.py `SerialisedRecorder`), not on a table lock, so the role cannot lock
    readers out of the log, and it cannot UPDATE, DELETE or TRUNCATE it. Not being the owner,
    it cannot disable the triggers that refuse those either (docs/deploy.md).
    """
    parts = urlsplit(service_url)
    role = unquote(parts.username or "")
    if not role:
        return
    password = unquote(parts.password) if parts.password else None
    with owner.begin() as conn:
        if conn.execute(text("SELECT current_user")).scalar() == role:
            return  # one role for both: nothing to split (documented as not recommended)
        ident = conn.dialect.identifier_preparer.quote(role)
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first()
        if not exists:
            conn.execute(text(f"CREATE ROLE {ident} LOGIN"))
        if password is not None:
            literal = "'" + password.replace("'", "''") + "'"  # utility statements take no binds
            conn.execute(text(f"ALTER ROLE {ident} PASSWORD {literal}"))
        database = conn.dialect.identifier_preparer.quote(
            str(conn.execute(text("SELECT current_database()")).scalar())
        )
        for statement in (
            f"GRANT CONNECT ON DATABASE {database} TO {ident}",
            f"GRANT USAGE ON SCHEMA public TO {ident}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ident}",
            # Also taken back from a role that an earlier release granted TRUNCATE.
            f"REVOKE UPDATE, DELETE, TRUNCATE ON public.{POSTGRES_EVENTS_TABLE} FROM {ident}",
            f"REVOKE INSERT, UPDATE, DELETE ON public.alembic_version FROM {ident}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ident}",
        ):
            conn.execute(text(statement))
