"""Catalog v2's objects in the log (docs/events.md, "Write rules", "Revisions"): a group is
created once and changed only while it exists; a suspension or reinstatement names a live
measure and respects its imposition and its lift; an amendment may not leave a ban with a
review policy, nor a compliance date before the imposition; revisions work on every new type
and keep the same rules. The payload refusals are in test_catalog_v2_rules.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import DuplicateId, InvalidEvent
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import Body, MemoryLedger, pointers

# -- groups --------------------------------------------------------------------------------------


def test_a_group_defined_twice_is_a_duplicate(log: MemoryLedger) -> None:
    log.record(v2.group())
    error = log.refusal(v2.group(members=["RU"], effective_at="2025-03-01"))
    assert (type(error), pointers(error)) == (DuplicateId, ["/data/group_id"])
    assert error.detail == "group 'ear-d5' already exists (ids are never reused)"


def test_a_retracted_group_keeps_its_id(log: MemoryLedger) -> None:
    [defined] = log.record(v2.group())
    log.record(b.retraction(defined.event_id))
    assert type(log.refusal(v2.group())) is DuplicateId


def test_an_amendment_of_an_unknown_group_is_refused(log: MemoryLedger) -> None:
    log.record(b.measure("ear-d5"))  # a measure of that id is no group
    error = log.refusal(v2.group_amended("ear-d5"))
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data/group_id"])
    assert error.detail == "unknown group 'ear-d5'"


def test_an_amendment_before_the_groups_definition_is_refused(log: MemoryLedger) -> None:
    log.record(v2.group(effective_at="2025-01-01"))
    error = log.refusal(v2.group_amended(effective_at="2024-12-31"))
    assert pointers(error) == ["/effective_at"]
    assert error.detail == ("takes effect before group 'ear-d5' was created (2025-01-01T00:00:00Z)")
    assert log.decide(v2.group_amended(effective_at="2025-01-01")).key == "group:ear-d5"


def test_an_amendment_of_a_retracted_group_is_refused(log: MemoryLedger) -> None:
    [defined] = log.record(v2.group())
    log.record(b.retraction(defined.event_id))
    assert pointers(log.refusal(v2.group_amended())) == ["/data/group_id"]


def test_a_retracted_group_can_no_longer_be_named(log: MemoryLedger) -> None:
    [defined] = log.record(v2.group())
    [imposed] = log.record(b.measure("m1", destinations=["group:ear-d5"]))
    log.record(b.retraction(defined.event_id))
    error = log.refusal(b.measure("m2", destinations=["CN", "group:ear-d5"]))
    assert pointers(error) == ["/data/destinations/1"]
    replacement = {**b.measure("m1")["data"], "except_destinations": ["group:ear-d5"]}
    error = log.refusal(b.correction(imposed.event_id, data=replacement))
    assert pointers(error) == ["/data/changes/data/except_destinations/0"]


def test_a_group_reinstated_by_a_correction_can_be_named_again(log: MemoryLedger) -> None:
    [defined] = log.record(v2.group())
    log.record(b.retraction(defined.event_id))
    log.record(b.correction(defined.event_id, effective_at="2025-01-02"))
    assert log.decide(b.measure(destinations=["group:ear-d5"])).type == "ExportBanImposed"


def test_a_group_defined_later_in_valid_time_may_be_named(log: MemoryLedger) -> None:
    """Defined at an earlier position is the rule, not earlier in valid time: until its
    definition takes effect the group stands for no destination."""
    log.record(v2.group(effective_at="2026-01-01"))
    assert log.decide(b.measure(destinations=["group:ear-d5"])).key == "measure:bis-2025-04-h20"


# -- suspensions and reinstatements ----------------------------------------------------------------

MEASURE_LIFECYCLE = {
    "ExportBanSuspended": v2.suspension,
    "ExportBanReinstated": v2.reinstatement,
}


@pytest.mark.parametrize("build", MEASURE_LIFECYCLE.values(), ids=MEASURE_LIFECYCLE.keys())
def test_a_suspension_or_reinstatement_of_an_unknown_measure_is_refused(
    log: MemoryLedger, build: Callable[..., Body]
) -> None:
    log.record(v2.group("bis-2025-04-h20"))  # a group of that id is no measure
    error = log.refusal(build())
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data/measure_id"])
    assert error.detail == "unknown measure 'bis-2025-04-h20'"


@pytest.mark.parametrize("build", MEASURE_LIFECYCLE.values(), ids=MEASURE_LIFECYCLE.keys())
@pytest.mark.parametrize(
    ("effective_at", "detail"),
    [
        ("2025-04-08", "takes effect before measure 'bis-2025-04-h20' was created"),
        ("2025-12-01", "takes effect at or after measure 'bis-2025-04-h20' ended"),
        ("2026-01-01", "takes effect at or after measure 'bis-2025-04-h20' ended"),
    ],
)
def test_a_suspension_or_reinstatement_outside_the_measures_life_is_refused(
    log: MemoryLedger, build: Callable[..., Body], effective_at: str, detail: str
) -> None:
    log.record(b.measure(effective_at="2025-04-09"), b.lift(effective_at="2025-12-01"))
    error = log.refusal(build(effective_at=effective_at))
    assert pointers(error) == ["/effective_at"]
    assert error.detail.startswith(detail)


def test_a_suspension_of_a_retracted_measure_is_refused(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    log.record(b.retraction(imposed.event_id))
    assert pointers(log.refusal(v2.suspension())) == ["/data/measure_id"]


@pytest.mark.parametrize("until", ["2025-05-31", "2025-06-01T00:00:00Z", "2025-05-01"])
def test_a_suspension_must_end_after_it_begins(log: MemoryLedger, until: str) -> None:
    log.record(b.measure())
    error = log.refusal(v2.suspension(effective_at="2025-06-01", until=until))
    assert pointers(error) == ["/data/until"]
    assert error.detail == (
        "until must be after the suspension takes effect (2025-06-01T00:00:00Z)"
    )


def test_a_suspension_may_end_at_the_first_instant_after_it_begins(log: MemoryLedger) -> None:
    log.record(b.measure())
    body = v2.suspension(effective_at="2025-06-01", until="2025-06-01T00:00:01Z")
    assert log.decide(body).data["until"] == "2025-06-01T00:00:01Z"


def test_suspensions_and_reinstatements_follow_each_other_freely(log: MemoryLedger) -> None:
    """A second suspension while one runs, and a reinstatement of a measure not suspended,
    are accepted (the fold makes sense of them); the measure's version counts them."""
    log.record(b.measure(), v2.reinstatement(effective_at="2025-05-01"))
    log.record(v2.suspension(effective_at="2025-06-01"), v2.suspension(effective_at="2025-06-10"))
    log.record(v2.reinstatement(effective_at="2025-06-20"), b.lift(effective_at="2025-07-01"))
    assert log.dossier("measure:bis-2025-04-h20").version == 6


