"""Webhook tables (owned by Alembic: services/storage/migrations/versions/0003_webhooks.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Integer, LargeBinary, String, Table, Text

from projections.tables import metadata

_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER keys only

subscription = Table(
    "webhook_subscription",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("owner_key_id", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("event_types", Text, nullable=False),
    Column("chips", Text, nullable=False),
    Column("companies", Text, nullable=False),
    Column("secret", LargeBinary, nullable=False),
    Column("previous_secret", LargeBinary),
    Column("previous_secret_until_us", BigInteger),
    Column("paused", Boolean, nullable=False),
    Column("disabled_at_us", BigInteger),
    Column("disabled_reason", Text),
    Column("failing_since_us", BigInteger),
    Column("start_position", BigInteger, nullable=False),
    Column("created_at_us", BigInteger, nullable=False),
    Column("deleted_at_us", BigInteger),
)
message = Table(
    "webhook_message",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("msg_id", String(120), nullable=False),
    Column("type", String(40), nullable=False),
    Column("position", BigInteger),
    Column("body", LargeBinary, nullable=False),
    Column("created_at_us", BigInteger, nullable=False),
)
delivery = Table(
    "webhook_delivery",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("subscription_id", String(40), nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_us", BigInteger, nullable=False),
    Column("lease_until_us", BigInteger),
    Column("created_at_us", BigInteger, nullable=False),
    Column("updated_at_us", BigInteger, nullable=False),
)
attempt = Table(
    "webhook_attempt",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("delivery_id", BigInteger, nullable=False),
    Column("subscription_id", String(40), nullable=False),
    Column("attempted_at_us", BigInteger, nullable=False),
    Column("status_code", Integer),
    Column("latency_ms", Float),
    Column("error", Text),
    Column("response_body", Text),
)
schedule = Table(
    "webhook_schedule",
    metadata,
    Column("key", String(160), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("due_us", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
)
