"""The schedule of derived messages (docs/webhooks.md, "Derived messages"), kept by the
fan-out in the transaction that moves its checkpoint.

- `EffectiveDateReached` (key `eff:<event id>`) at an event's `effective_at`, when that is
  later than its `recorded_at`;
- `LicenseExpired` (`exp:<grant id>`) at a licence's `expires_at`;
- `ExportBanReinstated` (`end:<suspension id>`) at a suspension's `until`, when the measure's
  fold says the suspension that event set is the one that runs until then and ends by
  itself there (not lifted, reinstated or replaced by another suspension first).

Each is worked out from the log as stored: the event with every stored revision applied as
the domain applies them (docs/state.md, "What was known", with no knowledge cut-off), so a
correction moves it and a retraction cancels it. `scheduler.py` sends what falls due; a
message already sent is never scheduled again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from domain.catalog import CATALOG, Role
from domain.clocks import parse_instant, to_micros
from domain.events import Recorded
from domain.fold import fold_world
from domain.knowledge import Belief, as_written, revised, visible
from projections.projector import active_tables
from projections.state_queries import logged
from projections.stored import log_table, public_body, stored_columns
from services.webhooks import tables as t

REVISIONS = ("EventCorrected", "EventRetracted")
# What can change how a measure's suspension ends: in its own aggregate (a revision's
# aggregate is its target's, domain/events.py).
SUSPENSION_CHANGES = ("ExportBanSuspended", "ExportBanReinstated", "ExportBanLifted", *REVISIONS)
MEASURE = "measure:"
_JUST_BEFORE = timedelta(microseconds=1)


def schedule_page(conn: Connection, events: list[tuple[int, Recorded]]) -> None:
    """Update the schedule for one page of the fan-out, in its transaction."""
    measures: set[str] = set()
    for position, event in events:
        schedule_for(conn, position, event)
        if event.aggregate.startswith(MEASURE) and event.type in SUSPENSION_CHANGES:
            measures.add(event.aggregate)
    if measures:
        last = events[-1][0]
        for key in sorted(measures):
            schedule_suspension_ends(conn, key, last)


def schedule_for(conn: Connection, position: int, event: Recorded) -> None:
    """`EffectiveDateReached` and `LicenseExpired` of one stored event (or, for a revision,
    of its target as now revised)."""
    if event.type in REVISIONS:
        _revised(conn, event.data["event_id"], position)
        return
    if CATALOG[event.type].role is Role.REGISTRY:
        return
    effective = None if event.effective_at is None else parse_instant(event.effective_at)
    due = _effective_due(effective, to_micros(parse_instant(event.recorded_at)))
    if due is not None:
        upsert(conn, f"eff:{event.event_id}", "EffectiveDateReached", event.event_id, position, due)
    if event.type == "LicenseGranted" and event.data.get("expires_at"):
        expires = to_micros(parse_instant(event.data["expires_at"]))
        upsert(conn, f"exp:{event.event_id}", "LicenseExpired", event.event_id, position, expires)


def _revised(conn: Connection, target_id: str, upto: int) -> None:
    """A revision moves, cancels or (after a retraction) restores its target's messages."""
    e = active_tables(conn).event
    row = conn.execute(
        select(e.c.agg_key, e.c.recorded_us).where(e.c.event_id == target_id)
    ).first()
    if row is None:
        return
    mine = or_(e.c.event_id == target_id, e.c.target_event_id == target_id)
    found = [b for b in _beliefs(conn, row.agg_key, upto, mine) if b.event.event_id == target_id]
    if not found or found[0].is_registry:
        return
    target = found[0]
    due = None if target.retracted else _effective_due(target.effective_at, row.recorded_us)
    upsert(conn, f"eff:{target_id}", "EffectiveDateReached", target_id, target.position, due)
    if target.type == "LicenseGranted":
        expires = target.data.get("expires_at")
        due = None if target.retracted or not expires else to_micros(parse_instant(expires))
        upsert(conn, f"exp:{target_id}", "LicenseExpired", target_id, target.position, due)


def schedule_suspension_ends(conn: Connection, measure: str, upto: int) -> None:
    """`ExportBanReinstated` at each suspension's `until` of one measure, as its fold over
    every event stored up to `upto` (revised, retracted ones dropped) says: due when, just
    before `until`, the measure is not lifted and runs the suspension this event set, with
    this `until`; else cancelled."""
    beliefs = _beliefs(conn, measure, upto)
    suspensions = [b for b in beliefs if b.type == "ExportBanSuspended"]
    if not suspensions:
        return
    standing = visible(beliefs)
    for suspension in suspensions:
        event_id = suspension.event.event_id
        until = suspension.data.get("until")
        due = None
        if not suspension.retracted and until is not None:
            end = parse_instant(until)
            due = to_micros(end) if _ends_by_itself(standing, measure, event_id, end) else None
        upsert(conn, f"end:{event_id}", "ExportBanReinstated", event_id, suspension.position, due)


def _ends_by_itself(standing: list[Belief], measure: str, event_id: str, end: datetime) -> bool:
    just_before = end - _JUST_BEFORE
    folded = fold_world(standing, just_before).objects.get(measure)
    running = None if folded is None else folded.suspension
    return (
        folded is not None
        and folded.live
        and running is not None
        and running.by == event_id
        and running.until == end
        and running.runs_at(just_before)
    )


def _beliefs(conn: Connection, aggregate: str, upto: int, *where: Any) -> list[Belief]:
    """The aggregate's events stored up to `upto` (optionally narrowed by `where`), each
    with every stored revision applied, whatever its `reported_at` (domain/knowledge.py)."""
    e, log = active_tables(conn).event, log_table(conn)
    rows = conn.execute(
        select(e.c.position, e.c.agg_key, *stored_columns(log))
        .join(log, log.c.position == e.c.position)
        .where(e.c.agg_key == aggregate, e.c.position <= upto, *where)
        .order_by(e.c.position)
    ).all()
    written = [as_written(r.position, logged(public_body(r.position, r), r.agg_key)) for r in rows]
    return revised(written)


def _effective_due(effective: datetime | None, recorded_us: int) -> int | None:
    """EffectiveDateReached is due at `effective_at` only when that is after `recorded_at`."""
    due = None if effective is None else to_micros(effective)
    return due if due is not None and due > recorded_us else None


def upsert(
    conn: Connection, key: str, kind: str, event_id: str, position: int, due_us: int | None
) -> None:
    """Schedule (or reschedule, or cancel with due None) one derived message."""
    s = t.schedule
    existing = conn.execute(select(s.c.status).where(s.c.key == key)).scalar()
    if existing == "fired":
        return  # each derived message is sent once
    if due_us is None:
        if existing is not None:
            conn.execute(update(s).where(s.c.key == key).values(status="cancelled"))
        return
    if existing is None:
        conn.execute(
            insert(s).values(
                key=key,
                kind=kind,
                event_id=event_id,
                position=position,
                due_us=due_us,
                status="scheduled",
            )
        )
    else:
        conn.execute(update(s).where(s.c.key == key).values(due_us=due_us, status="scheduled"))
