"""Read models in two generations (a, b), checkpoints, the active generation, API keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
GENERATIONS = ("a", "b")


def _generation(g: str) -> None:
    op.create_table(
        f"rm_event_{g}",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("agg_key", sa.String(100), nullable=False),
        sa.Column("effective_us", sa.BigInteger),
        sa.Column("reported_us", sa.BigInteger, nullable=False),
        sa.Column("recorded_us", sa.BigInteger, nullable=False),
        sa.Column("target_event_id", sa.String(36)),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_index(f"ix_rm_event_{g}_agg", f"rm_event_{g}", ["agg_key", "position"])
    op.create_index(f"ix_rm_event_{g}_type", f"rm_event_{g}", ["type", "position"])
    op.create_index(f"ix_rm_event_{g}_effective", f"rm_event_{g}", ["effective_us"])
    op.create_table(
        f"rm_event_subject_{g}",
        sa.Column("subject", sa.String(100), primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    )
    op.create_index(f"ix_rm_event_subject_{g}_position", f"rm_event_subject_{g}", ["position"])
    op.create_table(
        f"rm_subject_{g}",
        sa.Column("subject", sa.String(100), primary_key=True),
        sa.Column("agg_key", sa.String(100), primary_key=True),
        sa.Column("first_position", sa.BigInteger, nullable=False),
    )
    op.create_index(f"ix_rm_subject_{g}_agg", f"rm_subject_{g}", ["agg_key"])
    op.create_table(
        f"rm_criteria_agg_{g}",
        sa.Column("agg_key", sa.String(100), primary_key=True),
        sa.Column("first_position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        f"rm_object_{g}",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("agg_key", sa.String(100), nullable=False),
        sa.Column("first_position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        f"rm_registry_{g}",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("first_position", sa.BigInteger, nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "projection_checkpoint",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "projection_generation",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("active", sa.String(8), nullable=False),
    )
    op.create_table(
        "projection_rebuild",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("generation", sa.String(8), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.bulk_insert(
        sa.table("projection_generation", sa.column("name"), sa.column("active")),
        [{"name": "views", "active": "a"}],
    )
    op.bulk_insert(
        sa.table("projection_checkpoint", sa.column("name"), sa.column("position")),
        [{"name": f"views@{g}", "position": 0} for g in GENERATIONS],
    )
    for g in GENERATIONS:
        _generation(g)
    op.create_table(
        "api_key",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("api_key")
    for g in GENERATIONS:
        for table in (
            "rm_registry",
            "rm_object",
            "rm_criteria_agg",
            "rm_subject",
            "rm_event_subject",
            "rm_event",
        ):
            op.drop_table(f"{table}_{g}")
    op.drop_table("projection_rebuild")
    op.drop_table("projection_generation")
    op.drop_table("projection_checkpoint")
