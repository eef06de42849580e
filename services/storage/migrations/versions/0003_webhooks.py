"""Webhooks: subscriptions, messages, deliveries, attempts, the derived-message schedule.

Times are integer microseconds since the epoch (UTC): the same on SQLite and PostgreSQL,
and cheap to index and compare.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("owner_key_id", sa.String(32), nullable=False, index=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("event_types", sa.Text, nullable=False),  # JSON list; empty = all
        sa.Column("chips", sa.Text, nullable=False),
        sa.Column("companies", sa.Text, nullable=False),
        sa.Column("secret", sa.LargeBinary, nullable=False),  # sealed with REGTL_SECRET_KEY
        sa.Column("previous_secret", sa.LargeBinary),
        sa.Column("previous_secret_until_us", sa.BigInteger),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("disabled_at_us", sa.BigInteger),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("failing_since_us", sa.BigInteger),
        sa.Column("start_position", sa.BigInteger, nullable=False),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
        sa.Column("deleted_at_us", sa.BigInteger),
    )
    op.create_table(
        "webhook_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("msg_id", sa.String(120), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("position", sa.BigInteger),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_webhook_message_msg_id", "webhook_message", ["msg_id"])
    op.create_index("ix_webhook_message_position", "webhook_message", ["position"])
    op.create_table(
        "webhook_delivery",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("subscription_id", sa.String(40), nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),  # pending held delivered failed
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_us", sa.BigInteger, nullable=False),
        sa.Column("lease_until_us", sa.BigInteger),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
        sa.Column("updated_at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_webhook_delivery_due", "webhook_delivery", ["status", "next_attempt_us"])
    op.create_index(
        "ix_webhook_delivery_subscription", "webhook_delivery", ["subscription_id", "id"]
    )
    op.create_table(
        "webhook_attempt",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("delivery_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("subscription_id", sa.String(40), nullable=False),
        sa.Column("attempted_at_us", sa.BigInteger, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("latency_ms", sa.Float),
        sa.Column("error", sa.Text),
        sa.Column("response_body", sa.Text),
    )
    op.create_index(
        "ix_webhook_attempt_subscription", "webhook_attempt", ["subscription_id", "attempted_at_us"]
    )
    op.create_table(
        "webhook_schedule",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),  # EffectiveDateReached | LicenseExpired
        sa.Column("event_id", sa.String(36), nullable=False, index=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("due_us", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),  # scheduled fired cancelled
    )
    op.create_index("ix_webhook_schedule_due", "webhook_schedule", ["status", "due_us"])
    op.bulk_insert(
        sa.table("projection_checkpoint", sa.column("name"), sa.column("position")),
        [{"name": "webhooks", "position": 0}],
    )


def downgrade() -> None:
    op.execute("DELETE FROM projection_checkpoint WHERE name = 'webhooks'")
    for table in (
        "webhook_schedule",
        "webhook_attempt",
        "webhook_delivery",
        "webhook_message",
        "webhook_subscription",
    ):
        op.drop_table(table)
