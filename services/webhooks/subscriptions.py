"""Subscriptions (docs/webhooks.md): create, read, change, pause/resume, re-enable, rotate,
delete, their attempts. Queueing deliveries again (replay, recover, resend, ping) is in
queueing.py; its names are re-exported here (REPLAY_LIMIT is not: patch it in queueing)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from domain.clocks import format_instant, from_micros
from services.webhooks import tables as t
from services.webhooks.queueing import (
    WAITING,
    ReplayTooLarge,
    TooManyPending,
    first_position_recorded_since,
    ping,
    recover,
    replay,
    resend,
    target_of,
)
from services.webhooks.secrets_box import SecretBox
from services.webhooks.signing import new_secret

ROTATION_OVERLAP_US = 24 * 3600 * 1_000_000
ATTEMPT_RETENTION_US = 30 * 86_400_000_000


@dataclass(frozen=True)
class NewSubscription:
    url: str
    event_types: list[str]
    chips: list[str]
    companies: list[str]
    description: str


def _when(us: int | None) -> str | None:
    return None if us is None else format_instant(from_micros(us))


def public(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "owner_key_id": row.owner_key_id,
        "url": row.url,
        "description": row.description,
        "event_types": json.loads(row.event_types),
        "chips": json.loads(row.chips),
        "companies": json.loads(row.companies),
        "paused": bool(row.paused),
        "disabled": row.disabled_at_us is not None,
        "disabled_at": _when(row.disabled_at_us),
        "disabled_reason": row.disabled_reason,
        "failing_since": _when(row.failing_since_us),
        "created_at": _when(row.created_at_us),
        "start_position": row.start_position,
        "secret_rotation_ends_at": _when(row.previous_secret_until_us),
    }


def create(
    conn: Connection, box: SecretBox, owner: str, new: NewSubscription, head: int, now_us: int
) -> dict[str, Any]:
    secret = new_secret()
    sub_id = "sub_" + uuid.uuid4().hex
    conn.execute(
        insert(t.subscription).values(
            id=sub_id,
            owner_key_id=owner,
            url=new.url,
            description=new.description,
            event_types=json.dumps(sorted(new.event_types)),
            chips=json.dumps(sorted(new.chips)),
            companies=json.dumps(sorted(new.companies)),
            secret=box.seal(secret),
            paused=False,
            start_position=head,
            created_at_us=now_us,
        )
    )
    return {**public(get(conn, sub_id)), "secret": secret}  # shown once


def get(conn: Connection, sub_id: str) -> Any:
    s = t.subscription
    return conn.execute(select(s).where(s.c.id == sub_id, s.c.deleted_at_us.is_(None))).first()


def owned(conn: Connection, owner: str | None, after: str | None, limit: int) -> list[Any]:
    s = t.subscription
    query = select(s).where(s.c.deleted_at_us.is_(None))
    if owner is not None:
        query = query.where(s.c.owner_key_id == owner)
    if after is not None:
        query = query.where(s.c.id > after)
    return list(conn.execute(query.order_by(s.c.id).limit(limit)))


def change(conn: Connection, sub_id: str, fields: dict[str, Any], now_us: int) -> None:
    s, d = t.subscription, t.delivery
    values: dict[str, Any] = {}
    for name in ("url", "description", "owner_key_id"):
        if name in fields:
            values[name] = fields[name]
    for name in ("event_types", "chips", "companies"):
        if name in fields:
            values[name] = json.dumps(sorted(fields[name]))
    if "paused" in fields:
        values["paused"] = fields["paused"]
    if fields.get("disabled") is False:  # re-enable: resume where it stopped
        values.update(disabled_at_us=None, disabled_reason=None, failing_since_us=None)
    if values:
        conn.execute(update(s).where(s.c.id == sub_id).values(**values))
    if target_of(conn, sub_id, now_us).held:  # paused, disabled or its owner key dead
        conn.execute(
            update(d)
            .where(d.c.subscription_id == sub_id, d.c.status == "pending")
            .values(status="held", updated_at_us=now_us)
        )
    else:  # released (resumed, re-enabled, re-assigned): held ones go out, in their order
        conn.execute(
            update(d)
            .where(d.c.subscription_id == sub_id, d.c.status == "held")
            .values(status="pending", next_attempt_us=now_us, updated_at_us=now_us)
        )


def delete(conn: Connection, sub_id: str, now_us: int) -> None:
    s, d = t.subscription, t.delivery
    conn.execute(update(s).where(s.c.id == sub_id).values(deleted_at_us=now_us))
    conn.execute(
        update(d)
        .where(d.c.subscription_id == sub_id, d.c.status.in_(("pending", "held")))
        .values(status="cancelled", updated_at_us=now_us)
    )


def rotate(conn: Connection, box: SecretBox, sub_id: str, now_us: int) -> str:
    """A new secret; the old one keeps signing (alongside) for 24 h."""
    s = t.subscription
    row = get(conn, sub_id)
    secret = new_secret()
    conn.execute(
        update(s)
        .where(s.c.id == sub_id)
        .values(
            secret=box.seal(secret),
            previous_secret=row.secret,
            previous_secret_until_us=now_us + ROTATION_OVERLAP_US,
        )
    )
    return secret


def deliveries(
    conn: Connection, sub_id: str, before: int | None, limit: int, now_us: int
) -> list[dict[str, Any]]:
    """Every attempt (newest first), kept 30 days."""
    a, d, m = t.attempt, t.delivery, t.message
    query = (
        select(a, m.c.msg_id, m.c.type, m.c.position, d.c.status.label("delivery_status"))
        .join(d, d.c.id == a.c.delivery_id)
        .join(m, m.c.id == d.c.message_id)
        .where(a.c.subscription_id == sub_id, a.c.attempted_at_us >= now_us - ATTEMPT_RETENTION_US)
    )
    if before is not None:
        query = query.where(a.c.id < before)
    rows = conn.execute(query.order_by(a.c.id.desc()).limit(limit)).all()
    return [
        {
            "attempt_id": r.id,
            "delivery_id": r.delivery_id,
            "msg_id": r.msg_id,
            "type": r.type,
            "position": r.position,
            "attempted_at": _when(r.attempted_at_us),
            "status_code": r.status_code,
            "latency_ms": r.latency_ms,
            "error": r.error,
            "response_body": r.response_body,
            "delivery_status": r.delivery_status,
        }
        for r in rows
    ]


__all__ = [
    "ATTEMPT_RETENTION_US",
    "ROTATION_OVERLAP_US",
    "WAITING",
    "NewSubscription",
    "ReplayTooLarge",
    "TooManyPending",
    "change",
    "create",
    "delete",
    "deliveries",
    "first_position_recorded_since",
    "get",
    "owned",
    "ping",
    "public",
    "recover",
    "replay",
    "resend",
    "rotate",
]
