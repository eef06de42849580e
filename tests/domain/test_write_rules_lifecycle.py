"""Write rules of an object's life (docs/events.md, "Write rules"): lifecycle events need a live creator of
their own kind, come after it and before its end; amendments keep a measure covering
something; a resume needs an open halt of that company and chip.
"""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem

# -- lifecycle ---------------------------------------------------------------------------

LIFECYCLE = {
    "ExportBanAmended": (b.amendment("ghost"), "/data/measure_id"),
    "ExportBanLifted": (b.lift("ghost"), "/data/measure_id"),
    "LicenseRevoked": (b.license_revoked("ghost"), "/data/license_id"),
    "RevenueShareEnded": (b.revenue_share_ended("ghost"), "/data/agreement_id"),
    "AdvisoryWithdrawn": (b.advisory_withdrawn("ghost"), "/data/advisory_id"),
    "InvestigationConcluded": (b.investigation_concluded("ghost"), "/data/case_id"),
}


def test_a_lifecycle_event_of_an_unknown_id_is_refused(
    registered: Api, subtests: pytest.Subtests
) -> None:
    for event_type, (body, pointer) in LIFECYCLE.items():
        with subtests.test(event_type):
            assert_problem(registered.post(body), 422, "invalid-event", pointer=pointer)


def test_a_lifecycle_event_must_name_an_id_of_its_own_kind(registered: Api) -> None:
    registered.given(b.measure("shared-2025"))
    response = registered.post(b.license_revoked("shared-2025"))
    assert_problem(response, 422, "invalid-event", pointer="/data/license_id")


def test_a_lifecycle_event_before_its_creator_is_refused(registered: Api) -> None:
    registered.given(b.measure(effective_at="2025-04-09"))
    response = registered.post(b.amendment(effective_at="2025-04-08T23:59:59Z"))
    assert_problem(response, 422, "invalid-event", pointer="/effective_at")


def test_a_lifecycle_event_at_the_creators_time_is_accepted(registered: Api) -> None:
    registered.given(
        b.measure(effective_at="2025-04-09"), b.amendment(effective_at="2025-04-09T00:00:00Z")
    )


def test_a_lifecycle_event_is_checked_against_the_creators_corrected_time(registered: Api) -> None:
    [imposed] = registered.given(b.measure(effective_at="2025-04-09"))
    registered.given(b.correction(imposed["id"], effective_at="2025-04-20"))
    response = registered.post(b.amendment(effective_at="2025-04-15"))
    assert_problem(response, 422, "invalid-event", pointer="/effective_at")


def test_a_lifecycle_event_at_a_terminal_events_time_is_refused(registered: Api) -> None:
    registered.given(b.measure(), b.lift(effective_at="2025-12-01"))
    response = registered.post(b.amendment(effective_at="2025-12-01"))
    assert_problem(response, 422, "invalid-event", pointer="/effective_at")


def test_a_lifecycle_event_after_a_terminal_event_is_refused(registered: Api) -> None:
    registered.given(b.measure(), b.lift(effective_at="2025-12-01"))
    response = registered.post(b.amendment(effective_at="2025-12-02"))
    assert_problem(response, 422, "invalid-event", pointer="/effective_at")


def test_a_lifecycle_event_before_a_stored_terminal_event_is_accepted(registered: Api) -> None:
    registered.given(
        b.measure(), b.lift(effective_at="2025-12-01"), b.amendment(effective_at="2025-11-30")
    )


def test_a_second_terminal_event_is_refused(registered: Api, subtests: pytest.Subtests) -> None:
    registered.given(
        b.measure(),
        b.lift(effective_at="2025-12-01"),
        b.license_granted(),
        b.license_revoked(effective_at="2025-10-01"),
    )
    for name, body in (
        ("earlier lift", b.lift(effective_at="2025-11-01", reason="superseded")),
        ("later revocation", b.license_revoked(effective_at="2025-10-02")),
    ):
        with subtests.test(name):
            assert_problem(registered.post(body), 422, "invalid-event", pointer="/type")