# -- amendments: review policy and compliance date -----------------------------------------------


def test_an_amendment_giving_a_policy_under_a_ban_is_refused(log: MemoryLedger) -> None:
    log.record(b.measure(control="ban"))
    error = log.refusal(b.amendment(review_policy="case_by_case"))
    assert pointers(error) == ["/data/review_policy"]
    assert error.detail.startswith(
        "a review policy applies to licence applications: the measure's control would be ban "
        "with a review policy from 2025-05-01T00:00:00Z"
    )
    both = b.amendment(control="ban", review_policy="case_by_case")
    assert pointers(log.refusal(both)) == ["/data/review_policy"]


def test_an_amendment_banning_a_measure_with_a_policy_is_refused(log: MemoryLedger) -> None:
    log.record(b.measure(review_policy="presumption_of_denial"))
    assert pointers(log.refusal(b.amendment(control="ban"))) == ["/data/control"]
    cleared = log.decide(b.amendment(control="ban", review_policy=None))
    assert cleared.data == {
        "measure_id": "bis-2025-04-h20",
        "control": "ban",
        "review_policy": None,
    }


def test_a_policy_given_by_an_earlier_amendment_counts(log: MemoryLedger) -> None:
    log.record(b.measure(), b.amendment(review_policy="case_by_case", effective_at="2025-05-01"))
    assert pointers(log.refusal(b.amendment(control="ban", effective_at="2025-06-01"))) == [
        "/data/control"
    ]
    # before the policy was given, a ban leaves no policy under it... until 2025-05-01
    error = log.refusal(b.amendment(control="ban", effective_at="2025-04-20"))
    assert "from 2025-05-01T00:00:00Z" in error.detail


def test_a_later_amendment_that_bans_forbids_an_earlier_policy(log: MemoryLedger) -> None:
    log.record(b.measure(), b.amendment(control="ban", effective_at="2025-08-01"))
    error = log.refusal(b.amendment(review_policy="case_by_case", effective_at="2025-05-01"))
    assert pointers(error) == ["/data/review_policy"]
    assert "from 2025-08-01T00:00:00Z" in error.detail


def test_an_amendment_not_touching_control_or_policy_is_not_held_to_it(
    log: MemoryLedger,
) -> None:
    """A correction is not held to the rule (as to coverage): once one has left a ban with a
    policy, an amendment of other fields is accepted, one of the control is not."""
    [_, amended] = log.record(b.measure(review_policy="case_by_case"), b.amendment(chips=["h20"]))
    ban = {"measure_id": "bis-2025-04-h20", "control": "ban"}
    log.record(b.correction(amended.event_id, data=ban))
    later = {"effective_at": "2025-06-01"}
    assert log.decide(b.amendment(chips=["h20"], **later)).type == "ExportBanAmended"
    assert pointers(log.refusal(b.amendment(control="ban", **later))) == ["/data/control"]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (b.measure(effective_at="2025-04-09", compliance_at="2025-04-08"), "/data/compliance_at"),
        (b.amendment(compliance_at="2025-04-08T23:59:59Z"), "/data/compliance_at"),
    ],
    ids=["imposition", "amendment"],
)
def test_a_compliance_date_before_the_imposition_is_refused(
    log: MemoryLedger, body: Body, pointer: str
) -> None:
    if body["type"] == "ExportBanAmended":
        log.record(b.measure(effective_at="2025-04-09"))
    error = log.refusal(body)
    assert pointers(error) == [pointer]
    assert error.detail == (
        "compliance_at is before the measure takes effect (2025-04-09T00:00:00Z)"
    )


def test_a_compliance_date_at_the_imposition_is_accepted(log: MemoryLedger) -> None:
    body = b.measure(effective_at="2025-04-09", compliance_at="2025-04-09T00:00:00Z")
    log.record(body)
    assert log.decide(b.amendment(compliance_at="2025-04-09")).type == "ExportBanAmended"
