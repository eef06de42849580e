"""SQLAlchemy Core tables. Alembic owns them (services/migrations); this is their shape."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

# One row per projection: the last log position it has applied (compare-and-swap target).
projection_checkpoint = Table(
    "projection_checkpoint",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# Every regulatory event, as served by GET /v1/events (idempotency records are skipped).
rm_event = Table(
    "rm_event",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(40), nullable=False),
    Column("agg_key", String(100), nullable=False),
    Column("effective_us", BigInteger),
    Column("reported_us", BigInteger, nullable=False),
    Column("recorded_us", BigInteger, nullable=False),
    Column("target_event_id", String(36)),
    Column("body", LargeBinary, nullable=False),  # canonical JSON of the stored event
    Index("ix_rm_event_agg", "agg_key", "position"),
    Index("ix_rm_event_type", "type", "position"),
    Index("ix_rm_event_effective", "effective_us"),
)

# Which chips and companies each event names ("chip:h20", "company:nvidia"); a revision
# inherits its target's subjects, so filtering by chip shows the corrections too.
rm_event_subject = Table(
    "rm_event_subject",
    metadata,
    Column("subject", String(100), primary_key=True),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Index("ix_rm_event_subject_position", "position"),
)

# API keys: operational state, not a projection. Only SHA-256 digests of secrets are kept.
api_key = Table(
    "api_key",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
)

READ_MODEL_TABLES = (rm_event, rm_event_subject)
