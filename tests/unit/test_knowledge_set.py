"""The knowledge set at (K, P) over an in-memory log (docs/state.md, "What was known"): which
events count, with which revisions, before the fold. `domain.knowledge` is tested on its own
in tests/domain/test_knowledge.py; here the whole read path (`domain.history.beliefs_at`,
then the state) sees logs recorded through the write rules.
"""

from __future__ import annotations

from datetime import datetime

from tests.domain.write_api import with_
from tests.support import builders as b
from tests.unit.memory_ledger import EVERYTHING_KNOWN, MemoryLedger, at

AFTER = "2025-09-01"  # a T after every event of these tests


def cn_status(
    log: MemoryLedger, known_at: datetime = EVERYTHING_KNOWN, at_position: int | None = None
) -> str | None:
    """The H20's export status for China after every event, or None if unrestricted."""
    export = log.chip("h20", AFTER, known_at, at_position)["export"]
    return export["CN"]["status"] if "CN" in export else None


def test_a_correction_of_data_replaces_the_payload_from_its_report_on(log: MemoryLedger) -> None:
    [imposed] = log.record(with_(b.measure(control="license_required"), reported_at="2025-04-09"))
    log.record(
        with_(
            b.correction(imposed.event_id, data={**imposed.data, "control": "ban"}),
            reported_at="2025-05-01",
        )
    )
    assert cn_status(log, known_at=at("2025-04-30")) == "license_required"
    assert cn_status(log, known_at=at("2025-05-01")) == "banned"


def test_a_correction_of_effective_at_moves_the_event_in_valid_time(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure(effective_at="2025-04-09"))
    log.record(b.correction(imposed.event_id, effective_at="2025-10-01"))
    assert log.chip("h20", AFTER)["export"] == {}
    assert log.chip("h20", "2025-10-01")["export"]["CN"]["status"] == "license_required"


def test_a_retraction_hides_the_event(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    log.record(with_(b.retraction(imposed.event_id), reported_at="2025-06-01"))
    assert cn_status(log, known_at=at("2025-05-31")) == "license_required"
    assert cn_status(log, known_at=at("2025-06-01")) is None


def test_a_correction_reported_after_a_retraction_reinstates_the_event(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    log.record(
        with_(b.retraction(imposed.event_id), reported_at="2025-06-01"),
        with_(b.correction(imposed.event_id, effective_at="2025-04-10"), reported_at="2025-07-01"),
    )
    assert cn_status(log, known_at=at("2025-06-30")) is None
    assert cn_status(log, known_at=at("2025-07-01")) == "license_required"


def test_revisions_apply_in_reported_order_not_log_order(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    log.record(
        with_(
            b.correction(imposed.event_id, data={**imposed.data, "control": "ban"}),
            reported_at="2025-06-01",
        ),
        with_(b.correction(imposed.event_id, data=imposed.data), reported_at="2025-05-01"),
    )
    assert cn_status(log) == "banned"  # reported last, so it wins though stored first


def test_revisions_reported_at_one_instant_apply_in_log_order(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    log.record(
        with_(
            b.correction(imposed.event_id, data={**imposed.data, "control": "ban"}),
            reported_at="2025-06-01",
        ),
        with_(b.correction(imposed.event_id, data=imposed.data), reported_at="2025-06-01"),
    )
    assert cn_status(log) == "license_required"


def test_an_event_reported_after_known_at_is_embargoed(log: MemoryLedger) -> None:
    log.record(with_(b.measure(effective_at="2025-04-09"), reported_at="2025-04-15"))
    assert cn_status(log, known_at=at("2025-04-14T23:59:59.999999Z")) is None


def test_an_event_is_known_from_the_instant_it_is_reported(log: MemoryLedger) -> None:
    log.record(with_(b.measure(effective_at="2025-04-09"), reported_at="2025-04-15"))
    assert cn_status(log, known_at=at("2025-04-15")) == "license_required"


def test_a_correction_of_reported_at_moves_the_embargo(log: MemoryLedger) -> None:
    [imposed] = log.record(with_(b.measure(), reported_at="2025-04-15"))
    log.record(
        with_(b.correction(imposed.event_id, reported_at="2025-08-01"), reported_at="2025-04-20")
    )
    assert cn_status(log, known_at=at("2025-04-19")) == "license_required"
    assert cn_status(log, known_at=at("2025-04-20")) is None
    assert cn_status(log, known_at=at("2025-08-01")) == "license_required"


def test_a_registration_counts_from_its_position_whatever_known_at(log: MemoryLedger) -> None:
    log.record(with_(b.chip("b30a"), reported_at="2099-01-01"))
    assert log.chip("b30a", AFTER, known_at=at("2025-01-01"))["name"] == "B30A"


def test_a_registrations_correction_counts_only_once_reported(log: MemoryLedger) -> None:
    h20 = log.events[1]
    assert h20.type == "ChipRegistered"
    log.record(
        with_(
            b.correction(h20.event_id, data={**h20.data, "name": "H20 (China)"}),
            reported_at="2025-06-01",
        )
    )
    assert log.chip("h20", AFTER, known_at=at("2025-05-31"))["name"] == "H20"
    assert log.chip("h20", AFTER, known_at=at("2025-06-01"))["name"] == "H20 (China)"


def test_events_after_at_position_do_not_count(log: MemoryLedger) -> None:
    log.record(b.measure())
    assert cn_status(log, at_position=3) is None
    assert cn_status(log, at_position=4) == "license_required"


def test_a_revision_after_at_position_does_not_count_even_if_reported_earlier(
    log: MemoryLedger,
) -> None:
    [imposed] = log.record(with_(b.measure(), reported_at="2025-04-09"))
    log.record(with_(b.retraction(imposed.event_id), reported_at="2025-04-10"))
    assert cn_status(log, at_position=4) == "license_required"
    assert cn_status(log, at_position=5) is None


def test_a_chip_registered_after_at_position_does_not_exist(log: MemoryLedger) -> None:
    log.record(b.chip("b30a"))
    assert "b30a" not in log.world(AFTER, at_position=3).chips
    assert "b30a" in log.world(AFTER, at_position=4).chips


def test_a_belief_lists_the_revisions_applied_in_order(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    retracted, corrected = log.record(
        with_(b.retraction(imposed.event_id), reported_at="2025-05-01"),
        with_(b.correction(imposed.event_id, effective_at="2025-04-10"), reported_at="2025-06-01"),
    )
    [belief] = [x for x in log.beliefs() if x.event is imposed]
    assert belief.revised_by == (retracted.event_id, corrected.event_id)
    assert (belief.retracted, belief.effective_at) == (False, at("2025-04-10"))


def test_revisions_are_not_in_the_knowledge_set(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    log.record(b.correction(imposed.event_id, effective_at="2025-04-10"))
    assert [x.type for x in log.beliefs()] == [
        "CompanyRegistered",
        "ChipRegistered",
        "CompanyRegistered",
        "ExportBanImposed",
    ]
