"""Webhook message bodies (Standard Webhooks payloads), stored once as bytes and signed
as such on every attempt."""

from __future__ import annotations

from typing import Any

from projections.canonical import dumps


def event_message(kind: str, timestamp: str, event: dict[str, Any]) -> bytes:
    """`{"type", "timestamp", "data": <the event with position>, "links": {"self": …}}`.

    `timestamp` is the event's recorded_at, or, for a derived message, the instant it fell due.
    """
    return dumps(
        {
            "type": kind,
            "timestamp": timestamp,
            "data": event,
            "links": {"self": f"/v1/events/{event['id']}"},
        }
    )


# The suffix of a derived message's webhook-id, by kind (docs/webhooks.md, "The wire format").
DERIVED_SUFFIXES = {
    "EffectiveDateReached": "eff",
    "LicenseExpired": "exp",
    "ExportBanReinstated": "end",  # a suspension's end, by itself at its `until`
}
ONLY_DERIVED = ("EffectiveDateReached", "LicenseExpired")  # never a stored event's type


def message_id(event_id: str, kind: str, derived: bool = False) -> str:
    """Stable across retries, replays and endpoints (docs/webhooks.md). `derived`: the
    message is derived from the event (ExportBanReinstated is also a stored type)."""
    if derived or kind in ONLY_DERIVED:
        return f"msg_{event_id}_{DERIVED_SUFFIXES[kind]}"
    return f"msg_{event_id}"


def ping_message(msg_id: str, timestamp: str, subscription_id: str) -> bytes:
    return dumps(
        {
            "type": "Ping",
            "timestamp": timestamp,
            "data": {"subscription_id": subscription_id},
            "links": {},
        }
    )
