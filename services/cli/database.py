"""`regtl db …`: create, upgrade or downgrade the schema (Alembic; docs/cli.md).

Alembic is imported only when one of these commands runs, never by `regtl` starting up.
"""

from __future__ import annotations

import typer

from services.cli.context import ready, settings
from services.cli.output import fail

db_app = typer.Typer(
    help="Database schema (Alembic): create it, upgrade it, downgrade it.", no_args_is_help=True
)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or migrate the database to REVISION (default: the latest); safe to re-run."""
    from services.storage.preflight import NotReady, check_reachable

    current = settings()
    try:
        check_reachable(current.migration_database_url or current.database_url)
    except NotReady as problem:
        raise fail(str(problem)) from None
    from services.storage import migrate

    migrate.upgrade(current, revision)
    typer.echo(f"database at revision {revision}", err=True)


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Downgrade the read models to REVISION (the log's base revision never downgrades)."""
    current = ready(any_revision=True)
    from services.storage import migrate

    try:
        migrate.downgrade(current, revision)
    except RuntimeError as error:
        raise fail(str(error)) from None
    typer.echo(f"database at revision {revision}", err=True)
