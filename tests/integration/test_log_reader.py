"""The rebuild's reader of the log (services/storage/log_reader.py): what the library's mapper
decodes, read straight from the table."""

from __future__ import annotations

from domain.events import Recorded
from services.bootstrap import Container
from services.storage.log_reader import LogEntry, LogReader


def test_the_log_reader_gives_what_the_mapper_decodes(logged: Container) -> None:
    container = logged
    notes = container.log.notifications(0, 100_000)
    assert len(notes) == container.log.head()
    read = LogReader(container.engine, container.log)
    entries = read(0, 100_000)
    assert [p for p, _e in entries] == [n.id for n in notes]
    fields = (
        "type",
        "event_id",
        "aggregate",
        "originator_version",
        "effective_at",
        "reported_at",
        "recorded_at",
        "data",
    )
    skipped = 0
    for note, (_position, entry) in zip(notes, entries, strict=True):
        expected = container.log.mapper.to_domain_event(note)
        if not isinstance(expected, Recorded):
            assert entry is None  # the idempotency record: not indexed
            skipped += 1
            continue
        assert isinstance(entry, LogEntry)  # every event here is in the plain form
        assert {f: getattr(entry, f) for f in fields} == {f: getattr(expected, f) for f in fields}
    assert skipped == 1
    assert read(notes[-3].id, 2) == entries[-2:]  # pages start after the position given


def test_an_entry_not_in_the_plain_form_is_read_by_the_library(logged: Container) -> None:
    container = logged
    note = container.log.notifications(0, 1)[0]
    read = LogReader(container.engine, container.log)
    entry = read._entry(note.id, note.originator_version, note.topic, b'{"not": "plain"}')
    assert isinstance(entry, Recorded)  # the library decoded the stored row instead
    assert entry.__dict__ == container.log.mapper.to_domain_event(note).__dict__
