"""Catalog v2 part 2's references (docs/events.md, "Write rules": every id an event names is
known at an earlier position): the groups a tariff names, the announcements a measure,
licence, agreement or tariff implements, the application a licence grants, and the
companies and chips of applications, ownership, licences and announcements. An unknown one
is refused with a problem at its entry; every unknown one is listed.
"""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import InvalidEvent
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import Body, MemoryLedger, pointers


@pytest.fixture
def known(log: MemoryLedger) -> MemoryLedger:
    """nvidia, amkor, the H20 (1-3), the group ear-d5 (4) and the announcement (5)."""
    log.record(v2.group(), v2.announced())
    return log


# -- references -------------------------------------------------------------------------------

UNKNOWN: dict[str, tuple[Body, str, str]] = {
    "a tariff's destinations": (
        v2.tariff(destinations=["CN", "group:ear-d9"]),
        "/data/destinations/1",
        "unknown group 'ear-d9': define it first with DestinationGroupDefined",
    ),
    "a measure's implements": (
        b.measure(implements=[v2.ANNOUNCEMENT, "us-nowhere"]),
        "/data/implements/1",
        "unknown announcement 'us-nowhere': record it first",
    ),
    "a grant's implements": (
        b.license_granted(implements=["us-nowhere"]),
        "/data/implements/0",
        "unknown announcement 'us-nowhere': record it first",
    ),
    "an agreement's implements": (
        b.revenue_share(implements=["us-nowhere"]),
        "/data/implements/0",
        "unknown announcement 'us-nowhere': record it first",
    ),
    "a tariff's implements": (
        v2.tariff(implements=["us-nowhere"]),
        "/data/implements/0",
        "unknown announcement 'us-nowhere': record it first",
    ),
    "a grant's application": (
        b.license_granted(application_id="app-nowhere"),
        "/data/application_id",
        "unknown application 'app-nowhere': record it first",
    ),
    "a grant's end users": (
        b.license_granted(end_users=["amkor", "ghost"]),
        "/data/end_users/1",
        "unknown company 'ghost': register it first with CompanyRegistered",
    ),
    "an owner": (
        v2.owns("ghost", "amkor"),
        "/data/owner",
        "unknown company 'ghost': register it first with CompanyRegistered",
    ),
    "an owned company": (
        v2.owns("nvidia", "ghost"),
        "/data/owned",
        "unknown company 'ghost': register it first with CompanyRegistered",
    ),
    "an application's licensee": (
        v2.applied(licensee="ghost"),
        "/data/licensee",
        "unknown company 'ghost': register it first with CompanyRegistered",
    ),
    "an application's chips": (
        v2.applied(chips=["h20", "h30"]),
        "/data/chips/1",
        "unknown chip 'h30': register it first with ChipRegistered",
    ),
    "an announcement's companies": (
        v2.announced(companies=["ghost"]),
        "/data/companies/0",
        "unknown company 'ghost': register it first with CompanyRegistered",
    ),
}


@pytest.mark.parametrize(("body", "pointer", "detail"), UNKNOWN.values(), ids=UNKNOWN.keys())
def test_an_unknown_reference_is_refused_at_its_entry(
    known: MemoryLedger, body: Body, pointer: str, detail: str
) -> None:
    error = known.refusal(body)
    assert (type(error), pointers(error), error.detail) == (InvalidEvent, [pointer], detail)


def test_references_of_an_amendment_are_checked(known: MemoryLedger) -> None:
    known.record(b.measure(), v2.tariff())
    error = known.refusal(b.amendment(implements=["us-nowhere"]))
    assert pointers(error) == ["/data/implements/0"]
    error = known.refusal(v2.tariff_amended(destinations=["group:ear-d9"], chips=["h30"]))
    assert pointers(error) == ["/data/chips/0", "/data/destinations/0"]


def test_an_announcement_is_named_by_its_own_namespace(log: MemoryLedger) -> None:
    log.record(v2.tariff("us-2025-12-08"))  # a tariff, not an announcement, of that id
    assert pointers(log.refusal(b.revenue_share(implements=["us-2025-12-08"]))) == [
        "/data/implements/0"
    ]


def test_every_name_an_event_gives_must_be_known(log: MemoryLedger) -> None:
    body: dict[str, Any] = b.license_granted(
        licensee="ghost", end_users=["ghost-2"], implements=["a-1"], application_id="app-9"
    )
    assert pointers(log.refusal(body)) == [
        "/data/licensee",
        "/data/end_users/0",
        "/data/implements/0",
        "/data/application_id",
    ]


def test_an_announcement_already_withdrawn_may_be_implemented(known: MemoryLedger) -> None:
    known.record(v2.announcement_withdrawn(effective_at="2026-01-01"))
    decided = known.decide(v2.tariff(implements=[v2.ANNOUNCEMENT]))
    assert decided.data["implements"] == [v2.ANNOUNCEMENT]
