"""The log's own table, read beside the views: an event's public body is rendered from its
stored state, not kept a second time in the read models.

The read models index the log (positions, clocks, which chips and companies an event
concerns); what an event *says* stays where it was written. A query joins `rm_event` to
the log table on the position (`notification_id` on PostgreSQL, `rowid` on SQLite, both
indexed), and `public_body` turns the stored row into the canonical body that
`projections.canonical.render_event` gives for the decoded event — the same bytes, at a
fraction of the cost of a second copy of every event written at every rebuild.

The stored state is the `eventsourcing` library's JSON: our events carry JSON-native fields
plus the library's own `timestamp`. Anything else (another transcoded value, a class
version to upcast, a state that does not parse) goes through a mapper built like the event
log's, so the answer is the same either way (tests/integration/test_stored.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    Notification,
    UUIDAsHex,
)
from sqlalchemy import BigInteger, Column, Connection, LargeBinary, MetaData, String, Table, Text

from domain.events import EVENT_CLASSES, Recorded
from projections.canonical import dumps, render_event

# The library owns this table (Alembic creates it with the library's DDL); this is only
# enough of its shape to join it. Kept out of `tables.metadata`: not ours to migrate.
OUR_TOPICS = "domain.events:"  # the library stores each event's class as its topic
_log_metadata = MetaData()


def _shape(name: str, position: str, schema: str | None) -> Table:
    return Table(
        name,
        _log_metadata,
        Column(position, BigInteger, key="position"),
        Column("originator_id", String, key="originator_id"),
        Column("originator_version", BigInteger, key="version"),
        Column("topic", Text, key="topic"),
        Column("state", LargeBinary, key="state"),
        schema=schema,
    )


POSTGRES_LOG = _shape("regtimeline_events", "notification_id", "public")
SQLITE_LOG = _shape("stored_events", "rowid", None)


def log_table(conn: Connection) -> Table:
    """The log table on this connection's database (`c.position`, `c.version`, `c.state`…)."""
    return SQLITE_LOG if conn.dialect.name == "sqlite" else POSTGRES_LOG


def stored_columns(log: Table) -> tuple[Any, ...]:
    """What `public_body` needs from a joined log row, labelled for `row._mapping`."""
    return (
        log.c.originator_id.label("log_originator"),
        log.c.version.label("log_version"),
        log.c.topic.label("log_topic"),
        log.c.state.label("log_state"),
    )


def public_body(position: int, row: Any) -> dict[str, Any]:
    """The public form of the stored event in `row` (selected with `stored_columns`)."""
    state = bytes(row.log_state)
    values = plain_state(row.log_topic, state)
    if values is None:
        event = _mapper().to_domain_event(
            Notification(
                originator_id=_uuid(row.log_originator),
                originator_version=row.log_version,
                topic=row.log_topic,
                state=state,
                id=position,
            )
        )
        return render_event(cast(Recorded, event), position)  # our stored classes only
    return render_values(values, event_type(row.log_topic) or "", position, row.log_version)


def public_bytes(position: int, row: Any) -> bytes:
    return dumps(public_body(position, row))


def render_values(
    values: dict[str, Any], event_type: str, position: int, version: int
) -> dict[str, Any]:
    """`render_event`, from the stored field values instead of the decoded object."""
    return {
        "id": values["event_id"],
        "type": event_type,
        "effective_at": values["effective_at"],
        "reported_at": values["reported_at"],
        "recorded_at": values["recorded_at"],
        "recorded_by": values["recorded_by"],
        "summary": values["summary"],
        "sources": values["sources"],
        "data": values["data"],
        "position": position,
        "version": version,
        "schema_version": values["schema_version"],
    }


def event_type(topic: str) -> str | None:
    """The type of one of our events from its stored topic (`domain.events:LicenseGranted`);
    None for anything else the log holds (idempotency records)."""
    return topic[len(OUR_TOPICS) :] if topic.startswith(OUR_TOPICS) else None


def plain_state(topic: str, state: bytes) -> dict[str, Any] | None:
    """The stored fields of one of our events, when the state is the plain form (JSON whose
    only transcoded value is the library's timestamp, class version 1); None otherwise —
    the library's mapper must decode it."""
    name = event_type(topic)
    cls = None if name is None else EVENT_CLASSES.get(name)
    if cls is None or getattr(cls, "class_version", 1) != 1 or state.count(b'"_type_"') != 1:
        return None
    try:
        values = orjson.loads(state)
    except orjson.JSONDecodeError:
        return None
    stamp = values.get("timestamp") if isinstance(values, dict) else None
    if not (
        isinstance(stamp, dict)
        and len(stamp) == 2
        and stamp.get("_type_") == "datetime_iso"
        and "class_version" not in values
    ):
        return None
    return cast(dict[str, Any], values)


@cache
def _mapper() -> Mapper[UUID]:
    """Decodes what `plain_state` declines, with the event log's transcodings."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
