"""A log with every kind of event, and what readers see of it: shared by the rebuild, log
reader, stored-body and exactly-once tests.

The log is a synthetic mix of every event type (tests/bench/loggen/, stored as the writer
stores them) plus a story written through the writer (corrections, retractions, an
idempotency record).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from projections.projector import Projector
from projections.state_queries import Reading
from projections.tables import view_tables
from projections.views import Views
from services.bootstrap import Container, read_log_page
from services.read.pit import Coordinates
from services.rebuild.rebuild import Progress, Rebuilder
from services.write.idempotency import IdempotencyClaim
from services.write.parsing import parse_envelope
from services.write.writer import Item
from tests.bench.loggen import batches
from tests.support import builders as b

ROOT = Path(__file__).resolve().parents[2]
SYNTHETIC = 1500
CHIPS = ["h20", "b30", "chip-0", "chip-3", "chip-7", "chip-12"]
COMPANIES = ["nvidia", "amkor", "co-0", "co-1", "co-5"]


# -- the log ----------------------------------------------------------------------------------


def add(
    container: Container, envelope: dict[str, Any], claim: IdempotencyClaim | None = None
) -> str:
    result = container.writer.append([Item(parse_envelope(envelope))], "tester", claim)
    return str(result.items[0].event.event_id)


def build_log(container: Container, synthetic: int = SYNTHETIC) -> None:
    for batch in batches(synthetic, 500, seed=11):
        container.log.append(batch)
    for envelope in b.basics():
        add(container, envelope)
    add(container, b.company("amkor"))
    add(container, b.chip("b30", specs={"tpp": 4000, "performance_density": 6}))
    imposed = add(container, b.measure(criteria=[{"tpp_min": 3000}], companies=[]))
    add(container, b.amendment(destinations=["CN", "HK"]))
    add(
        container,
        b.measure("bis-end-user", chips=[], companies=["amkor"], effective_at="2025-03-01"),
    )
    granted = add(container, b.license_granted(expires_at="2025-12-31"))
    add(container, b.correction(granted, effective_at="2025-08-12"))
    add(
        container,
        b.correction(
            imposed,
            data={
                "measure_id": "bis-2025-04-h20",
                "authority": "BIS",
                "jurisdiction": "US",
                "destinations": ["CN"],
                "chips": ["h20", "b30"],
                "control": "ban",
            },
        ),
    )
    advisory = add(container, b.advisory(companies=["amkor"]))
    add(container, b.retraction(advisory))
    add(container, b.halt(suppliers=["amkor"]))
    add(container, b.investigation(companies=["nvidia", "amkor"]))
    add(container, b.revenue_share(), IdempotencyClaim("key-1", "idem-1", "hash-1"))
    add(container, b.lift(effective_at="2025-11-01"))
    add(container, b.resume())


# -- what readers see -------------------------------------------------------------------------


def coordinates(container: Container) -> list[Coordinates]:
    head = container.projected_position()
    now = container.clock()
    moments = [datetime(2019, 6, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC), now]
    known = [datetime(2025, 8, 11, tzinfo=UTC), now]
    return [Coordinates(t, k, p) for t in moments for k in known for p in (head // 2, head)]


def answers(
    container: Container, client: TestClient, at: list[Coordinates] | None = None
) -> dict[str, Any]:
    at = at or coordinates(container)
    found: dict[str, Any] = {}
    with Reading(container.engine) as db:
        for c in at:
            for kind, names in (("chip", CHIPS), ("company", COMPANIES)):
                for name in names:
                    found[f"{kind}:{name}@{c.echo()}"] = container.pit.state(db, kind, name, c)
    for query in (
        {"limit": 1000},
        {"limit": 250, "chip": "h20"},
        {"limit": 100, "company": "amkor"},
        {"limit": 300, "type": "EventCorrected"},
    ):
        cursor, pages = None, []
        while True:
            params = {**query, **({"after": cursor} if cursor else {})}
            response = client.get("/v1/events", params=params)
            assert response.status_code == 200, response.text
            body = response.json()
            pages.append(body["items"])
            if not (cursor := body["next"]):
                break
        found[f"events {query}"] = pages
    return found


def snapshot(engine: Engine, generation: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read model of a generation, in a stable order."""
    tables = view_tables(generation)
    with engine.connect() as conn:
        return {
            table.name.rsplit("_", 1)[0]: sorted(
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in conn.execute(select(table))
            )
            for table in tables.all
        }


def project(container: Container, generation: str) -> None:
    Projector(
        container.engine, read_log_page(container.log), Views(), generation=generation, page=97
    ).catch_up()


def rebuilder(
    container: Container,
    progress: Callable[[Progress], None] | None = None,
    page: int = 150,
    remembered: int = 64,
) -> Rebuilder:
    return Rebuilder(
        container.engine,
        container.log,
        page=page,
        progress=progress,
        clock=container.clock,
        remembered=remembered,
    )
