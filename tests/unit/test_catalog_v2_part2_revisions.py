"""Revisions of catalog v2 part 2 (docs/events.md, "Revisions"): every new type can be corrected
and retracted and counts in its object's version; identity fields (application_id,
tariff_id, announcement_id, and an ownership's owner and owned) cannot be corrected, other
fields can (an ownership's percent); a replacement is checked as its type, with its
references (under /data/changes/data).
"""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import InvalidEvent
from domain.events import Recorded
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import MemoryLedger, assert_revisable, pointers


@pytest.fixture
def part2(log: MemoryLedger) -> dict[str, Recorded]:
    """An application withdrawn, an ownership recorded and ended, a tariff amended and lifted
    and an announcement withdrawn: the stored events by type."""
    log.record(b.company("foxconn"))
    stored = log.record(
        v2.applied(),
        v2.application_withdrawn(),
        v2.owns(),
        v2.ownership_ended(),
        v2.tariff(),
        v2.tariff_amended(),
        v2.tariff_lifted(),
        v2.announced(),
        v2.announcement_withdrawn(),
    )
    return {event.type: event for event in stored}


VERSIONS = {
    f"application:{v2.APPLICATION}": 2,
    "ownership:nvidia:amkor": 2,
    f"tariff:{v2.TARIFF}": 3,
    f"announcement:{v2.ANNOUNCEMENT}": 2,
}


def test_every_part2_type_can_be_corrected_and_retracted(
    log: MemoryLedger, part2: dict[str, Recorded]
) -> None:
    assert_revisable(log, part2.values(), reported_at="2026-08-01")
    assert {key: log.dossier(key).version for key in VERSIONS} == VERSIONS
    for event in part2.values():
        log.record(b.correction(event.event_id, reported_at="2026-08-01"))
    assert {key: log.dossier(key).version for key in VERSIONS} == {
        key: version * 2 for key, version in VERSIONS.items()
    }


IDENTITY: list[tuple[str, dict[str, Any], str]] = [
    ("LicenseApplied", v2.applied("other")["data"], "application_id"),
    ("LicenseApplicationWithdrawn", {"application_id": "other"}, "application_id"),
    ("OwnershipRecorded", v2.owns("foxconn", "amkor")["data"], "owner"),
    ("OwnershipRecorded", v2.owns("nvidia", "foxconn")["data"], "owned"),
    ("OwnershipEnded", {"owner": "amkor", "owned": "nvidia"}, "owner"),
    ("OwnershipEnded", {"owner": "nvidia", "owned": "foxconn"}, "owned"),
    ("TariffImposed", v2.tariff("other")["data"], "tariff_id"),
    ("TariffAmended", {"tariff_id": "other", "rate_percent": 5}, "tariff_id"),
    ("TariffLifted", {"tariff_id": "other"}, "tariff_id"),
    ("PolicyAnnounced", v2.announced("other")["data"], "announcement_id"),
    ("PolicyAnnouncementWithdrawn", {"announcement_id": "other"}, "announcement_id"),
]


@pytest.mark.parametrize(
    ("kind", "data", "field"), IDENTITY, ids=[f"{k}.{f}" for k, _, f in IDENTITY]
)
def test_an_identity_field_cannot_be_corrected(
    log: MemoryLedger, part2: dict[str, Recorded], kind: str, data: dict[str, Any], field: str
) -> None:
    log.record(v2.applied("other"), v2.tariff("other"), v2.announced("other"))  # they exist
    error = log.refusal(b.correction(part2[kind].event_id, data=data))
    assert (type(error), pointers(error)) == (InvalidEvent, [f"/data/changes/data/{field}"])
    assert error.detail == (
        f"{field} identifies the object and cannot be corrected: "
        "retract the event and record it anew"
    )


def test_an_ownerships_percent_can_be_corrected(
    log: MemoryLedger, part2: dict[str, Recorded]
) -> None:
    recorded = part2["OwnershipRecorded"].event_id
    [corrected] = log.record(b.correction(recorded, data=v2.owns(percent="25.50")["data"]))
    assert corrected.data["changes"]["data"] == {
        "owner": "nvidia",
        "owned": "amkor",
        "percent": "25.5",
    }
    assert log.world("2025-03-01").holdings == {("nvidia", "amkor"): "25.5"}


