"""The writer's shortcuts (docs/performance.md, "ingest_batch") give exactly what the slow
ways give: an event built without the dataclass `__init__`, aggregate ids without
`uuid.uuid5`, event ids without one `uuid.uuid4()` each."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)

from domain.dossier import _NAMESPACE, aggregate_id
from domain.events import EVENT_CLASSES, Recorded, new_recorded
from services.write.recording import random_event_ids


def _fields(n: int) -> dict[str, Any]:
    return dict(
        originator_id=aggregate_id(f"company:c-{n}"),
        originator_version=n,
        timestamp=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        event_id=str(uuid.uuid4()),
        aggregate=f"company:c-{n}",
        effective_at=None if n % 2 else "2026-01-01T00:00:00Z",
        reported_at="2026-01-02T03:04:05.678901Z",
        recorded_at="2026-01-02T03:04:05.678901Z",
        recorded_by="test",
        summary=f"s{n}",
        sources=[{"title": "t"}],
        data={"company": f"c-{n}", "nested": {"b": [1, "2"], "a": None}},
        schema_version=1,
    )


@pytest.mark.parametrize("cls", list(EVENT_CLASSES.values()), ids=list(EVENT_CLASSES))
def test_new_recorded_is_the_constructor(cls: type[Recorded]) -> None:
    fields = _fields(3)
    fast, slow = new_recorded(cls, **fields), cls(**fields)
    assert type(fast) is cls
    assert fast == slow
    assert list(fast.__dict__.items()) == list(slow.__dict__.items())  # order: the stored JSON's
    transcoder = JSONTranscoder()
    for transcoding in (
        UUIDAsHex(),
        DecimalAsStr(),
        DatetimeAsISO(),
    ):  # the log's (services/storage/store.py)
        transcoder.register(transcoding)
    mapper: Mapper[uuid.UUID] = Mapper(transcoder=transcoder)
    assert mapper.to_stored_event(fast) == mapper.to_stored_event(slow)
    with pytest.raises(AttributeError):  # still frozen
        fast.summary = "changed"  # type: ignore[misc]


def test_aggregate_id_is_uuid5() -> None:
    for key in ("company:nvidia", "chip:h20", "measure:bis-2025-04-h20", "company:é-ü", ""):
        aggregate_id.cache_clear()
        assert aggregate_id(key) == uuid.uuid5(_NAMESPACE, key)
        assert str(aggregate_id(key)) == str(uuid.uuid5(_NAMESPACE, key))


def test_random_event_ids_read_like_uuid4() -> None:
    ids = random_event_ids(2000)
    assert len(set(ids)) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed) == text  # lower case, dashed: str(uuid.uuid4())
    assert random_event_ids(0) == []
