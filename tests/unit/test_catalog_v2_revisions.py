"""Revisions of catalog v2's events (docs/events.md, "Revisions"): every new type can be
corrected and retracted and counts in its object's version; identity fields (group_id, a
suspension's or reinstatement's measure_id) cannot be corrected; a replacement is checked as
its type (its errors under /data/changes/data), with its references and its own dates in
order — a compliance date not before the imposition, a suspension's end after its start.
"""

from __future__ import annotations

import pytest

from domain.errors import InvalidEvent
from domain.events import Recorded
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import MemoryLedger, assert_revisable, pointers


@pytest.fixture
def v2_log(log: MemoryLedger) -> dict[str, Recorded]:
    """The group ear-d5 amended, the H20's measure imposed with a compliance date, suspended
    until 2025-07-01 and reinstated: the stored events by type."""
    stored = log.record(
        v2.group(),
        v2.group_amended(),
        b.measure(compliance_at="2025-05-01"),
        v2.suspension(effective_at="2025-06-01", until="2025-06-30"),
        v2.reinstatement(effective_at="2025-06-15"),
    )
    return {event.type: event for event in stored}


def test_every_new_type_can_be_corrected_and_retracted(
    log: MemoryLedger, v2_log: dict[str, Recorded]
) -> None:
    assert_revisable(log, v2_log.values(), reported_at="2025-08-01")
    log.record(b.retraction(v2_log["ExportBanSuspended"].event_id))
    log.record(b.correction(v2_log["DestinationGroupAmended"].event_id, effective_at="2025-03-01"))
    assert log.dossier("measure:bis-2025-04-h20").version == 4
    assert log.dossier("group:ear-d5").version == 3


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("DestinationGroupDefined", v2.group("ear-d1")["data"], "group_id"),
        ("DestinationGroupAmended", {"group_id": "ear-d1", "add": ["RU"]}, "group_id"),
        ("ExportBanSuspended", {"measure_id": "other", "reason": "talks"}, "measure_id"),
        ("ExportBanReinstated", {"measure_id": "other"}, "measure_id"),
    ],
)
def test_an_identity_field_cannot_be_corrected(
    log: MemoryLedger, v2_log: dict[str, Recorded], kind: str, data: dict[str, object], field: str
) -> None:
    log.record(v2.group("ear-d1"), b.measure("other"))  # the new ids exist: still refused
    error = log.refusal(b.correction(v2_log[kind].event_id, data=data))
    assert (type(error), pointers(error)) == (InvalidEvent, [f"/data/changes/data/{field}"])
    assert error.detail == (
        f"{field} identifies the object and cannot be corrected: "
        "retract the event and record it anew"
    )


def test_a_groups_members_can_be_corrected(log: MemoryLedger, v2_log: dict[str, Recorded]) -> None:
    replacement = v2.group(members=["KP", "CN"])["data"]
    defined = v2_log["DestinationGroupDefined"].event_id
    [corrected] = log.record(b.correction(defined, data=replacement))
    assert corrected.data["changes"]["data"]["members"] == ["KP", "CN"]
    # members as of 2025-03-01: the corrected definition, then the amendment's add of RU
    group = log.world("2025-03-01").objects["group:ear-d5"]
    assert group.fields["members"] == ["CN", "KP", "RU"]


