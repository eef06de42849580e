"""Where the views' two generations stand: which one readers use, how far each has got,
whether a rebuild is filling one (tables in projections/tables.py; the rebuild in
services/rebuild/rebuild.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select

from projections.projector import active_generation, read_checkpoint
from projections.stored import log_table
from projections.tables import GENERATIONS, VIEWS, projection_rebuild, view_tables


def other(generation: str) -> str:
    return GENERATIONS[1] if generation == GENERATIONS[0] else GENERATIONS[0]


def log_head(conn: Connection) -> int:
    """The log's last position, read in this transaction (the log shares the database)."""
    log = log_table(conn)
    return int(conn.execute(select(func.max(log.c.position))).scalar() or 0)


@dataclass(frozen=True)
class Status:
    active: str
    checkpoints: dict[str, int]
    rebuilding: str | None  # the generation an unfinished rebuild is filling
    started_at: datetime | None
    head: int


def status(engine: Engine) -> Status:
    with engine.connect() as conn:
        row = conn.execute(
            select(projection_rebuild).where(projection_rebuild.c.name == VIEWS)
        ).first()
        return Status(
            active_generation(conn),
            {g: read_checkpoint(conn, view_tables(g).checkpoint_name) for g in GENERATIONS},
            None if row is None else row.generation,
            None if row is None else row.started_at,
            log_head(conn),
        )
