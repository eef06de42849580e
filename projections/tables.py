"""SQLAlchemy Core tables. Alembic owns them (services/storage/migrations); this is their shape.

The read models exist in two generations, `a` and `b`, with identical tables
(`rm_event_a`, `rm_event_b`, …). Readers use the active one (`projection_generation`); a
rebuild fills the other from the log, catches up, and makes it active in one transaction,
so nobody ever reads a half-built view.

On PostgreSQL the read models' text keys are `COLLATE "C"` (migration 0004): bytewise, as
SQLite compares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, String, Table, Text

metadata = MetaData()
GENERATIONS = ("a", "b")
VIEWS = "views"  # the one projection that maintains every read model below

# One row per (projection, generation): the last log position it has applied.
projection_checkpoint = Table(
    "projection_checkpoint",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# A rebuild in progress (`regtl projections rebuild`): which generation it fills. While this
# row exists that generation is inactive and its checkpoint says how far the rebuild got, so
# an interrupted rebuild resumes there; the swap deletes the row in the same transaction.
projection_rebuild = Table(
    "projection_rebuild",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("generation", String(8), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
)

# Which generation readers use.
projection_generation = Table(
    "projection_generation",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("active", String(8), nullable=False),
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


@dataclass(frozen=True)
class ViewTables:
    """The read-model tables of one generation."""

    generation: str
    event: Table  # every regulatory event, indexed (its body stays in the log)
    subject: Table  # which aggregates concern a chip or company ("chip:h20"), and since when
    criteria: Table  # measures that ever had threshold criteria (they may cover any chip)
    object: Table  # created objects by kind and id (measures, licences, …)
    registry: Table  # registered chips and companies

    @property
    def all(self) -> tuple[Table, ...]:
        return (self.event, self.subject, self.criteria, self.object, self.registry)

    @property
    def checkpoint_name(self) -> str:
        return f"{VIEWS}@{self.generation}"


@cache
def view_tables(generation: str) -> ViewTables:
    g = generation
    event = Table(
        f"rm_event_{g}",
        metadata,
        Column("position", BigInteger, primary_key=True, autoincrement=False),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("type", String(40), nullable=False),
        Column("agg_key", String(100), nullable=False),
        Column("effective_us", BigInteger),
        Column("reported_us", BigInteger, nullable=False),
        Column("recorded_us", BigInteger, nullable=False),
        Column("target_event_id", String(36)),
        # Production decisions only (and revisions of them): what the event itself names,
        # space-separated. A company's halts and resumes share one aggregate, so "what the
        # aggregate had named" would be too wide for them (projections/views.py).
        Column("subjects", Text),
        Index(f"ix_rm_event_{g}_agg", "agg_key", "position"),
        Index(f"ix_rm_event_{g}_type", "type", "position"),
        Index(f"ix_rm_event_{g}_effective", "effective_us"),
    )
    subject = Table(
        f"rm_subject_{g}",
        metadata,
        Column("subject", String(100), primary_key=True),
        Column("agg_key", String(100), primary_key=True),
        Column("first_position", BigInteger, nullable=False),
        Index(f"ix_rm_subject_{g}_agg", "agg_key"),
    )
    criteria = Table(
        f"rm_criteria_agg_{g}",
        metadata,
        Column("agg_key", String(100), primary_key=True),
        Column("first_position", BigInteger, nullable=False),
    )
    obj = Table(
        f"rm_object_{g}",
        metadata,
        Column("kind", String(16), primary_key=True),
        Column("id", String(80), primary_key=True),
        Column("agg_key", String(100), nullable=False),
        Column("first_position", BigInteger, nullable=False),
    )
    registry = Table(
        f"rm_registry_{g}",
        metadata,
        Column("kind", String(16), primary_key=True),
        Column("id", String(80), primary_key=True),
        Column("first_position", BigInteger, nullable=False),
    )
    return ViewTables(g, event, subject, criteria, obj, registry)


for _generation in GENERATIONS:
    view_tables(_generation)
