"""The writer's recording step without a database (services/write/recording.py): a batch decided
item by item against a scratch view of the log (docs/events.md, "Batches") and the clocks
it stamps (docs/clocks.md, "The three clocks"), over the in-memory log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest

from domain.decide import decide
from domain.events import Recorded
from services.write.ledger import LogLedger, StagedLedger
from services.write.recording import Item, Stamper, decide_request
from services.write.refusals import BatchRefused
from tests.domain.write_api import with_
from tests.support import builders as b
from tests.unit.memory_ledger import NOW, Body, MemoryLedger, parse, pointers


def write(ledger: MemoryLedger, *bodies: Body, now: datetime = NOW) -> list[Recorded]:
    # StagedLedger types its base as the database ledger; the memory one answers the same
    # four questions (dossier, is_registered, locate, cached).
    scratch = StagedLedger(cast(LogLedger, ledger))
    items = [Item(parse(body)) for body in bodies]
    return decide_request(items, len(items) > 1, scratch, "unit", now, Stamper(now))


def test_a_later_item_of_a_batch_may_name_what_an_earlier_one_registers(log: MemoryLedger) -> None:
    events = write(log, b.chip("b30a"), b.measure(chips=["b30a"]))
    assert [e.type for e in events] == ["ChipRegistered", "ExportBanImposed"]


def test_an_id_registered_later_in_the_same_batch_cannot_be_named_earlier(
    log: MemoryLedger,
) -> None:
    with pytest.raises(BatchRefused) as refused:
        write(log, b.measure(chips=["b30a"]), b.chip("b30a"))
    assert pointers(refused.value) == ["/events/0/data/chips/0"]


def test_every_refused_item_of_a_batch_is_reported(log: MemoryLedger) -> None:
    with pytest.raises(BatchRefused) as refused:
        write(log, b.chip("b30a", successor_of="nope"), b.chip("b40"), b.company("nvidia"))
    assert pointers(refused.value) == ["/events/0/data/successor_of", "/events/2/data/company"]
    assert refused.value.detail == "2 of 3 events refused; nothing was stored"


def test_two_items_on_one_object_chain_their_versions(log: MemoryLedger) -> None:
    events = write(log, b.measure(), b.amendment(), b.lift())
    assert [e.originator_version for e in events] == [1, 2, 3]


def test_reported_at_of_a_past_event_defaults_to_its_effective_at(log: MemoryLedger) -> None:
    [imposed] = write(log, b.measure(effective_at="2025-04-09"))
    assert imposed.reported_at == "2025-04-09T00:00:00Z"


def test_reported_at_of_a_future_rule_defaults_to_recorded_at(log: MemoryLedger) -> None:
    [imposed] = write(log, b.measure(effective_at="2026-06-01"))
    assert imposed.reported_at == imposed.recorded_at == "2026-01-15T12:00:00Z"


def test_reported_at_of_a_revision_defaults_to_recorded_at(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    later = datetime(2026, 2, 1, 8, 30, 0, 250_000, tzinfo=UTC)
    [fix] = write(log, b.correction(imposed.event_id, effective_at="2025-04-10"), now=later)
    assert fix.reported_at == fix.recorded_at == "2026-02-01T08:30:00.250000Z"


def test_reported_at_of_a_registry_event_defaults_to_recorded_at(empty: MemoryLedger) -> None:
    [nvidia] = write(empty, b.company())
    assert nvidia.reported_at == nvidia.recorded_at == "2026-01-15T12:00:00Z"


def test_an_explicit_reported_at_is_stored_as_sent(log: MemoryLedger) -> None:
    [imposed] = write(log, with_(b.measure(), reported_at="2025-04-15"))
    assert imposed.reported_at == "2025-04-15T00:00:00Z"


@pytest.mark.parametrize(
    "body",
    [
        b.measure(effective_at="2025-04-09"),
        b.measure(effective_at="2026-06-01"),
        with_(b.measure(), reported_at="2025-04-15"),
        b.company("foxconn"),
    ],
    ids=["past", "future", "explicit", "registry"],
)
def test_the_memory_ledger_stamps_reported_at_as_the_writer_does(
    log: MemoryLedger, body: Body
) -> None:
    [written] = write(log, body)
    [stored] = log.record(body)
    assert stored.reported_at == written.reported_at


def test_the_writer_stores_what_decide_decided(log: MemoryLedger) -> None:
    body = b.license_granted(expires_at="2025-12-31")
    [stored] = write(log, body)
    decision = decide(parse(body), log)
    assert (stored.aggregate, stored.type, stored.data) == (
        decision.key,
        decision.type,
        decision.data,
    )
