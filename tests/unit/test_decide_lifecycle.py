"""`decide` on an object's life (docs/events.md, "Write rules"): lifecycle events need a live
creator of their own kind, take effect at or after it and before its end, as currently known
(every revision applied, embargoed reports included); amendments keep a measure covering
something; a resume needs an open halt. The rules of tests/domain/test_write_rules_lifecycle.py,
decided against an in-memory log.
"""

from __future__ import annotations

import pytest

from domain.errors import InvalidEvent
from tests.domain.write_api import with_
from tests.support import builders as b
from tests.unit.memory_ledger import Body, MemoryLedger, pointers

# -- an existing creator -----------------------------------------------------------------

LIFECYCLE: dict[str, tuple[Body, str]] = {
    "ExportBanAmended": (b.amendment("ghost"), "/data/measure_id"),
    "ExportBanLifted": (b.lift("ghost"), "/data/measure_id"),
    "LicenseRevoked": (b.license_revoked("ghost"), "/data/license_id"),
    "RevenueShareEnded": (b.revenue_share_ended("ghost"), "/data/agreement_id"),
    "AdvisoryWithdrawn": (b.advisory_withdrawn("ghost"), "/data/advisory_id"),
    "InvestigationConcluded": (b.investigation_concluded("ghost"), "/data/case_id"),
}


@pytest.mark.parametrize(("body", "pointer"), LIFECYCLE.values(), ids=LIFECYCLE.keys())
def test_a_lifecycle_event_of_an_unknown_id_is_refused(
    log: MemoryLedger, body: Body, pointer: str
) -> None:
    error = log.refusal(body)
    assert (type(error), pointers(error)) == (InvalidEvent, [pointer])


def test_a_lifecycle_event_must_name_an_id_of_its_own_kind(log: MemoryLedger) -> None:
    log.record(b.measure("shared-2025"))
    assert pointers(log.refusal(b.license_revoked("shared-2025"))) == ["/data/license_id"]


def test_a_lifecycle_event_of_a_retracted_creation_is_refused(log: MemoryLedger) -> None:
    [granted] = log.record(b.license_granted())
    log.record(b.retraction(granted.event_id))
    error = log.refusal(b.license_revoked())
    assert pointers(error) == ["/data/license_id"]
    assert error.detail == (
        "license 'nvidia-h20-cn-2025' was retracted: record it anew under a new id"
    )