@pytest.mark.parametrize(
    ("kind", "data", "pointer"),
    [
        (
            "DestinationGroupAmended",
            {"group_id": "ear-d5", "add": ["RU"], "remove": ["RU"]},
            "/data/changes/data/remove/0",
        ),
        ("DestinationGroupAmended", {"group_id": "ear-d5"}, "/data/changes/data"),
        (
            "DestinationGroupDefined",
            {**v2.group()["data"], "members": ["group:ear-d5"]},
            "/data/changes/data/members/0",
        ),
        (
            "ExportBanImposed",
            {**b.measure()["data"], "exceptions": [{"exception_id": "a", "conditions": "x"}] * 2},
            "/data/changes/data/exceptions/1",
        ),
        (
            "ExportBanImposed",
            {**b.measure()["data"], "control": "ban", "review_policy": "case_by_case"},
            "/data/changes/data/review_policy",
        ),
        ("ExportBanSuspended", {"measure_id": "bis-2025-04-h20"}, "/data/changes/data/reason"),
    ],
)
def test_a_replacement_is_checked_as_its_type(
    log: MemoryLedger, v2_log: dict[str, Recorded], kind: str, data: dict[str, object], pointer: str
) -> None:
    error = log.refusal(b.correction(v2_log[kind].event_id, data=data))
    assert (error.detail, pointers(error)) == (
        f"data.changes.data is not a valid {kind} payload",
        [pointer],
    )


def test_a_replacement_names_only_known_groups_and_chips(
    log: MemoryLedger, v2_log: dict[str, Recorded]
) -> None:
    replacement = {
        **b.measure()["data"],
        "destinations": ["group:ear-d9"],
        "exceptions": [{"exception_id": "nac", "chips": ["h30"], "conditions": "notify"}],
    }
    error = log.refusal(b.correction(v2_log["ExportBanImposed"].event_id, data=replacement))
    assert pointers(error) == [
        "/data/changes/data/destinations/0",
        "/data/changes/data/exceptions/0/chips/0",
    ]


def test_a_corrected_compliance_date_is_not_before_the_imposition(
    log: MemoryLedger, v2_log: dict[str, Recorded]
) -> None:
    imposed = v2_log["ExportBanImposed"].event_id
    early = {**b.measure()["data"], "compliance_at": "2025-04-01"}
    error = log.refusal(b.correction(imposed, data=early))
    assert pointers(error) == ["/data/changes/data/compliance_at"]
    assert error.detail == "compliance_at is before the measure takes effect (2025-04-09T00:00:00Z)"
    # moving the imposition past its compliance date (2025-05-01) is the same fault
    moved = log.refusal(b.correction(imposed, effective_at="2025-05-02"))
    assert pointers(moved) == ["/data/changes/effective_at"]
    both = b.correction(imposed, effective_at="2025-05-02", data=early)
    assert pointers(log.refusal(both)) == ["/data/changes/data/compliance_at"]
    assert log.decide(b.correction(imposed, effective_at="2025-05-01")).type == "EventCorrected"


def test_an_amendments_corrected_compliance_date_is_not_before_the_imposition(
    log: MemoryLedger, v2_log: dict[str, Recorded]
) -> None:
    [amended] = log.record(b.amendment(compliance_at="2025-05-10"))
    data = {"measure_id": "bis-2025-04-h20", "compliance_at": "2025-04-08"}
    error = log.refusal(b.correction(amended.event_id, data=data))
    assert pointers(error) == ["/data/changes/data/compliance_at"]


def test_a_corrected_suspension_still_ends_after_it_begins(
    log: MemoryLedger, v2_log: dict[str, Recorded]
) -> None:
    suspended = v2_log["ExportBanSuspended"].event_id  # 2025-06-01 until 2025-07-01
    short = {"measure_id": "bis-2025-04-h20", "reason": "talks", "until": "2025-05-15"}
    error = log.refusal(b.correction(suspended, data=short))
    assert pointers(error) == ["/data/changes/data/until"]
    assert error.detail == "until must be after the suspension takes effect (2025-06-01T00:00:00Z)"
    late = log.refusal(b.correction(suspended, effective_at="2025-07-01"))
    assert pointers(late) == ["/data/changes/effective_at"]
    assert log.decide(b.correction(suspended, effective_at="2025-05-15", data=short)).data
    open_ended = {"measure_id": "bis-2025-04-h20", "reason": "talks"}
    assert log.decide(b.correction(suspended, effective_at="2025-08-01", data=open_ended)).data
