"""`decide` on revisions (docs/events.md, "Revisions"): what a correction or a retraction may
target and change — base events only, registry events corrected but never retracted,
identity fields never, a replacement `data` as strict as the original — and the aggregate it
joins. The rules of tests/domain/test_write_rules_revisions.py, against an in-memory log.
"""

from __future__ import annotations

import pytest

from domain.errors import InvalidEvent
from tests.domain.write_api import with_
from tests.support import builders as b
from tests.unit.memory_ledger import Body, MemoryLedger, event_id, pointers

UNKNOWN = event_id(999)


# -- the target --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b.correction(UNKNOWN, effective_at="2025-04-10"), b.retraction(UNKNOWN)],
    ids=["correction", "retraction"],
)
def test_a_revision_of_an_unknown_event_is_refused(log: MemoryLedger, body: Body) -> None:
    error = log.refusal(body)
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data/event_id"])
    assert error.detail == f"unknown event {UNKNOWN}"


@pytest.mark.parametrize("second", ["correction", "retraction"])
@pytest.mark.parametrize("first", ["correction", "retraction"])
def test_a_revision_of_a_revision_is_refused(log: MemoryLedger, first: str, second: str) -> None:
    [imposed] = log.record(b.measure())
    [revision] = log.record(_revision(first, imposed.event_id))
    error = log.refusal(_revision(second, revision.event_id))
    assert pointers(error) == ["/data/event_id"]
    assert error.detail == "a revision cannot be revised: revise the original event"


def _revision(kind: str, target: str) -> Body:
    return (
        b.correction(target, effective_at="2025-04-10")
        if kind == "correction"
        else b.retraction(target)
    )


@pytest.mark.parametrize("position", [1, 3], ids=["company", "chip"])
def test_a_registry_event_cannot_be_retracted(log: MemoryLedger, position: int) -> None:
    error = log.refusal(b.retraction(event_id(position)))
    assert pointers(error) == ["/data/event_id"]
    assert error.detail.endswith("cannot be retracted (ids are never freed): correct it instead")


def test_a_registry_event_can_be_corrected(log: MemoryLedger) -> None:
    h20 = log.events[1]
    decision = log.decide(
        b.correction(h20.event_id, data={**h20.data, "specs": {"tpp": 2368, "hbm_gb": "96.0"}})
    )
    assert decision.key == "chip:h20"
    assert decision.data["changes"]["data"]["specs"] == {"tpp": "2368", "hbm_gb": "96"}


def test_a_revision_joins_its_targets_aggregate(log: MemoryLedger) -> None:
    [granted] = log.record(b.license_granted())
    assert log.decide(b.retraction(granted.event_id)).key == "license:nvidia-h20-cn-2025"


def test_a_revision_takes_the_next_version_of_its_targets_aggregate(log: MemoryLedger) -> None:
    imposed, amended = log.record(b.measure(), b.amendment())
    fix, withdrawn = log.record(
        b.correction(imposed.event_id, effective_at="2025-04-10"), b.retraction(amended.event_id)
    )
    assert [e.originator_version for e in (imposed, amended, fix, withdrawn)] == [1, 2, 3, 4]


# -- what a correction may change ---------------------------------------------------------


