"""Event bodies rendered from the log's rows (projections/stored.py) are exactly what the
decoded event renders to, on both backends, whichever decoding path a row takes."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from domain.events import LicenseGranted, Recorded
from projections.canonical import dumps, render_event
from projections.event_queries import EventFilter, get_event, list_events
from projections.stored import plain_state, public_body
from services.bootstrap import Container
from services.settings import Settings
from services.storage.store import open_event_log
from tests.support.rebuilds import build_log


def test_every_body_served_is_the_rendering_of_the_decoded_event(container: Container) -> None:
    build_log(container, synthetic=300)
    container.catch_up()
    notes = container.log.notifications(0, 100_000)
    expected = {}
    for note in notes:
        event = container.log.mapper.to_domain_event(note)
        if isinstance(event, Recorded):
            expected[event.event_id] = dumps(render_event(event, note.id))
    assert len(expected) > 300

    with container.engine.connect() as conn:
        for event_id, body in expected.items():
            assert get_event(conn, event_id) == body
        listed, after = [], 0
        while True:
            page = list_events(conn, EventFilter(), after, 250)
            listed += page.bodies
            if page.next_after is None:
                break
            after = page.next_after
    assert listed == list(expected.values())  # in log order, every one


def _stored_row(event: Recorded, position: int) -> SimpleNamespace:
    """The row the event log itself would store (its own mapper, not the reader's)."""
    event_log = open_event_log(Settings(database_url="sqlite:///:memory:"))
    try:
        stored = event_log.mapper.to_stored_event(event)
    finally:
        event_log.close()
    return SimpleNamespace(
        log_originator=stored.originator_id,
        log_version=stored.originator_version,
        log_topic=stored.topic,
        log_state=stored.state,
    )


def _granted(data: dict[str, object]) -> LicenseGranted:
    return LicenseGranted(
        originator_id=uuid4(),
        originator_version=3,
        timestamp=LicenseGranted.create_timestamp(),
        event_id=str(uuid4()),
        aggregate="license:l-1",
        effective_at="2025-08-11T00:00:00Z",
        reported_at="2025-08-11T00:00:00Z",
        recorded_at="2025-08-12T00:00:00Z",
        recorded_by="tester",
        summary="granted",
        sources=[],
        data=data,
        schema_version=1,
    )


def test_a_plain_state_takes_the_fast_path_and_renders_the_same() -> None:
    event = _granted({"license_id": "l-1", "chips": ["h20"]})
    row = _stored_row(event, 42)
    assert plain_state(row.log_topic, row.log_state) is not None
    assert public_body(42, row) == render_event(event, 42)


def test_a_state_with_other_transcoded_values_is_decoded_by_the_mapper() -> None:
    reference = UUID("12345678-1234-5678-1234-567812345678")
    event = _granted({"license_id": "l-1", "reference": reference})
    row = _stored_row(event, 7)
    assert plain_state(row.log_topic, row.log_state) is None  # two transcoded values
    body = public_body(7, row)
    assert body["data"]["reference"] == reference  # revived, as the decoded event has it
    assert body == render_event(event, 7)


@pytest.mark.parametrize("state", [b"not json", b'{"_type_": 1}', b"[]"])
def test_a_state_that_is_not_the_plain_form_is_declined(state: bytes) -> None:
    assert plain_state("domain.events:LicenseGranted", state) is None


def test_an_unknown_topic_is_declined() -> None:
    row = _stored_row(_granted({"license_id": "l-1"}), 1)
    assert plain_state("services.write.idempotency:Claimed", row.log_state) is None
    assert plain_state("domain.events:NoSuchEvent", row.log_state) is None


def test_the_log_is_stored_plain_whatever_the_environment_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    # the read models render bodies from the stored state: an inherited cipher or
    # compressor setting must not make the log unreadable to them
    monkeypatch.setenv("CIPHER_KEY", "a" * 44)
    monkeypatch.setenv("REGTIMELINE_COMPRESSOR_TOPIC", "eventsourcing.compressor:ZlibCompressor")
    event_log = open_event_log(Settings(database_url=f"sqlite:///{tmp_path}/log.db"))
    try:
        assert event_log.mapper.cipher is None and event_log.mapper.compressor is None
    finally:
        event_log.close()
