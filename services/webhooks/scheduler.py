"""Derived messages fall due: EffectiveDateReached, LicenseExpired and a suspension's end
(ExportBanReinstated), each created once.

The fan-out projection keeps the schedule (derived.py: inserted, moved by corrections,
cancelled by retractions and, for a suspension's end, by what ends the suspension first). Once a second, due rows are claimed and their messages and deliveries created
in the same transaction that marks them fired: created exactly once (across restarts and
several workers), delivered at least once.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select, text, update

from domain.clocks import format_instant, from_micros
from projections.database import is_sqlite, write_transaction
from projections.event_queries import event_by_id, subjects_of
from projections.stored import public_body
from services.webhooks import tables as t
from services.webhooks.fanout import deliver, live_targets
from services.webhooks.messages import event_message, message_id


def fire_due(engine: Engine, now_us: Callable[[], int], limit: int = 200) -> int:
    now = now_us()
    due = (
        "SELECT key FROM webhook_schedule WHERE status = 'scheduled' AND due_us <= :now"
        " ORDER BY due_us LIMIT :n"
    )
    if not is_sqlite(engine):
        due += " FOR UPDATE SKIP LOCKED"
    fired = 0
    with write_transaction(engine) as conn:
        keys: list[str] = list(conn.execute(text(due), {"now": now, "n": limit}).scalars())
        if not keys:
            return 0
        s = t.schedule
        rows = conn.execute(select(s).where(s.c.key.in_(keys))).all()
        targets = live_targets(conn, now)
        subjects = subjects_of(conn, [r.position for r in rows])
        for row in rows:
            stored = event_by_id(conn, row.event_id)
            if stored is None:
                continue  # the views have not caught up with this event yet: next round
            event = public_body(stored.position, stored)
            body = event_message(row.kind, format_instant(from_micros(row.due_us)), event)
            deliver(
                conn,
                message_id(row.event_id, row.kind, derived=True),
                row.kind,
                row.position,
                body,
                subjects[row.position],
                targets,
                now,
                enforce_start=False,
            )
            conn.execute(update(s).where(s.c.key == row.key).values(status="fired"))
            fired += 1
    return fired