def test_a_retracted_terminal_event_no_longer_ends_the_object(registered: Api) -> None:
    _, lifted = registered.given(b.measure(), b.lift(effective_at="2025-12-01"))
    registered.given(b.retraction(lifted["id"]), b.amendment(effective_at="2025-12-02"))


def test_a_lifecycle_event_of_a_retracted_creation_is_refused(registered: Api) -> None:
    [granted] = registered.given(b.license_granted())
    registered.given(b.retraction(granted["id"]))
    response = registered.post(b.license_revoked())
    assert_problem(response, 422, "invalid-event", pointer="/data/license_id")


def test_an_amendment_may_not_leave_a_measure_covering_nothing(registered: Api) -> None:
    registered.given(b.measure(chips=["h20"]))
    response = registered.post(b.amendment(chips=[]))
    assert_problem(response, 422, "invalid-event", pointer="/data")


def test_an_amendment_may_drop_the_chips_while_criteria_remain(registered: Api) -> None:
    registered.given(b.measure(chips=["h20"], criteria=[{"tpp_min": 4800}]), b.amendment(chips=[]))


def test_amended_coverage_counts_the_amendments_in_force_at_that_time(registered: Api) -> None:
    registered.given(
        b.measure(chips=["h20"]),
        b.amendment(effective_at="2025-05-01", criteria=[{"tpp_min": 4800}]),
        b.amendment(effective_at="2025-06-01", chips=[]),
    )
    response = registered.post(b.amendment(effective_at="2025-04-20", chips=[]))
    assert_problem(response, 422, "invalid-event", pointer="/data")


def test_an_amendment_without_a_change_is_refused(registered: Api) -> None:
    registered.given(b.measure())
    body = b.envelope("ExportBanAmended", {"measure_id": "bis-2025-04-h20"}, "2025-05-01")
    assert_problem(registered.post(body), 422, "validation-error", pointer="/data")


# -- production --------------------------------------------------------------------------


def test_resuming_a_chip_without_an_open_halt_is_refused_at_that_chip(registered: Api) -> None:
    registered.given(b.chip("b30a"), b.halt(chips=["h20"]))
    response = registered.post(b.resume(chips=["h20", "b30a"]))
    assert_problem(response, 422, "invalid-event", pointer="/data/chips/1")


def test_resuming_one_of_two_halted_chips_is_accepted(registered: Api) -> None:
    registered.given(
        b.chip("b30a"),
        b.halt(chips=["h20", "b30a"]),
        b.resume(chips=["b30a"], effective_at="2025-09-01"),
    )


def test_resuming_a_chip_twice_is_refused(registered: Api) -> None:
    registered.given(
        b.chip("b30a"),
        b.halt(chips=["h20", "b30a"]),
        b.resume(chips=["b30a"], effective_at="2025-09-01"),
    )
    response = registered.post(b.resume(chips=["b30a"], effective_at="2025-10-01"))
    assert_problem(response, 422, "invalid-event", pointer="/data/chips/0")


def test_another_companys_halt_does_not_count(registered: Api) -> None:
    registered.given(b.halt("amkor", chips=["h20"]))
    response = registered.post(b.resume("nvidia", chips=["h20"]))
    assert_problem(response, 422, "invalid-event", pointer="/data/chips/0")


def test_a_resume_effective_before_the_halt_is_refused(registered: Api) -> None:
    registered.given(b.halt(effective_at="2025-08-22"))
    response = registered.post(b.resume(effective_at="2025-08-21"))
    assert_problem(response, 422, "invalid-event", pointer="/data/chips/0")


def test_a_retracted_halt_cannot_be_resumed(registered: Api) -> None:
    [halted] = registered.given(b.halt())
    registered.given(b.retraction(halted["id"]))
    assert_problem(registered.post(b.resume()), 422, "invalid-event", pointer="/data/chips/0")
