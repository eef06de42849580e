"""Idempotency-Key records, saved in the same commit as the events they produced.

A record is an aggregate of its own in the log (id = uuid5 of API key id + Idempotency-Key),
so the primary key makes two concurrent first uses race-free: exactly one commits. Records
are skipped by projections and hidden from the log's readers, exports and the stream.
A refusal by the log's rules (409, or a 422 that depends on what is stored) is recorded
too, so a retry gets the first answer even if the log has changed since (SPEC §5). A body
that fails validation is not recorded: the same body always fails the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import DomainEvent

from domain.clocks import format_instant, parse_instant

_NAMESPACE = uuid5(NAMESPACE_URL, "https://regtimeline/idempotency")
MAX_KEY_LENGTH = 255


class IdempotencyKeyUsed(DomainEvent):
    """A request was answered under this key: `events` it stored ((originator id hex,
    version) pairs), or the `refusal` it got."""

    request_hash: str
    events: list[list[object]]
    expires_at: str
    refusal: dict[str, Any] | None


@dataclass(frozen=True)
class IdempotencyClaim:
    api_key_id: str
    key: str
    request_hash: str

    @property
    def aggregate_id(self) -> UUID:
        return uuid5(_NAMESPACE, f"{self.api_key_id}\x00{self.key}")


def request_fingerprint(route: str, body: bytes) -> str:
    return hashlib.sha256(route.encode() + b"\x00" + body).hexdigest()


def record(
    claim: IdempotencyClaim, version: int, refs: list[tuple[UUID, int]], now: datetime,
    ttl: float, refusal: dict[str, Any] | None = None,
) -> IdempotencyKeyUsed:
    return IdempotencyKeyUsed(
        originator_id=claim.aggregate_id,
        originator_version=version,
        timestamp=now,
        request_hash=claim.request_hash,
        events=[[oid.hex, v] for oid, v in refs],
        expires_at=format_instant(now + timedelta(seconds=ttl)),
        refusal=refusal,
    )


def is_live(used: IdempotencyKeyUsed, now: datetime) -> bool:
    return parse_instant(used.expires_at) > now