def test_a_correction_stores_only_the_changes_it_sends(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    decision = log.decide(b.correction(imposed.event_id, effective_at="2025-04-10"))
    assert decision.data == {
        "event_id": imposed.event_id,
        "changes": {"effective_at": "2025-04-10T00:00:00Z"},
    }


def test_a_correction_may_not_make_a_chip_succeed_itself(log: MemoryLedger) -> None:
    [b30a] = log.record(b.chip("b30a", successor_of="h20"))
    error = log.refusal(b.correction(b30a.event_id, data={**b30a.data, "successor_of": "b30a"}))
    assert pointers(error) == ["/data/changes/data/successor_of"]


IDENTITIES: dict[str, tuple[Body, str, str]] = {
    "measure_id": (b.measure(), "measure_id", "bis-other"),
    "license_id": (b.license_granted(), "license_id", "other-license"),
    "application_id": (b.license_denied(), "application_id", "app-2"),
    "agreement_id": (b.revenue_share(), "agreement_id", "other-deal"),
    "advisory_id": (b.advisory(), "advisory_id", "other-advice"),
    "case_id": (b.investigation(), "case_id", "other-case"),
    "chip": (b.chip("b30a"), "chip", "h20"),
    "company": (b.company("foxconn"), "company", "amkor"),
    "halt's company": (b.halt(), "company", "amkor"),
}


@pytest.mark.parametrize(("created", "field", "value"), IDENTITIES.values(), ids=IDENTITIES.keys())
def test_an_identity_field_cannot_be_corrected(
    log: MemoryLedger, created: Body, field: str, value: str
) -> None:
    [target] = log.record(created)
    error = log.refusal(b.correction(target.event_id, data={**target.data, field: value}))
    assert pointers(error) == [f"/data/changes/data/{field}"]
    assert error.detail == (
        f"{field} identifies the object and cannot be corrected: "
        "retract the event and record it anew"
    )


def test_a_resumes_company_cannot_be_corrected(log: MemoryLedger) -> None:
    log.record(b.halt("amkor"), b.halt("nvidia"))
    [resumed] = log.record(b.resume("nvidia"))
    error = log.refusal(b.correction(resumed.event_id, data={**resumed.data, "company": "amkor"}))
    assert pointers(error) == ["/data/changes/data/company"]


def test_a_corrected_payload_is_validated_as_its_targets_type(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    error = log.refusal(
        b.correction(imposed.event_id, data={**imposed.data, "destinations": ["CN", "UK"]})
    )
    assert pointers(error) == ["/data/changes/data/destinations/1"]
    assert error.detail == "data.changes.data is not a valid ExportBanImposed payload"


def test_a_corrected_payload_must_be_complete(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    data = {k: v for k, v in imposed.data.items() if k != "authority"}
    assert pointers(log.refusal(b.correction(imposed.event_id, data=data))) == [
        "/data/changes/data/authority"
    ]


def test_a_corrected_payload_refuses_unknown_fields(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    error = log.refusal(b.correction(imposed.event_id, data={**imposed.data, "chip_id": "h20"}))
    assert pointers(error) == ["/data/changes/data/chip_id"]


def test_a_corrected_payload_is_as_strict_as_the_original(log: MemoryLedger) -> None:
    [chip] = log.record(b.chip("b30a"))
    error = log.refusal(b.correction(chip.event_id, data={**chip.data, "name": 1.5}))
    assert pointers(error) == ["/data/changes/data/name"]


def test_a_corrected_payload_may_only_name_registered_ids(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    error = log.refusal(
        b.correction(imposed.event_id, data={**imposed.data, "chips": ["h20", "ghost"]})
    )
    assert pointers(error) == ["/data/changes/data/chips/1"]


def test_a_corrected_payload_is_stored_normalised(log: MemoryLedger) -> None:
    [deal] = log.record(b.revenue_share())
    decision = log.decide(b.correction(deal.event_id, data={**deal.data, "percent": "12.50"}))
    assert decision.data["changes"]["data"]["percent"] == "12.5"


@pytest.mark.parametrize("clock", ["effective_at", "reported_at"])
def test_a_correction_cannot_remove_a_clock(log: MemoryLedger, clock: str) -> None:
    [imposed] = log.record(b.measure())
    error = log.refusal(b.correction(imposed.event_id, **{clock: None}))
    assert pointers(error) == [f"/data/changes/{clock}"]
    assert error.detail == f"{clock} cannot be removed"


def test_a_revision_has_no_effective_at_of_its_own(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    error = log.refusal(with_(b.retraction(imposed.event_id), effective_at="2025-05-01"))
    assert pointers(error) == ["/effective_at"]


# -- corrections and lifecycle order -------------------------------------------------------


def test_a_correction_is_not_held_to_lifecycle_order(log: MemoryLedger) -> None:
    imposed, _ = log.record(
        b.measure(effective_at="2025-04-09"), b.amendment(effective_at="2025-05-01")
    )
    decision = log.decide(b.correction(imposed.event_id, effective_at="2025-06-01"))
    assert decision.data["changes"] == {"effective_at": "2025-06-01T00:00:00Z"}


def test_a_correction_reported_after_a_retraction_reinstates_the_event(log: MemoryLedger) -> None:
    [imposed] = log.record(b.measure())
    log.record(
        with_(b.retraction(imposed.event_id), reported_at="2025-05-01"),
        with_(b.correction(imposed.event_id, effective_at="2025-04-10"), reported_at="2025-06-01"),
    )
    assert log.decide(b.amendment()).type == "ExportBanAmended"  # the measure lives again


def test_a_correction_reported_before_a_retraction_does_not_reinstate_it(log: MemoryLedger) -> None:
    # (reported_at, position) order, not log order: the correction is stored last but
    # says it was known before the retraction.
    [imposed] = log.record(b.measure())
    log.record(
        with_(b.retraction(imposed.event_id), reported_at="2025-06-01"),
        with_(b.correction(imposed.event_id, effective_at="2025-04-10"), reported_at="2025-05-01"),
    )
    assert pointers(log.refusal(b.amendment())) == ["/data/measure_id"]
