"""Subscriptions: create, read, change, pause/resume, re-enable, rotate, delete, replay."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from domain.clocks import format_instant, from_micros
from projections.projector import active_tables
from services.webhooks import tables as t
from services.webhooks.fanout import Target, deliver, live_targets
from services.webhooks.messages import ping_message
from services.webhooks.secrets_box import SecretBox
from services.webhooks.signing import new_secret

ROTATION_OVERLAP_US = 24 * 3600 * 1_000_000
REPLAY_LIMIT = 100_000
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
    if _target(conn, sub_id, now_us).held:  # paused, disabled or its owner key dead
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


class TooManyPending(Exception):
    """The subscription's waiting deliveries would pass the cap: answered 429."""

    def __init__(self, waiting: int, adding: int, cap: int):
        super().__init__(
            f"{waiting} deliveries of this subscription are waiting (pending or "
            f"held) and this would add {adding}; at most {cap} may wait "
            "(REGTL_WEBHOOK_MAX_PENDING_PER_SUBSCRIPTION): let them be delivered, "
            "or resume the subscription, then try again"
        )


class ReplayTooLarge(ValueError):
    """More messages from that point than one replay may send: answered 422."""


WAITING = ("pending", "held")  # queued, not yet delivered or failed


def _target(conn: Connection, sub_id: str, now_us: int) -> Target:
    return live_targets(conn, now_us, only=sub_id)[0]


def _lock(conn: Connection, sub_id: str) -> None:
    """Serialise what queues deliveries for one subscription, so that two concurrent replays
    cannot both pass the cap (SQLite: the write transaction already holds the lock)."""
    s = t.subscription
    conn.execute(select(s.c.id).where(s.c.id == sub_id).with_for_update())


def _waiting(conn: Connection, sub_id: str) -> int:
    d = t.delivery
    return int(
        conn.execute(
            select(func.count())
            .select_from(d)
            .where(d.c.subscription_id == sub_id, d.c.status.in_(WAITING))
        ).scalar_one()
    )


def _room(conn: Connection, sub_id: str, adding: int, cap: int) -> None:
    waiting = _waiting(conn, sub_id)
    if adding and waiting + adding > cap:
        raise TooManyPending(waiting, adding, cap)


def replay(conn: Connection, sub_id: str, from_position: int, now_us: int, cap: int) -> int:
    """Queue again every message from `from_position` (inclusive) that matches the filters
    and is not already waiting for this subscription (so repeating a replay adds nothing)."""
    from projections.event_queries import subjects_of

    m, d = t.message, t.delivery
    _lock(conn, sub_id)
    target = _target(conn, sub_id, now_us)
    rows = conn.execute(
        select(m.c.id, m.c.type, m.c.position)
        .where(m.c.position >= from_position)
        .order_by(m.c.position, m.c.id)
        .limit(REPLAY_LIMIT + 1)
    ).all()
    if len(rows) > REPLAY_LIMIT:
        raise ReplayTooLarge(f"that would replay more than {REPLAY_LIMIT} messages; start later")
    waiting: set[int] = set(
        conn.execute(
            select(d.c.message_id).where(d.c.subscription_id == sub_id, d.c.status.in_(WAITING))
        ).scalars()
    )
    subjects = subjects_of(conn, sorted({r.position for r in rows}))
    queued = [
        {
            "subscription_id": sub_id,
            "message_id": r.id,
            "status": "held" if target.held else "pending",
            "attempts": 0,
            "next_attempt_us": now_us,
            "lease_until_us": None,
            "created_at_us": now_us,
            "updated_at_us": now_us,
        }
        for r in rows
        if r.id not in waiting and target.wants(r.type, subjects.get(r.position, set()), None)
    ]
    _room(conn, sub_id, len(queued), cap)
    if queued:
        conn.execute(insert(d), queued)
    return len(queued)


def first_position_recorded_since(conn: Connection, since_us: int) -> int | None:
    e = active_tables(conn).event
    return conn.execute(select(func.min(e.c.position)).where(e.c.recorded_us >= since_us)).scalar()


def recover(conn: Connection, sub_id: str, now_us: int, cap: int) -> int:
    """The failed deliveries again, oldest first, as many as the cap leaves room for."""
    d = t.delivery
    _lock(conn, sub_id)
    room = cap - _waiting(conn, sub_id)
    failed = select(d.c.id).where(d.c.subscription_id == sub_id, d.c.status == "failed")
    if room <= 0:
        left = conn.execute(select(func.count()).select_from(failed.subquery())).scalar_one()
        _room(conn, sub_id, int(left), cap)  # raises if any is left
        return 0
    held = _target(conn, sub_id, now_us).held
    chosen = failed.order_by(d.c.id).limit(room).scalar_subquery()
    return int(
        conn.execute(
            update(d)
            .where(d.c.id.in_(chosen))
            .values(
                status="held" if held else "pending",
                attempts=0,
                next_attempt_us=now_us,
                updated_at_us=now_us,
            )
        ).rowcount
    )


def resend(conn: Connection, sub_id: str, delivery_id: int, now_us: int, cap: int) -> bool:
    """One delivery again now; already waiting, it is only brought forward."""
    d = t.delivery
    _lock(conn, sub_id)
    status = conn.execute(
        select(d.c.status).where(d.c.id == delivery_id, d.c.subscription_id == sub_id)
    ).scalar()
    if status is None:
        return False
    values: dict[str, Any] = {"next_attempt_us": now_us, "updated_at_us": now_us}
    if status not in WAITING:
        _room(conn, sub_id, 1, cap)
        held = _target(conn, sub_id, now_us).held
        values.update(status="held" if held else "pending", lease_until_us=None)
    conn.execute(update(d).where(and_(d.c.id == delivery_id)).values(**values))
    return True


def ping(conn: Connection, sub_id: str, now_us: int, cap: int) -> str:
    _lock(conn, sub_id)
    _room(conn, sub_id, 1, cap)
    msg_id = f"msg_ping_{uuid.uuid4()}"
    body = ping_message(msg_id, format_instant(from_micros(now_us)), sub_id)
    target = _target(conn, sub_id, now_us)
    # sent even while paused (a ping tests the endpoint); a dead owner's is held at claim
    forced = Target(target.id, frozenset(), frozenset(), frozenset(), False, -1)
    deliver(conn, msg_id, "Ping", None, body, set(), [forced], now_us, enforce_start=False)
    return msg_id
