"""Idempotency-Key records, saved in the same commit as the events they produced.

A record is an aggregate of its own in the log (id = uuid5 of API key id + Idempotency-Key),
so the primary key makes two concurrent first uses race-free: exactly one commits. Records
are skipped by projections and hidden from the log's readers, exports and the stream.
A refusal by the log's rules (409, or a 422 that depends on what is stored) is recorded
too, so a retry gets the first answer even if the log has changed since (docs/http.md). A body
that fails validation is not recorded: the same body always fails the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import DomainEvent
from eventsourcing.utils import register_topic

from domain.clocks import format_instant, parse_instant
from services.write.parsing import InputError, parse_strict_json

_NAMESPACE = uuid5(NAMESPACE_URL, "https://regtimeline/idempotency")
MAX_KEY_LENGTH = 255


class IdempotencyKeyUsed(DomainEvent):
    """A request was answered under this key: `events` it stored ((originator id hex,
    version) pairs), or the `refusal` it got."""

    request_hash: str
    events: list[list[object]]
    expires_at: str
    refusal: dict[str, Any] | None


# Records stored before services/ was grouped by flow carry the old module's topic: the
# library must still find the class under it (docs/architecture.md, "Layers").
register_topic("services.idempotency:IdempotencyKeyUsed", IdempotencyKeyUsed)


@dataclass(frozen=True)
class IdempotencyClaim:
    api_key_id: str
    key: str
    request_hash: str
    # The fingerprint of the bytes as sent, which records written before fingerprints were
    # canonical hold (they live for the key's TTL): a byte-identical retry still matches.
    raw_hash: str = ""

    @property
    def aggregate_id(self) -> UUID:
        return uuid5(_NAMESPACE, f"{self.api_key_id}\x00{self.key}")

    @classmethod
    def of(cls, api_key_id: str, key: str, route: str, body: bytes) -> IdempotencyClaim:
        return cls(
            api_key_id,
            key,
            request_fingerprint(route, body),
            hashlib.sha256(route.encode() + b"\x00" + body).hexdigest(),
        )

    def matches(self, recorded_hash: str) -> bool:
        return recorded_hash in (self.request_hash, self.raw_hash)


def request_fingerprint(route: str, body: bytes) -> str:
    """The route and the body's meaning: the same JSON with other whitespace, key order or
    number spelling (7.25, 7.250, 725e-2) is the same request (docs/architecture.md)."""
    try:
        text = canonical_json(parse_strict_json(body))
    except InputError:  # not JSON: only the same bytes are the same request
        return hashlib.sha256(route.encode() + b"\x00" + body).hexdigest()
    return hashlib.sha256(route.encode() + b"\x00\x01" + text.encode()).hexdigest()


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, strings as JSON escapes them, numbers normalised."""
    if isinstance(value, dict):
        members = (f"{json.dumps(k)}:{canonical_json(v)}" for k, v in sorted(value.items()))
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | Decimal):
        return _number(Decimal(value))
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _number(number: Decimal) -> str:
    """Digits without trailing zeros and an exponent, computed without an arithmetic
    context (normalize() would raise decimal.Overflow on 1e999999999)."""
    sign, digits, exponent = number.as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    if not text or not isinstance(exponent, int):  # zero (either sign); never NaN from JSON
        return "0"
    exponent += len(digits) - len(text)
    return f"{'-' if sign else ''}{text}e{exponent}"


def record(
    claim: IdempotencyClaim,
    version: int,
    refs: list[tuple[UUID, int]],
    now: datetime,
    ttl: float,
    refusal: dict[str, Any] | None = None,
) -> IdempotencyKeyUsed:
    # The library's metaclass makes each event class a frozen dataclass; a type checker does
    # not see the __init__ it generates, so the fields go in as keywords of a typed dict.
    fields: dict[str, Any] = {
        "originator_id": claim.aggregate_id,
        "originator_version": version,
        "timestamp": now,
        "request_hash": claim.request_hash,
        "events": [[oid.hex, v] for oid, v in refs],
        "expires_at": format_instant(now + timedelta(seconds=ttl)),
        "refusal": refusal,
    }
    return IdempotencyKeyUsed(**fields)


def is_live(used: IdempotencyKeyUsed, now: datetime) -> bool:
    return parse_instant(used.expires_at) > now
