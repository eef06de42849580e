"""Narrower read models: event bodies are rendered from the log, and which chips and
companies an event concerns follows from `rm_subject` (projections/views.py), so
`rm_event.body` and `rm_event_subject` go. Production decisions keep their own subjects
(`rm_event.subjects`, carried over from `rm_event_subject`). The rows that remain are what
the new projection writes, so no rebuild is needed.

Not rolling: the previous release writes and reads the columns this drops, so stop it
before upgrading (docs/deploy.md). PostgreSQL does not give back the dropped bodies' space
until the tables are rewritten: `regtl projections rebuild` twice (each fills the other
generation from empty), or VACUUM FULL.

On PostgreSQL the read models' text keys compare bytewise (COLLATE "C"): ids and slugs are
ASCII, so nothing is lost, lists page in the same order as on SQLite (whose default is
bytewise), and every index insert and lookup skips the locale's collation rules.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
GENERATIONS = ("a", "b")
VIEW_TABLES = ("rm_registry", "rm_object", "rm_criteria_agg", "rm_subject", "rm_event")
TEXT_KEYS = {  # table: {column: length}
    "rm_event": {"event_id": 36, "type": 40, "agg_key": 100, "target_event_id": 36},
    "rm_subject": {"subject": 100, "agg_key": 100},
    "rm_criteria_agg": {"agg_key": 100},
    "rm_object": {"kind": 16, "id": 80, "agg_key": 100},
    "rm_registry": {"kind": 16, "id": 80},
}


def _collate(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for g in GENERATIONS:
        for table, columns in TEXT_KEYS.items():
            with op.batch_alter_table(f"{table}_{g}") as batch:
                for column, length in columns.items():
                    batch.alter_column(
                        column,
                        type_=sa.String(length, collation=collation),
                        existing_type=sa.String(length),
                    )


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for g in GENERATIONS:
        op.add_column(f"rm_event_{g}", sa.Column("subjects", sa.Text))
        listed = (
            "string_agg(s.subject, ' ' ORDER BY s.subject)"
            if postgres
            else "group_concat(s.subject, ' ')"
        )
        op.execute(
            f"UPDATE rm_event_{g} SET subjects = (SELECT {listed} "
            f"FROM rm_event_subject_{g} s WHERE s.position = rm_event_{g}.position) "
            f"WHERE agg_key LIKE 'production:%'"
        )
        op.drop_index(f"ix_rm_event_subject_{g}_position", table_name=f"rm_event_subject_{g}")
        op.drop_table(f"rm_event_subject_{g}")
        with op.batch_alter_table(f"rm_event_{g}") as batch:
            batch.drop_column("body")
    _collate("C")


def downgrade() -> None:
    """The older projection needs what this one never wrote: both generations are emptied
    and their checkpoints reset, so the older service projects the log again from 0."""
    for g in GENERATIONS:
        for table in VIEW_TABLES:
            op.execute(f"DELETE FROM {table}_{g}")
        with op.batch_alter_table(f"rm_event_{g}") as batch:
            batch.drop_column("subjects")
            batch.add_column(sa.Column("body", sa.LargeBinary, nullable=False))
        op.create_table(
            f"rm_event_subject_{g}",
            sa.Column("subject", sa.String(100), primary_key=True),
            sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        )
        op.create_index(f"ix_rm_event_subject_{g}_position", f"rm_event_subject_{g}", ["position"])
    _collate(None)  # on empty tables: no index to rebuild
    op.execute("UPDATE projection_checkpoint SET position = 0 WHERE name LIKE 'views@%'")
    op.execute("DELETE FROM projection_rebuild")
