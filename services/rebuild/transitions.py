"""The two transactions that bracket a rebuild (docs/architecture.md, "Rebuilding the
projections"): `begin` picks the generation to fill (resuming an interrupted rebuild, or
clearing the inactive one), `swap` makes it active once it has reached the log's head.
The pages in between are services/rebuild/rebuild.py's."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from projections.database import is_sqlite, write_transaction
from projections.projector import active_generation, read_checkpoint
from projections.tables import (
    VIEWS,
    projection_checkpoint,
    projection_generation,
    projection_rebuild,
    view_tables,
)
from projections.views import Views
from services.rebuild.generations import log_head, other
from services.storage.log_reader import LogPage


class RebuildStalled(RuntimeError):
    pass


def begin(
    engine: Engine, clock: Callable[[], datetime], *, restart: bool = False
) -> tuple[str, bool]:
    """Pick the generation to fill: resume the unfinished rebuild, or clear the inactive
    generation and record a new one. Returns (generation, resumed)."""
    with write_transaction(engine) as conn:
        serialise(conn, f"{VIEWS}@rebuild")
        active = active_generation(conn)
        row = conn.execute(
            select(projection_rebuild).where(projection_rebuild.c.name == VIEWS)
        ).first()
        if row is not None and row.generation != active and not restart:
            return str(row.generation), True
        generation = other(active)
        tables = view_tables(generation)
        serialise(conn, tables.checkpoint_name)  # no step of it is in flight
        for table in reversed(tables.all):
            conn.execute(delete(table))
        moved = conn.execute(
            update(projection_checkpoint)
            .where(projection_checkpoint.c.name == tables.checkpoint_name)
            .values(position=0)
        ).rowcount
        if moved != 1:
            conn.execute(
                insert(projection_checkpoint).values(name=tables.checkpoint_name, position=0)
            )
        conn.execute(delete(projection_rebuild).where(projection_rebuild.c.name == VIEWS))
        conn.execute(
            insert(projection_rebuild).values(name=VIEWS, generation=generation, started_at=clock())
        )
        return generation, False


def swap(
    engine: Engine, generation: str, read: Callable[[int, int], LogPage] | None, page: int
) -> tuple[bool, int, int]:
    """Make `generation` active once it has reached the log's head as read in this very
    transaction; the last few entries (at most `page`) are applied in it too, so a
    steady stream of writes cannot keep the swap from happening. Returns
    (swapped, the generation's checkpoint, the head)."""
    tables = view_tables(generation)
    with write_transaction(engine) as conn:
        serialise(conn, tables.checkpoint_name)  # a rival step on it finishes first
        position = read_checkpoint(conn, tables.checkpoint_name)
        head = log_head(conn)
        if active_generation(conn) == generation:
            return True, position, head  # another process finished this rebuild
        row = conn.execute(
            select(projection_rebuild.c.generation).where(projection_rebuild.c.name == VIEWS)
        ).scalar()
        if row != generation:
            raise RebuildStalled(
                f"the rebuild of generation {generation} was cancelled by another process"
            )
        if position < head:
            if read is None or head - position > page:
                return False, position, head
            # Entries up to the head are committed (the log commits in position order).
            entries = [(p, e) for p, e in read(position, head - position) if p <= head]
            Views().apply(conn, tables, [(p, e) for p, e in entries if e is not None])
            moved = conn.execute(
                update(projection_checkpoint)
                .where(
                    projection_checkpoint.c.name == tables.checkpoint_name,
                    projection_checkpoint.c.position == position,
                )
                .values(position=head)
            ).rowcount
            if moved != 1:  # rolls the whole transaction back
                raise RebuildStalled(f"generation {generation} moved under the swap")
            position = head
        flipped = conn.execute(
            update(projection_generation)
            .where(
                projection_generation.c.name == VIEWS,
                projection_generation.c.active == other(generation),
            )
            .values(active=generation)
        ).rowcount
        if flipped != 1:
            conn.execute(insert(projection_generation).values(name=VIEWS, active=generation))
        conn.execute(delete(projection_rebuild).where(projection_rebuild.c.name == VIEWS))
        return True, position, head


def serialise(conn: Connection, name: str) -> None:
    """Two rebuilds starting at once: the second waits, then sees the first's row."""
    if not is_sqlite(conn.engine):  # SQLite: BEGIN IMMEDIATE already serialises
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(name.encode())})
