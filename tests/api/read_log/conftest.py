"""GET /v1/events: the small log most read-log tests read."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.bootstrap import Container
from tests.support import builders as b
from tests.support.read_log import Stored, write


@pytest.fixture
def log(client: TestClient, write_headers: dict[str, str], container: Container) -> Stored:
    """A small log, projected: two companies, two chips, a measure's life, a licence's life."""
    bodies = {
        "nvidia": b.company("nvidia"),
        "amkor": b.company("amkor"),
        "h20": b.chip("h20"),
        "b30a": b.chip("b30a"),
        "imposed": b.measure(chips=["h20"], effective_at="2025-04-09"),
        "amended": b.amendment(effective_at="2025-05-01", control="ban"),  # names no chip
        "granted": b.license_granted(chips=["b30a"], effective_at="2025-08-11T18:00:00Z"),
        "halted": b.halt("nvidia", chips=["b30a"], suppliers=["amkor"], effective_at="2025-08-22"),
        "revoked": b.license_revoked(effective_at="2025-10-01"),
        "lifted": b.lift(effective_at="2025-12-02"),
    }
    stored = {name: write(client, write_headers, body) for name, body in bodies.items()}
    stored["corrected"] = write(
        client, write_headers, b.correction(stored["imposed"]["id"], effective_at="2025-04-10")
    )
    container.catch_up()
    return stored
