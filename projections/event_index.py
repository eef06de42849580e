"""The `events` projection: the log as readers query it (GET /v1/events)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from domain.catalog import CATALOG, CHIP_FIELDS, COMPANY_FIELDS, Role
from domain.clocks import parse_instant, to_micros
from domain.events import Recorded
from projections.canonical import dumps, render_event
from projections.tables import rm_event, rm_event_subject

REVISIONS = ("EventCorrected", "EventRetracted")


def named_subjects(data: dict[str, Any]) -> set[str]:
    """The chips and companies a payload names, as subject keys ("chip:h20")."""
    subjects: set[str] = set()
    for kind, fields in (("chip", (*CHIP_FIELDS, "chip")), ("company", COMPANY_FIELDS)):
        for name in fields:
            value = data.get(name)
            for slug in value if isinstance(value, list) else [value]:
                if isinstance(slug, str):
                    subjects.add(f"{kind}:{slug}")
    return subjects


def _micros(text: str | None) -> int | None:
    return None if text is None else to_micros(parse_instant(text))


class EventIndex:
    name = "events"

    def apply(self, conn: Connection, events: list[tuple[int, Recorded]]) -> None:
        rows: list[dict[str, Any]] = []
        subject_rows: list[dict[str, Any]] = []
        local: dict[str, tuple[str, set[str]]] = {}  # event id -> (type, subjects) in this page
        for position, event in events:
            target_id = event.data.get("event_id") if event.type in REVISIONS else None
            if target_id is None:
                subjects = named_subjects(event.data)
                if CATALOG[event.type].role in (Role.LIFECYCLE, Role.TERMINAL):
                    subjects |= self._aggregate_subjects(conn, event.aggregate, local)
            else:
                subjects = self._target_subjects(conn, target_id, local)
                subjects |= named_subjects(event.data.get("changes", {}).get("data") or {})
            local[event.event_id] = (event.aggregate, subjects)
            rows.append({
                "position": position, "event_id": event.event_id, "type": event.type,
                "agg_key": event.aggregate, "effective_us": _micros(event.effective_at),
                "reported_us": _micros(event.reported_at),
                "recorded_us": _micros(event.recorded_at), "target_event_id": target_id,
                "body": dumps(render_event(event, position)),
            })
            subject_rows += [{"subject": s, "position": position} for s in sorted(subjects)]
        if rows:
            conn.execute(insert(rm_event), rows)
        if subject_rows:
            conn.execute(insert(rm_event_subject), subject_rows)

    @staticmethod
    def _aggregate_subjects(conn: Connection, key: str,
                            local: dict[str, tuple[str, set[str]]]) -> set[str]:
        """A lifecycle event concerns everything its object has named so far: an amendment
        that only changes `control` still concerns the measure's chips, and a lift also
        concerns the chips an earlier amendment or correction added."""
        subjects = {s for aggregate, named in local.values() if aggregate == key for s in named}
        earlier = select(rm_event.c.position).where(rm_event.c.agg_key == key)
        found = conn.execute(
            select(rm_event_subject.c.subject)
            .where(rm_event_subject.c.position.in_(earlier)).distinct()
        ).scalars()
        return subjects | set(found)

    @staticmethod
    def _target_subjects(conn: Connection, target_id: str,
                         local: dict[str, tuple[str, set[str]]]) -> set[str]:
        if target_id in local:
            return set(local[target_id][1])
        found = conn.execute(
            select(rm_event_subject.c.subject)
            .join(rm_event, rm_event.c.position == rm_event_subject.c.position)
            .where(rm_event.c.event_id == target_id)
        ).scalars()
        return set(found)
