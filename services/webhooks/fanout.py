"""The fan-out projection: the log is the outbox (no dual write).

For each event it stores the message once, creates one delivery per matching subscription,
and keeps the schedule of derived messages (EffectiveDateReached when an event takes effect
after it was recorded; LicenseExpired at a licence's expires_at; ExportBanReinstated at a
suspension's until: derived.py) — all in the transaction that moves its checkpoint, so a
crash can neither lose nor duplicate a delivery. It only runs up to the views' checkpoint:
an event's subjects (for the chip and company filters) come from the views, which a
lifecycle event or a revision inherits from its object, and a group's event from the
measures naming the group (docs/webhooks.md, "Subscriptions").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from domain.clocks import from_micros
from domain.events import Recorded
from projections.canonical import render_event
from projections.event_queries import subjects_of
from services.keys import load_keys
from services.webhooks import tables as t
from services.webhooks.derived import schedule_page
from services.webhooks.messages import event_message, message_id

FANOUT = "webhooks"


@dataclass(frozen=True)
class Target:
    id: str
    event_types: frozenset[str]
    chips: frozenset[str]
    companies: frozenset[str]
    held: bool  # paused, disabled or its owner key dead: deliveries wait, released later
    start_position: int

    def wants(self, kind: str, subjects: set[str], position: int | None) -> bool:
        if position is not None and position <= self.start_position:
            return False
        if self.event_types and kind not in self.event_types:
            return False
        if self.chips and not any(f"chip:{c}" in subjects for c in self.chips):
            return False
        return not self.companies or any(f"company:{c}" in subjects for c in self.companies)


def dead_owners(conn: Connection, owner_ids: Iterable[str], now_us: int) -> set[str]:
    """The owner keys that are revoked, expired or gone: their subscriptions receive nothing
    (deliveries are held until an admin re-assigns the subscription to a live key)."""
    wanted = set(owner_ids)
    now = from_micros(now_us)
    live = {k for k, key in load_keys(conn, wanted).items() if key.live(now)}
    return wanted - live


def live_targets(conn: Connection, now_us: int, only: str | None = None) -> list[Target]:
    """The subscriptions not deleted (or just `only`, by id), as the fan-out sees them."""
    s = t.subscription
    query = select(s).where(s.c.deleted_at_us.is_(None))
    if only is not None:
        query = query.where(s.c.id == only)
    rows = conn.execute(query).all()
    dead = dead_owners(conn, {r.owner_key_id for r in rows}, now_us)
    return [
        Target(
            r.id,
            frozenset(json.loads(r.event_types)),
            frozenset(json.loads(r.chips)),
            frozenset(json.loads(r.companies)),
            bool(r.paused or r.disabled_at_us or r.owner_key_id in dead),
            r.start_position,
        )
        for r in rows
    ]


def deliver(
    conn: Connection,
    msg_id: str,
    kind: str,
    position: int | None,
    body: bytes,
    subjects: set[str],
    targets: list[Target],
    now_us: int,
    enforce_start: bool = True,
) -> int:
    """Store one message and its deliveries; return how many deliveries were created."""
    message_pk: int = conn.execute(
        insert(t.message)
        .values(msg_id=msg_id, type=kind, position=position, body=body, created_at_us=now_us)
        .returning(t.message.c.id)
    ).scalar_one()
    rows = [
        {
            "subscription_id": target.id,
            "message_id": message_pk,
            "status": "held" if target.held else "pending",
            "attempts": 0,
            "next_attempt_us": now_us,
            "lease_until_us": None,
            "created_at_us": now_us,
            "updated_at_us": now_us,
        }
        for target in targets
        if target.wants(kind, subjects, position if enforce_start else None)
    ]
    if rows:
        conn.execute(insert(t.delivery), rows)
    return len(rows)


class FanOut:
    name = FANOUT

    def __init__(self, now_us: Any):
        self.now_us = now_us  # the clock, injectable in tests

    def apply(self, conn: Connection, _tables: Any, events: list[tuple[int, Recorded]]) -> None:
        if not events:
            return
        now = self.now_us()
        targets = live_targets(conn, now)
        subjects = subjects_of(conn, [p for p, _ in events])
        for position, event in events:
            body = event_message(event.type, event.recorded_at, render_event(event, position))
            deliver(
                conn,
                message_id(event.event_id, event.type),
                event.type,
                position,
                body,
                subjects[position],
                targets,
                now,
            )
        schedule_page(conn, events)
