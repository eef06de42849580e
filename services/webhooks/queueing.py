"""Queueing deliveries again (docs/webhooks.md): replay from a position or a time, recover
the failed ones, resend one, ping; each capped by the subscription's waiting deliveries
(docs/configuration.md, REGTL_WEBHOOK_MAX_PENDING_PER_SUBSCRIPTION)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from domain.clocks import format_instant, from_micros
from projections.projector import active_tables
from services.webhooks import tables as t
from services.webhooks.fanout import Target, deliver, live_targets
from services.webhooks.messages import ping_message

REPLAY_LIMIT = 100_000


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


def target_of(conn: Connection, sub_id: str, now_us: int) -> Target:
    """The subscription as the fan-out sees it: `held` when paused, disabled or its owner
    key dead."""
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
    target = target_of(conn, sub_id, now_us)
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
    held = target_of(conn, sub_id, now_us).held
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
        held = target_of(conn, sub_id, now_us).held
        values.update(status="held" if held else "pending", lease_until_us=None)
    conn.execute(update(d).where(and_(d.c.id == delivery_id)).values(**values))
    return True


def ping(conn: Connection, sub_id: str, now_us: int, cap: int) -> str:
    _lock(conn, sub_id)
    _room(conn, sub_id, 1, cap)
    msg_id = f"msg_ping_{uuid.uuid4()}"
    body = ping_message(msg_id, format_instant(from_micros(now_us)), sub_id)
    target = target_of(conn, sub_id, now_us)
    # sent even while paused (a ping tests the endpoint); a dead owner's is held at claim
    forced = Target(target.id, frozenset(), frozenset(), frozenset(), False, -1)
    deliver(conn, msg_id, "Ping", None, body, set(), [forced], now_us, enforce_start=False)
    return msg_id
