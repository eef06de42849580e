"""Canonical JSON (sorted keys, compact, UTF-8) and the public shape of a stored event."""

from __future__ import annotations

from typing import Any

import orjson

from domain.events import Recorded


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def render_event(event: Recorded, position: int) -> dict[str, Any]:
    """The event as the API shows it: the request fields plus what the service added."""
    return {
        "id": event.event_id,
        "type": event.type,
        "effective_at": event.effective_at,
        "reported_at": event.reported_at,
        "recorded_at": event.recorded_at,
        "recorded_by": event.recorded_by,
        "summary": event.summary,
        "sources": event.sources,
        "data": event.data,
        "position": position,
        "version": event.originator_version,
        "schema_version": event.schema_version,
    }
