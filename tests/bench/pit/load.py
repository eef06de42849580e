"""Storing the generated history: directly with `container.log.append` in batches, as the
writer would have stored it, or (BENCH_PIT_LOAD=writer) through the writer's use case; then
ANALYZE, as autovacuum would after a bulk load."""

from __future__ import annotations

import uuid

from domain.catalog import CATALOG, Role
from domain.clocks import format_instant
from domain.decide_payload import canonical_data
from domain.dossier import aggregate_id
from domain.envelope import ImportedEnvelope
from domain.events import EVENT_CLASSES, SCHEMA_VERSION, Recorded
from services.bootstrap import Container
from services.write.parsing import parse_envelope
from services.write.writer import Item
from tests.bench.common import FreshDb
from tests.bench.pit.generator import Planned

APPEND_BATCH = 2000
WRITER_BATCH = 1000


def stored_event(planned: Planned, version: int, targets: dict[str, str]) -> Recorded:
    """What the writer would store for this envelope (services/write/recording.py `_stored_event`),
    canonicalised the same way (decide's `canonical_data`; a correction's data by its
    target's type)."""
    envelope = parse_envelope(planned.body)
    event_type = CATALOG[envelope.type]
    data = canonical_data(event_type, envelope.data)
    if envelope.type == "EventCorrected" and "data" in data["changes"]:
        target_type = CATALOG[targets[data["event_id"]]]
        model = target_type.model.model_validate(data["changes"]["data"])
        data["changes"]["data"] = canonical_data(target_type, model)
    effective = None if envelope.effective_at is None else format_instant(envelope.effective_at)
    recorded = planned.recorded_at
    if envelope.reported_at is not None:
        reported = format_instant(envelope.reported_at)
    elif effective is None or event_type.role is Role.REVISION:
        reported = format_instant(recorded)
    else:
        reported = format_instant(min(envelope.effective_at, recorded))  # type: ignore[type-var]
    return EVENT_CLASSES[envelope.type](
        originator_id=aggregate_id(planned.key),
        originator_version=version,
        timestamp=recorded,
        event_id=planned.event_id,
        aggregate=planned.key,
        effective_at=effective,
        reported_at=reported,
        recorded_at=format_instant(recorded),
        recorded_by="bench",
        summary=envelope.summary,
        sources=[s.model_dump(mode="json", exclude_none=True) for s in envelope.sources],
        data=data,
        schema_version=SCHEMA_VERSION,
    )


def load_direct(container: Container, plan: list[Planned]) -> None:
    versions: dict[str, int] = {}
    targets: dict[str, str] = {}
    batch: list[Recorded] = []
    for planned in plan:
        version = versions.get(planned.key, 0) + 1
        versions[planned.key] = version
        event = stored_event(planned, version, targets)
        targets[planned.event_id] = event.type
        batch.append(event)
        if len(batch) >= APPEND_BATCH:
            container.log.append(batch)
            batch = []
    if batch:
        container.log.append(batch)


def load_writer(container: Container, plan: list[Planned]) -> None:
    """Every envelope through the writer's use case (decide: every write rule), projecting
    after each batch so the writer finds revision targets in the views, not the log's tail."""
    for start in range(0, len(plan), WRITER_BATCH):
        items = [
            Item(
                parse_envelope(p.body),
                ImportedEnvelope(
                    id=uuid.UUID(p.event_id),
                    recorded_at=format_instant(p.recorded_at),
                    recorded_by="bench",
                ),
            )
            for p in plan[start : start + WRITER_BATCH]
        ]
        container.writer.append(items, "bench", batch=True)
        container.catch_up()


def analyze(db: FreshDb) -> None:
    """ANALYZE as the owner: what autovacuum does after a bulk load on a default server."""
    import psycopg

    with psycopg.connect(db.owner_url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def autovacuum(db: FreshDb) -> str:
    import psycopg

    with psycopg.connect(db.owner_url) as conn:
        row = conn.execute("SHOW autovacuum").fetchone()
        return str(row[0]) if row else "unknown"
