"""The SQLite log refuses REPLACE too.

`REPLACE INTO stored_events …` (or `INSERT OR REPLACE`) over an existing row deletes that
row and inserts another in its place, and SQLite fires no DELETE trigger for that implicit
delete unless recursive triggers are on — which the library's connections do not set. So
the append-only guard of revision 0001 had a hole: an event could be overwritten. A BEFORE
INSERT trigger now refuses any insert that would land on an existing key or rowid. A
plain INSERT of a taken key fails as before (the library reads that as a concurrency
conflict; RAISE(ABORT) is a constraint error like the primary key's own).

PostgreSQL needs nothing here: it has no REPLACE, and its service role's privileges are
set by `regtl db upgrade` (services/storage/migrate.py, docs/deploy.md "The database roles").

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"

NO_REPLACE = (
    "CREATE TRIGGER stored_events_no_replace BEFORE INSERT ON stored_events "
    "WHEN EXISTS (SELECT 1 FROM stored_events WHERE originator_id = NEW.originator_id "
    "AND originator_version = NEW.originator_version) "
    "OR EXISTS (SELECT 1 FROM stored_events WHERE rowid = NEW.rowid) "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only: REPLACE refused'); END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(NO_REPLACE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS stored_events_no_replace")
