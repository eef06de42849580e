"""On PostgreSQL, a write by another process wakes the projector at once (LISTEN/NOTIFY)."""

from __future__ import annotations

import time

import pytest

from services.bootstrap import bootstrap
from services.write.parsing import parse_envelope
from services.write.writer import Item
from tests.conftest import Backend
from tests.support import builders as b


def test_a_write_elsewhere_wakes_the_projector_without_waiting_for_a_poll(backend: Backend) -> None:
    if backend.name != "postgres":
        pytest.skip("NOTIFY is PostgreSQL's; SQLite has one process")
    settings = backend.settings.model_copy(update={"projector_poll_seconds": 60.0})
    listening = bootstrap(settings)
    other = bootstrap(settings)
    try:
        listening.start(worker=True)
        time.sleep(0.3)  # the listener connects and the first (empty) round passes
        position = (
            other.writer.append([Item(parse_envelope(b.company("elsewhere")))], "t")
            .items[0]
            .position
        )
        deadline = time.monotonic() + 5
        while listening.projected_position() < position and time.monotonic() < deadline:
            time.sleep(0.02)
        assert listening.projected_position() >= position  # long before the 60 s poll
    finally:
        listening.close()
        other.close()
