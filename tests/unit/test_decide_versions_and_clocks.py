"""`decide` on versions and clocks: `expected_version` against the object's version
(docs/events.md, "Concurrency"), the clock fields an event must or must not carry, and the
`reported_at` it passes on (docs/clocks.md, "The three clocks"). The rules of
tests/domain/test_write_rules_versions.py and test_write_rules_clocks.py that are the log's;
If-Match is an HTTP matter and stays there.
"""

from __future__ import annotations

from domain.errors import InvalidEvent, VersionConflict
from tests.domain.write_api import with_
from tests.support import builders as b
from tests.unit.memory_ledger import MemoryLedger, pointers

# -- expected_version --------------------------------------------------------------------


def test_a_matching_expected_version_is_accepted(log: MemoryLedger) -> None:
    log.record(b.measure())
    [amended] = log.record(with_(b.amendment(), expected_version=1))
    assert amended.originator_version == 2


def test_a_stale_expected_version_is_a_conflict_giving_the_current_version(
    log: MemoryLedger,
) -> None:
    log.record(b.measure(), b.amendment())
    error = log.refusal(with_(b.lift(), expected_version=1))
    assert isinstance(error, VersionConflict)
    assert (error.current_version, pointers(error)) == (2, ["/expected_version"])
    assert error.detail == ("expected version 1 of measure:bis-2025-04-h20, but it is at version 2")


def test_an_expected_version_ahead_of_the_object_is_a_conflict(log: MemoryLedger) -> None:
    log.record(b.measure())
    error = log.refusal(with_(b.amendment(), expected_version=5))
    assert isinstance(error, VersionConflict) and error.current_version == 1


def test_a_creation_accepts_expected_version_zero(log: MemoryLedger) -> None:
    assert log.decide(with_(b.measure(), expected_version=0)).expected_version == 0


def test_a_creation_with_a_nonzero_expected_version_is_a_conflict(log: MemoryLedger) -> None:
    error = log.refusal(with_(b.measure(), expected_version=1))
    assert isinstance(error, VersionConflict) and error.current_version == 0


def test_a_revision_checks_the_version_of_its_targets_aggregate(log: MemoryLedger) -> None:
    imposed, _ = log.record(b.measure(), b.amendment())
    error = log.refusal(
        with_(b.correction(imposed.event_id, effective_at="2025-04-10"), expected_version=1)
    )
    assert isinstance(error, VersionConflict) and error.current_version == 2


def test_a_companys_halts_and_resumes_share_one_version(log: MemoryLedger) -> None:
    log.record(b.halt(), b.resume())
    error = log.refusal(with_(b.halt(effective_at="2025-11-01"), expected_version=1))
    assert isinstance(error, VersionConflict)
    assert (error.current_version, error.detail.split(",")[0]) == (
        2,
        "expected version 1 of production:nvidia",
    )


def test_another_objects_events_do_not_move_a_version(log: MemoryLedger) -> None:
    log.record(b.measure(), b.measure("bis-other"), b.license_granted())
    assert log.decide(with_(b.amendment(), expected_version=1)).type == "ExportBanAmended"


def test_without_expected_version_no_version_is_checked(log: MemoryLedger) -> None:
    log.record(b.measure(), b.amendment())
    assert log.decide(b.lift()).expected_version is None


# -- clocks ------------------------------------------------------------------------------


def test_a_domain_event_without_effective_at_is_refused(log: MemoryLedger) -> None:
    error = log.refusal(b.envelope("LicenseGranted", b.license_granted()["data"], None))
    assert (type(error), pointers(error)) == (InvalidEvent, ["/effective_at"])
    assert error.detail == "effective_at is required for LicenseGranted"


def test_a_registry_event_may_carry_an_informational_effective_at(empty: MemoryLedger) -> None:
    decision = empty.decide(with_(b.company(), effective_at="2025-01-01"))
    assert decision.effective_at == "2025-01-01T00:00:00Z"


def test_effective_at_is_passed_on_in_canonical_utc(log: MemoryLedger) -> None:
    decision = log.decide(b.measure(effective_at="2025-04-09T02:00:00+02:00"))
    assert decision.effective_at == "2025-04-09T00:00:00Z"


def test_an_absent_reported_at_is_left_to_the_writers_default(log: MemoryLedger) -> None:
    assert log.decide(b.measure()).reported_at is None


def test_an_explicit_reported_at_is_kept_in_utc(log: MemoryLedger) -> None:
    decision = log.decide(with_(b.measure(), reported_at="2025-04-01T02:00:00+02:00"))
    assert decision.reported_at == "2025-04-01T00:00:00Z"


def test_an_explicit_reported_at_of_a_revision_is_kept(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    decision = log.decide(
        with_(b.correction(imposed.event_id, effective_at="2025-04-10"), reported_at="2025-04-12")
    )
    assert decision.reported_at == "2025-04-12T00:00:00Z"


def test_a_reported_at_inside_a_correction_is_canonical(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    decision = log.decide(b.correction(imposed.event_id, reported_at="2025-04-12T01:00:00+01:00"))
    assert decision.data["changes"] == {"reported_at": "2025-04-12T00:00:00Z"}


def test_expected_version_is_not_part_of_the_stored_data(log: MemoryLedger) -> None:
    [imposed] = log.record(with_(b.measure(), expected_version=0))
    assert "expected_version" not in imposed.data
