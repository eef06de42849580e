"""Point-in-time reads (SPEC §4): resolve (T, K, P), fetch the subject's slice, fold.

Every answer carries the coordinates it was computed at, so the same (T, K, P) — with K
not later than the first request's time — gives the same bytes later, whatever was
appended since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from domain.clocks import format_instant
from domain.history import beliefs_at, diff, history, timeline, view_of
from domain.knowledge import AnyEvent
from domain.objects import KINDS, object_view
from projections.projector import active_tables
from projections.state_queries import DecodedCache, object_events, subject_events
from projections.tables import ViewTables


@dataclass(frozen=True)
class Coordinates:
    as_of: datetime
    known_at: datetime
    position: int

    def echo(self) -> dict[str, Any]:
        return {"as_of": format_instant(self.as_of), "known_at": format_instant(self.known_at),
                "position": self.position}


class PointInTime:
    def __init__(self, cache: DecodedCache | None = None):
        self.cache = cache or DecodedCache()

    def _slice(self, conn: Connection, tables: ViewTables, kind: str, subject: str,
               position: int) -> list[tuple[int, AnyEvent]]:
        return subject_events(conn, tables, f"{kind}:{subject}", position, self.cache)  # type: ignore[return-value]

    def state(self, conn: Connection, kind: str, subject: str,
              at: Coordinates) -> dict[str, Any] | None:
        tables = active_tables(conn)
        beliefs = beliefs_at(self._slice(conn, tables, kind, subject, at.position), at.known_at,
                             at.position)
        view = view_of(kind, subject, beliefs, at.as_of)
        return None if view is None else {**view, **at.echo()}

    def timeline(self, conn: Connection, kind: str, subject: str,
                 at: Coordinates) -> dict[str, Any] | None:
        tables = active_tables(conn)
        beliefs = beliefs_at(self._slice(conn, tables, kind, subject, at.position), at.known_at,
                             at.position)
        if view_of(kind, subject, beliefs, at.as_of) is None:
            return None
        echo = {k: v for k, v in at.echo().items() if k != "as_of"}
        return {kind: subject, "items": timeline(kind, subject, beliefs), **echo}

    def history(self, conn: Connection, kind: str, subject: str,
                at: Coordinates) -> dict[str, Any] | None:
        tables = active_tables(conn)
        beliefs = beliefs_at(self._slice(conn, tables, kind, subject, at.position), at.known_at,
                             at.position)
        spans = history(kind, subject, beliefs)
        if spans is None:
            return None
        echo = {k: v for k, v in at.echo().items() if k != "as_of"}
        return {kind: subject, "spans": spans, **echo}

    def diff(self, conn: Connection, kind: str, subject: str, before: Coordinates,
             after: Coordinates, axis: str) -> dict[str, Any] | None:
        old = self.state(conn, kind, subject, before)
        new = self.state(conn, kind, subject, after)
        if old is None and new is None:
            return None
        return {kind: subject, "axis": axis, "position": after.position,
                "from": {k: v for k, v in before.echo().items() if k != "position"},
                "to": {k: v for k, v in after.echo().items() if k != "position"},
                "changes": diff(old or {}, new or {})}

    def object(self, conn: Connection, segment: str, object_id: str,
               at: Coordinates) -> dict[str, Any] | None:
        kind, _ = KINDS[segment]
        tables = active_tables(conn)
        events = object_events(conn, tables, kind, object_id, at.position, self.cache)
        if events is None:
            return None
        beliefs = beliefs_at(events, at.known_at, at.position)  # type: ignore[arg-type]
        view = object_view(kind, object_id, beliefs, at.as_of, version=len(events))
        return None if view is None else {**view, **at.echo()}
