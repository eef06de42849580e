"""Claiming due deliveries (docs/webhooks.md, docs/architecture.md "Webhooks and the live
stream").

Claims take a lease longer than the attempt deadline (`UPDATE … WHERE id IN (SELECT … FOR
UPDATE SKIP LOCKED)` on PostgreSQL), so several workers share the load and an attempt is
never sent twice at once; a worker that dies mid-attempt leaves a lease that expires, and
the delivery is retried (at least once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text, update

from projections.database import is_sqlite, write_transaction
from services.webhooks import tables as t
from services.webhooks.fanout import dead_owners

LEASE_US = 60_000_000  # longer than the 15 s deadline of an attempt


@dataclass(frozen=True)
class Claimed:
    """One claimed delivery, as stored: nothing is decoded or parsed until its own attempt,
    so a bad row (URL, secret) fails that attempt alone."""

    delivery_id: int
    subscription_id: str
    attempts: int
    url: str
    secret: bytes
    previous_secret: bytes | None  # still signing during a rotation
    msg_id: str
    body: bytes


def claim_due(engine: Engine, now: int, batch: int) -> list[Claimed]:
    """Lease up to `batch` due deliveries and read what sending them needs; a dead owner's
    are held instead (docs/webhooks.md)."""
    due = (
        "SELECT id FROM webhook_delivery WHERE status = 'pending' AND next_attempt_us <= :now"
        " AND (lease_until_us IS NULL OR lease_until_us < :now)"
        " ORDER BY next_attempt_us LIMIT :n"
    )
    if not is_sqlite(engine):
        due += " FOR UPDATE SKIP LOCKED"
    with write_transaction(engine) as conn:
        rows = conn.execute(
            text(
                f"UPDATE webhook_delivery SET lease_until_us = :lease WHERE id IN ({due})"
                " RETURNING id, subscription_id, message_id, attempts"
            ),
            {"now": now, "lease": now + LEASE_US, "n": batch},
        ).all()
        if not rows:
            return []
        subs = {
            s.id: s
            for s in conn.execute(
                select(t.subscription).where(
                    t.subscription.c.id.in_({r.subscription_id for r in rows})
                )
            )
        }
        rows = _hold_dead_owners(conn, list(rows), subs, now)
        messages = {
            m.id: m
            for m in conn.execute(
                select(t.message.c.id, t.message.c.msg_id, t.message.c.body).where(
                    t.message.c.id.in_({r.message_id for r in rows})
                )
            )
        }
    return [_claimed(r, subs, messages, now) for r in rows]


def _hold_dead_owners(conn: Any, rows: list[Any], subs: dict[str, Any], now: int) -> list[Any]:
    """Deliveries of a subscription whose owner key is revoked or expired are held, not
    sent: queued while the key was live, they would otherwise still go out."""
    dead = dead_owners(conn, {sub.owner_key_id for sub in subs.values()}, now)
    dead_subs = {sub_id for sub_id, sub in subs.items() if sub.owner_key_id in dead}
    held = [r.id for r in rows if r.subscription_id in dead_subs]
    if held:
        d = t.delivery
        conn.execute(
            update(d)
            .where(d.c.id.in_(held))
            .values(status="held", lease_until_us=None, updated_at_us=now)
        )
    return [r for r in rows if r.subscription_id not in dead_subs]


def _claimed(row: Any, subs: dict[str, Any], messages: dict[int, Any], now: int) -> Claimed:
    sub, message = subs.get(row.subscription_id), messages.get(row.message_id)
    previous = None
    if (
        sub is not None
        and sub.previous_secret is not None
        and (sub.previous_secret_until_us or 0) > now
    ):
        previous = bytes(sub.previous_secret)
    # a row gone missing makes an attempt that fails (and is recorded), like any bad row
    return Claimed(
        row.id,
        row.subscription_id,
        row.attempts,
        "" if sub is None else sub.url,
        b"" if sub is None else bytes(sub.secret),
        previous,
        "" if message is None else message.msg_id,
        b"" if message is None else bytes(message.body),
    )
