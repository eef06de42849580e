"""Where the views' two generations stand: which one readers use, how far each has got,
whether a rebuild is filling one (tables in projections/tables.py; the rebuild in
services/rebuild.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select, text

from projections.database import is_sqlite
from projections.projector import active_generation, read_checkpoint
from projections.tables import GENERATIONS, VIEWS, projection_rebuild, view_tables
from services.store import POSTGRES_EVENTS_TABLE, SQLITE_EVENTS_TABLE


def other(generation: str) -> str:
    return GENERATIONS[1] if generation == GENERATIONS[0] else GENERATIONS[0]


def log_head(conn: Connection) -> int:
    """The log's last position, read in this transaction (the log shares the database)."""
    if is_sqlite(conn.engine):
        sql = f"SELECT max(rowid) FROM {SQLITE_EVENTS_TABLE}"
    else:
        sql = f"SELECT max(notification_id) FROM public.{POSTGRES_EVENTS_TABLE}"
    return int(conn.execute(text(sql)).scalar() or 0)


@dataclass(frozen=True)
class Status:
    active: str
    checkpoints: dict[str, int]
    rebuilding: str | None  # the generation an unfinished rebuild is filling
    started_at: datetime | None
    head: int


def status(engine: Engine) -> Status:
    with engine.connect() as conn:
        row = conn.execute(select(projection_rebuild)
                           .where(projection_rebuild.c.name == VIEWS)).first()
        return Status(active_generation(conn),
                      {g: read_checkpoint(conn, view_tables(g).checkpoint_name)
                       for g in GENERATIONS},
                      None if row is None else row.generation,
                      None if row is None else row.started_at, log_head(conn))
