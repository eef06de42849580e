"""Read models (the `events` projection, checkpoints) and API keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "projection_checkpoint",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "rm_event",
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
    op.create_index("ix_rm_event_agg", "rm_event", ["agg_key", "position"])
    op.create_index("ix_rm_event_type", "rm_event", ["type", "position"])
    op.create_index("ix_rm_event_effective", "rm_event", ["effective_us"])
    op.create_table(
        "rm_event_subject",
        sa.Column("subject", sa.String(100), primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    )
    op.create_index("ix_rm_event_subject_position", "rm_event_subject", ["position"])
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
    for table in ("api_key", "rm_event_subject", "rm_event", "projection_checkpoint"):
        op.drop_table(table)
