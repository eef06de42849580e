"""Ownership, tariffs, announcements and the affiliates of a measure in the log (docs/events.md,
"Write rules"): an ownership ends only while recorded at that date, as currently known; a
tariff's and an announcement's changing and ending events name an existing, unretracted id
and respect its creation and its end; a tariff amendment is stored with the fields it sends
and may not leave the tariff covering nothing; a measure keeps affiliates_min_percent only
while it names companies, whether an imposition or an amendment says so.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import DuplicateId, InvalidEvent
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import Body, MemoryLedger, pointers

# -- ownership ---------------------------------------------------------------------------------


def test_an_end_of_an_ownership_never_recorded_is_refused(log: MemoryLedger) -> None:
    log.record(v2.owns("amkor", "nvidia"))  # the other way round is another pair
    error = log.refusal(v2.ownership_ended())
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data/owned"])
    assert error.detail == "no ownership of 'amkor' by 'nvidia' is recorded at 2025-06-01T00:00:00Z"


@pytest.mark.parametrize(
    "effective_at", ["2024-12-31", "2025-06-01", "2025-07-01"], ids=["before", "at", "after"]
)
def test_an_end_outside_a_recorded_ownership_is_refused(
    log: MemoryLedger, effective_at: str
) -> None:
    """Recorded on 2025-01-01 and ended on 2025-06-01: no ownership to end before it was
    recorded, nor at or after its end."""
    log.record(v2.owns(effective_at="2025-01-01"), v2.ownership_ended(effective_at="2025-06-01"))
    error = log.refusal(v2.ownership_ended(effective_at=effective_at))
    assert pointers(error) == ["/data/owned"]


def test_an_ownership_can_end_while_recorded_and_be_recorded_again(log: MemoryLedger) -> None:
    log.record(v2.owns(effective_at="2025-01-01"), v2.ownership_ended(effective_at="2025-06-01"))
    assert log.decide(v2.ownership_ended(effective_at="2025-01-01")).key == "ownership:nvidia:amkor"
    assert log.decide(v2.ownership_ended(effective_at="2025-03-01")).type == "OwnershipEnded"
    log.record(v2.owns(percent=30, effective_at="2025-08-01"))  # a pair is never closed for good
    log.record(v2.ownership_ended(effective_at="2025-09-01"))
    assert log.dossier("ownership:nvidia:amkor").version == 4
    assert log.world("2025-08-15").holdings == {("nvidia", "amkor"): "30"}
    assert log.world("2025-09-01").holdings == {}


def test_a_retracted_record_leaves_nothing_to_end(log: MemoryLedger) -> None:
    [recorded] = log.record(v2.owns())
    log.record(b.retraction(recorded.event_id))
    assert pointers(log.refusal(v2.ownership_ended())) == ["/data/owned"]


def test_a_record_moved_later_by_a_correction_counts_from_its_new_date(log: MemoryLedger) -> None:
    [recorded] = log.record(v2.owns(effective_at="2025-01-01"))
    log.record(b.correction(recorded.event_id, effective_at="2025-07-01"))
    assert pointers(log.refusal(v2.ownership_ended(effective_at="2025-06-01"))) == ["/data/owned"]
    assert log.decide(v2.ownership_ended(effective_at="2025-07-01")).type == "OwnershipEnded"


def test_owners_holding_more_than_100_percent_together_are_kept_as_given(
    log: MemoryLedger,
) -> None:
    """Stakes come one by one from sources that may disagree: nothing adds them up."""
    log.record(
        b.company("foxconn"), v2.owns("nvidia", "amkor", 60), v2.owns("foxconn", "amkor", 60)
    )
    assert log.world("2025-02-01").holdings == {
        ("nvidia", "amkor"): "60",
        ("foxconn", "amkor"): "60",
    }


# -- tariffs and announcements -----------------------------------------------------------------

OBJECTS: dict[str, tuple[Callable[..., Body], list[Callable[..., Body]], str]] = {
    "tariff": (v2.tariff, [v2.tariff_amended, v2.tariff_lifted], "tariff_id"),
    "announcement": (v2.announced, [v2.announcement_withdrawn], "announcement_id"),
}
LIFECYCLE = [
    (kind, follower) for kind, (_, followers, _) in OBJECTS.items() for follower in followers
]
IDS = [f"{kind}:{follower.__name__}" for kind, follower in LIFECYCLE]


@pytest.mark.parametrize("kind", OBJECTS)
def test_a_tariff_or_announcement_id_is_created_once(log: MemoryLedger, kind: str) -> None:
    create, _, id_field = OBJECTS[kind]
    [created] = log.record(create())
    log.record(b.retraction(created.event_id))  # ids are never freed
    error = log.refusal(create(effective_at="2026-03-01"))
    assert (type(error), pointers(error)) == (DuplicateId, [f"/data/{id_field}"])


@pytest.mark.parametrize(("kind", "follower"), LIFECYCLE, ids=IDS)
def test_a_change_of_an_unknown_id_is_refused(
    log: MemoryLedger, kind: str, follower: Callable[..., Body]
) -> None:
    log.record(b.measure(v2.ANNOUNCEMENT), b.measure(v2.TARIFF))  # measures of those ids
    error = log.refusal(follower())
    _, _, id_field = OBJECTS[kind]
    assert (type(error), pointers(error)) == (InvalidEvent, [f"/data/{id_field}"])
    assert error.detail.startswith(f"unknown {kind} ")


@pytest.mark.parametrize(("kind", "follower"), LIFECYCLE, ids=IDS)
def test_a_change_before_the_creation_is_refused(
    log: MemoryLedger, kind: str, follower: Callable[..., Body]
) -> None:
    create, _, _ = OBJECTS[kind]
    log.record(create(effective_at="2026-01-15"))
    error = log.refusal(follower(effective_at="2026-01-14"))
    assert pointers(error) == ["/effective_at"]
    assert error.detail.startswith(f"takes effect before {kind} ")
    assert log.decide(follower(effective_at="2026-01-15")).type == follower()["type"]


@pytest.mark.parametrize(("kind", "follower"), LIFECYCLE, ids=IDS)
def test_a_change_after_the_end_is_refused(
    log: MemoryLedger, kind: str, follower: Callable[..., Body]
) -> None:
    """An amendment at or after the end is refused at its date; a second ending at any
    date, at its type."""
    create, followers, _ = OBJECTS[kind]
    end = followers[-1]
    log.record(create(effective_at="2026-01-15"), end(effective_at="2026-06-01"))
    for effective_at in ("2026-06-01", "2026-07-01"):
        error = log.refusal(follower(effective_at=effective_at))
        assert pointers(error) == (["/type"] if follower is end else ["/effective_at"])
    if follower is end:
        assert pointers(log.refusal(follower(effective_at="2026-02-01"))) == ["/type"]
    else:
        assert log.decide(follower(effective_at="2026-05-31")).type == "TariffAmended"


@pytest.mark.parametrize(("kind", "follower"), LIFECYCLE, ids=IDS)
def test_a_change_of_a_retracted_creation_is_refused(
    log: MemoryLedger, kind: str, follower: Callable[..., Body]
) -> None:
    create, _, id_field = OBJECTS[kind]
    [created] = log.record(create(effective_at="2026-01-15"))
    log.record(b.retraction(created.event_id))
    error = log.refusal(follower(effective_at="2026-02-01"))
    assert pointers(error) == [f"/data/{id_field}"]
    assert error.detail.endswith("was retracted: record it anew under a new id")


def test_a_tariff_amendment_changes_only_what_it_sends(log: MemoryLedger) -> None:
    log.record(v2.tariff(destinations=["CN"], basis="Section 232"))
    log.record(v2.tariff_amended(rate_percent=30, effective_at="2026-02-01"))
    [duty] = log.chip("h20", "2026-02-01")["duties"]
    assert (duty["rate_percent"], duty["destinations"], duty["basis"]) == (
        "30",
        ["CN"],
        "Section 232",
    )
    log.record(v2.tariff_amended(basis=None, effective_at="2026-03-01"))
    [duty] = log.chip("h20", "2026-03-01")["duties"]
    assert (duty["rate_percent"], duty["basis"]) == ("30", None)


def test_a_tariff_amendment_may_not_leave_it_covering_nothing(log: MemoryLedger) -> None:
    log.record(v2.tariff(chips=["h20"]))
    error = log.refusal(v2.tariff_amended(chips=[]))
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data"])
    assert error.detail == "the tariff would cover nothing: keep at least one of chips, criteria"
    log.record(v2.tariff_amended(criteria=[{"tpp_min": 4800}], effective_at="2026-02-01"))
    # criteria given by an earlier amendment count; not before it
    assert log.decide(v2.tariff_amended(chips=[], effective_at="2026-03-01")).data["chips"] == []
    assert pointers(log.refusal(v2.tariff_amended(chips=[], effective_at="2026-01-20"))) == [
        "/data"
    ]


# -- a measure's affiliates ---------------------------------------------------------------------


def test_an_amendment_giving_affiliates_to_a_measure_naming_no_company_is_refused(
    log: MemoryLedger,
) -> None:
    log.record(b.measure())  # the H20, no companies
    error = log.refusal(b.amendment(affiliates_min_percent=50))
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data/affiliates_min_percent"])
    assert error.detail == (
        "affiliates_min_percent extends named end users: the measure would name no companies "
        "with affiliates_min_percent from 2025-05-01T00:00:00Z (name companies, or set "
        "affiliates_min_percent to null)"
    )
    both = log.decide(b.amendment(companies=["amkor"], affiliates_min_percent=50)).data
    assert both == {
        "measure_id": v2.MEASURE,
        "companies": ["amkor"],
        "affiliates_min_percent": "50",
    }


def test_an_amendment_removing_the_companies_of_affiliates_is_refused(log: MemoryLedger) -> None:
    log.record(b.measure(companies=["amkor"], affiliates_min_percent=50))
    assert pointers(log.refusal(b.amendment(companies=[]))) == ["/data/companies"]
    cleared = b.amendment(companies=[], affiliates_min_percent=None)
    assert log.decide(cleared).data["affiliates_min_percent"] is None


def test_affiliates_are_checked_against_earlier_and_later_amendments(log: MemoryLedger) -> None:
    """Affiliates given on 2025-06-01: emptying the companies before then leaves them
    without companies from 2025-06-01; after then, from its own date."""
    log.record(b.measure(companies=["amkor"]))
    log.record(b.amendment(affiliates_min_percent=50, effective_at="2025-06-01"))
    early = log.refusal(b.amendment(companies=[], effective_at="2025-05-01"))
    assert pointers(early) == ["/data/companies"]
    assert "from 2025-06-01T00:00:00Z" in early.detail
    late = log.refusal(b.amendment(companies=[], effective_at="2025-07-01"))
    assert "from 2025-07-01T00:00:00Z" in late.detail
    cleared = b.amendment(companies=[], affiliates_min_percent=None, effective_at="2025-07-01")
    assert log.decide(cleared).type == "ExportBanAmended"


def test_an_amendment_not_touching_companies_or_affiliates_is_not_held_to_it(
    log: MemoryLedger,
) -> None:
    log.record(b.measure(companies=["amkor"], affiliates_min_percent=50))
    assert log.decide(b.amendment(control="ban")).data == {
        "measure_id": v2.MEASURE,
        "control": "ban",
    }