def test_a_corrected_percent_moves_the_affiliates(log: MemoryLedger) -> None:
    """60 % reaches a measure's affiliates at 50 %; corrected to 40 %, it no longer does."""
    [recorded] = log.record(v2.owns(percent=60))
    log.record(b.measure("el", chips=[], companies=["nvidia"], affiliates_min_percent=50))
    restricted = log.company("amkor", "2025-05-01")["export_restrictions"]
    assert [r["via"] for r in restricted] == [{"owners": ["nvidia"], "percent": "60"}]
    log.record(b.correction(recorded.event_id, data=v2.owns(percent=40)["data"]))
    assert log.company("amkor", "2025-05-01")["export_restrictions"] == []


def test_a_corrected_tariff_amendment_keeps_only_what_it_sends(
    log: MemoryLedger, part2: dict[str, Recorded]
) -> None:
    amended = part2["TariffAmended"].event_id
    replacement = {"tariff_id": v2.TARIFF, "origins": ["TW"]}
    [corrected] = log.record(b.correction(amended, data=replacement))
    assert corrected.data["changes"]["data"] == replacement
    world = log.world("2026-03-01")
    fields = world.objects[f"tariff:{v2.TARIFF}"].fields
    assert (fields["rate_percent"], fields["origins"]) == ("25", ["TW"])  # the rate as imposed


@pytest.mark.parametrize(
    ("kind", "data", "pointer"),
    [
        ("OwnershipRecorded", v2.owns(percent=0)["data"], "/data/changes/data/percent"),
        (
            "OwnershipRecorded",
            {"owner": "nvidia", "owned": "nvidia", "percent": 5},
            "/data/changes/data/owned",
        ),
        ("TariffImposed", v2.tariff(chips=[])["data"], "/data/changes/data"),
        ("TariffImposed", v2.tariff(rate_percent=1001)["data"], "/data/changes/data/rate_percent"),
        ("TariffAmended", {"tariff_id": v2.TARIFF}, "/data/changes/data"),
        (
            "PolicyAnnounced",
            v2.announced(destinations=["group:ear-d5"])["data"],
            "/data/changes/data/destinations/0",
        ),
        ("LicenseApplied", v2.applied(chips=[])["data"], "/data/changes/data/chips"),
    ],
)
def test_a_replacement_is_checked_as_its_type(
    log: MemoryLedger,
    part2: dict[str, Recorded],
    kind: str,
    data: dict[str, Any],
    pointer: str,
) -> None:
    error = log.refusal(b.correction(part2[kind].event_id, data=data))
    assert (error.detail, pointers(error)) == (
        f"data.changes.data is not a valid {kind} payload",
        [pointer],
    )


def test_a_replacement_names_only_known_ids(log: MemoryLedger, part2: dict[str, Recorded]) -> None:
    tariff = v2.tariff(destinations=["group:ear-d9"], implements=["us-nowhere"])["data"]
    error = log.refusal(b.correction(part2["TariffImposed"].event_id, data=tariff))
    assert pointers(error) == [
        "/data/changes/data/destinations/0",
        "/data/changes/data/implements/0",
    ]
    [granted] = log.record(b.license_granted())
    grant = b.license_granted(application_id="app-9", end_users=["ghost"])["data"]
    error = log.refusal(b.correction(granted.event_id, data=grant))
    assert pointers(error) == [
        "/data/changes/data/end_users/0",
        "/data/changes/data/application_id",
    ]
    error = log.refusal(
        b.correction(
            part2["PolicyAnnounced"].event_id, data=v2.announced(companies=["ghost"])["data"]
        )
    )
    assert pointers(error) == ["/data/changes/data/companies/0"]


def test_a_retracted_grant_leaves_its_application_pending(log: MemoryLedger) -> None:
    log.record(v2.applied())
    [granted] = log.record(b.license_granted(application_id=v2.APPLICATION))
    assert log.company("nvidia", "2025-08-20")["applications"] == []
    log.record(b.retraction(granted.event_id))
    [pending] = log.company("nvidia", "2025-08-20")["applications"]
    assert (pending["application_id"], pending["status"]) == (v2.APPLICATION, "pending")