def test_a_reinstated_creation_takes_lifecycle_events_again(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    log.record(
        b.retraction(imposed.event_id), b.correction(imposed.event_id, effective_at="2025-04-10")
    )
    assert log.decide(b.amendment()).key == "measure:bis-2025-04-h20"


# -- not before the creator --------------------------------------------------------------


def test_a_lifecycle_event_before_its_creator_is_refused(log: MemoryLedger) -> None:
    log.record(b.measure(effective_at="2025-04-09"))
    error = log.refusal(b.amendment(effective_at="2025-04-08T23:59:59Z"))
    assert pointers(error) == ["/effective_at"]
    assert error.detail == (
        "takes effect before measure 'bis-2025-04-h20' was created (2025-04-09T00:00:00Z)"
    )


def test_a_lifecycle_event_at_the_creators_instant_is_accepted(log: MemoryLedger) -> None:
    log.record(b.measure(effective_at="2025-04-09"))
    assert (
        log.decide(b.amendment(effective_at="2025-04-09T00:00:00Z")).effective_at
        == "2025-04-09T00:00:00Z"
    )


def test_a_lifecycle_event_is_checked_against_the_creators_corrected_time(
    log: MemoryLedger,
) -> None:
    [imposed] = log.record(b.measure(effective_at="2025-04-09"))
    log.record(b.correction(imposed.event_id, effective_at="2025-04-20"))
    assert pointers(log.refusal(b.amendment(effective_at="2025-04-15"))) == ["/effective_at"]


# -- not after the end -------------------------------------------------------------------


def test_a_lifecycle_event_at_a_terminal_events_instant_is_refused(log: MemoryLedger) -> None:
    log.record(b.measure(), b.lift(effective_at="2025-12-01"))
    error = log.refusal(b.amendment(effective_at="2025-12-01"))
    assert pointers(error) == ["/effective_at"]
    assert error.detail == (
        "takes effect at or after measure 'bis-2025-04-h20' ended "
        "(ExportBanLifted at 2025-12-01T00:00:00Z)"
    )


def test_a_lifecycle_event_after_a_terminal_event_is_refused(log: MemoryLedger) -> None:
    log.record(b.measure(), b.lift(effective_at="2025-12-01"))
    assert pointers(log.refusal(b.amendment(effective_at="2025-12-02"))) == ["/effective_at"]


def test_a_lifecycle_event_before_a_stored_terminal_event_is_accepted(log: MemoryLedger) -> None:
    log.record(b.measure(), b.lift(effective_at="2025-12-01"))
    assert log.decide(b.amendment(effective_at="2025-11-30")).type == "ExportBanAmended"


@pytest.mark.parametrize("effective_at", ["2025-11-01", "2025-12-01", "2026-02-01"])
def test_a_second_lift_is_refused_whatever_its_date(log: MemoryLedger, effective_at: str) -> None:
    log.record(b.measure(), b.lift(effective_at="2025-12-01"))
    error = log.refusal(b.lift(effective_at=effective_at, reason="superseded"))
    assert pointers(error) == ["/type"]
    assert error.detail == (
        "measure 'bis-2025-04-h20' already ended by ExportBanLifted at "
        "2025-12-01T00:00:00Z: correct that event instead"
    )


TERMINALS: dict[str, tuple[list[Body], Body]] = {
    "LicenseRevoked": ([b.license_granted(), b.license_revoked()], b.license_revoked()),
    "RevenueShareEnded": ([b.revenue_share(), b.revenue_share_ended()], b.revenue_share_ended()),
    "AdvisoryWithdrawn": ([b.advisory(), b.advisory_withdrawn()], b.advisory_withdrawn()),
    "InvestigationConcluded": (
        [b.investigation(), b.investigation_concluded()],
        b.investigation_concluded(finding="violation"),
    ),
}


@pytest.mark.parametrize(("given", "second"), TERMINALS.values(), ids=TERMINALS.keys())
def test_every_kind_of_object_ends_once(log: MemoryLedger, given: list[Body], second: Body) -> None:
    log.record(*given)
    assert pointers(log.refusal(second)) == ["/type"]


def test_a_retracted_terminal_event_no_longer_ends_the_object(log: MemoryLedger) -> None:
    _, lifted = log.record(b.measure(), b.lift(effective_at="2025-12-01"))
    log.record(b.retraction(lifted.event_id))
    assert log.decide(b.amendment(effective_at="2025-12-02")).type == "ExportBanAmended"


def test_a_terminal_event_counts_against_its_corrected_time(log: MemoryLedger) -> None:
    _, lifted = log.record(b.measure(), b.lift(effective_at="2025-12-01"))
    log.record(b.correction(lifted.event_id, effective_at="2025-06-01"))
    assert pointers(log.refusal(b.amendment(effective_at="2025-07-01"))) == ["/effective_at"]


def test_an_embargoed_terminal_event_still_ends_the_object_for_writers(log: MemoryLedger) -> None:
    # docs/events.md: "an embargo hides an event from readers, not from the rules"
    log.record(b.measure(), with_(b.lift(effective_at="2025-12-01"), reported_at="2099-01-01"))
    assert pointers(log.refusal(b.amendment(effective_at="2025-12-02"))) == ["/effective_at"]


@pytest.mark.xfail(
    strict=True,
    reason=(
        "domain/rules.py check_lifecycle refuses events after a terminal one but not a terminal "
        "dated before stored lifecycle events: the lift is accepted and the stored amendment "
        "becomes an after_terminal anomaly with no correction involved, against docs/state.md, "
        "'The fold' ('The write rules keep lifecycle events in order, but corrections may move "
        "events around later'); docs/events.md, 'Write rules' item 4 is silent on this order"
    ),
)
def test_a_terminal_event_before_a_stored_amendment_is_refused(log: MemoryLedger) -> None:
    log.record(b.measure(), b.amendment(effective_at="2025-11-01"))
    assert pointers(log.refusal(b.lift(effective_at="2025-10-01"))) == ["/effective_at"]


# -- coverage ----------------------------------------------------------------------------


def test_an_amendment_may_not_leave_a_measure_covering_nothing(log: MemoryLedger) -> None:
    log.record(b.measure(chips=["h20"]))
    error = log.refusal(b.amendment(chips=[]))
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data"])


def test_an_amendment_may_drop_the_chips_while_criteria_remain(log: MemoryLedger) -> None:
    log.record(b.measure(chips=["h20"], criteria=[{"tpp_min": 4800}]))
    assert log.decide(b.amendment(chips=[])).data == {"measure_id": "bis-2025-04-h20", "chips": []}


def test_an_amendment_may_drop_the_chips_while_end_users_remain(log: MemoryLedger) -> None:
    log.record(b.measure(chips=["h20"], companies=["amkor"]))
    assert log.decide(b.amendment(chips=[])).data["chips"] == []


def test_amended_coverage_counts_the_amendments_in_force_at_that_time(log: MemoryLedger) -> None:
    log.record(
        b.measure(chips=["h20"]),
        b.amendment(effective_at="2025-05-01", criteria=[{"tpp_min": 4800}]),
        b.amendment(effective_at="2025-06-01", chips=[]),
    )
    assert pointers(log.refusal(b.amendment(effective_at="2025-04-20", chips=[]))) == ["/data"]


def test_amended_coverage_counts_an_earlier_amendment_that_added_criteria(
    log: MemoryLedger,
) -> None:
    log.record(
        b.measure(chips=["h20"]),
        b.amendment(effective_at="2025-05-01", criteria=[{"tpp_min": 4800}]),
    )
    assert log.decide(b.amendment(effective_at="2025-05-02", chips=[])).data["chips"] == []


def test_amended_coverage_ignores_a_retracted_amendment(log: MemoryLedger) -> None:
    _, widened = log.record(
        b.measure(chips=["h20"]),
        b.amendment(effective_at="2025-05-01", criteria=[{"tpp_min": 4800}]),
    )
    log.record(b.retraction(widened.event_id))
    assert pointers(log.refusal(b.amendment(effective_at="2025-06-01", chips=[]))) == ["/data"]


def test_an_amendment_may_not_leave_a_later_amendment_covering_nothing(log: MemoryLedger) -> None:
    log.record(
        b.measure(chips=["h20"]),
        b.amendment(effective_at="2025-05-01", criteria=[{"tpp_min": 4800}]),
        b.amendment(effective_at="2025-06-01", chips=[]),
    )
    assert pointers(log.refusal(b.amendment(effective_at="2025-05-15", criteria=[]))) == ["/data"]


# -- production --------------------------------------------------------------------------


def test_resuming_a_chip_without_an_open_halt_is_refused_at_that_chip(log: MemoryLedger) -> None:
    log.record(b.chip("b30a"), b.halt(chips=["h20"]))
    error = log.refusal(b.resume(chips=["h20", "b30a"]))
    assert pointers(error) == ["/data/chips/1"]
    assert error.detail == "'b30a' has no open halt by this company at 2025-10-01T00:00:00Z"


def test_resuming_one_of_two_halted_chips_is_accepted(log: MemoryLedger) -> None:
    log.record(b.chip("b30a"), b.halt(chips=["h20", "b30a"]))
    assert log.decide(b.resume(chips=["b30a"])).key == "production:nvidia"


def test_resuming_a_chip_twice_is_refused(log: MemoryLedger) -> None:
    log.record(
        b.chip("b30a"),
        b.halt(chips=["h20", "b30a"]),
        b.resume(chips=["b30a"], effective_at="2025-09-01"),
    )
    assert pointers(log.refusal(b.resume(chips=["b30a"]))) == ["/data/chips/0"]


def test_another_companys_halt_does_not_count(log: MemoryLedger) -> None:
    log.record(b.halt("amkor", chips=["h20"]))
    assert pointers(log.refusal(b.resume("nvidia", chips=["h20"]))) == ["/data/chips/0"]


def test_a_resume_effective_before_the_halt_is_refused(log: MemoryLedger) -> None:
    log.record(b.halt(effective_at="2025-08-22"))
    assert pointers(log.refusal(b.resume(effective_at="2025-08-21"))) == ["/data/chips/0"]


def test_a_resume_at_the_halts_instant_is_accepted(log: MemoryLedger) -> None:
    log.record(b.halt(effective_at="2025-08-22"))
    assert log.decide(b.resume(effective_at="2025-08-22")).type == "ProductionResumed"


def test_a_resume_is_checked_at_its_own_time_not_at_the_end_of_the_log(log: MemoryLedger) -> None:
    log.record(b.halt(effective_at="2025-08-22"), b.resume(effective_at="2025-10-01"))
    assert log.decide(b.resume(effective_at="2025-09-01")).effective_at == "2025-09-01T00:00:00Z"


def test_a_retracted_halt_cannot_be_resumed(log: MemoryLedger) -> None:
    [halted] = log.record(b.halt())
    log.record(b.retraction(halted.event_id))
    assert pointers(log.refusal(b.resume())) == ["/data/chips/0"]


def test_a_halt_of_a_halted_chip_is_accepted(log: MemoryLedger) -> None:
    log.record(b.halt(effective_at="2025-08-22"))
    assert log.decide(b.halt(effective_at="2025-08-25", suppliers=["amkor"])).data == {
        "company": "nvidia",
        "chips": ["h20"],
        "suppliers": ["amkor"],
        "reason": None,
    }
