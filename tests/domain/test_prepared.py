"""domain.prepared: a slice arranged once gives the reference fold's answer at every (T, K).

Pure unit tests over hand-built slices whose revisions re-time events, retract them,
reinstate them and correct a chip's specs; plus which criteria measures a chip keeps.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.events import (
    ChipRegistered,
    EventCorrected,
    EventRetracted,
    ExportBanAmended,
    ExportBanImposed,
    LicenseGranted,
    ProductionHalted,
    Recorded,
)
from domain.fold import fold_world
from domain.history import believed_at
from domain.knowledge import Belief, as_written
from domain.prepared import prepare, prepared_world, relevant_criteria
from domain.views import chip_view

BAN = {
    "authority": "BIS",
    "jurisdiction": "US",
    "destinations": ["CN"],
    "chips": [],
    "criteria": [],
    "companies": [],
    "control": "license_required",
}


def _event(
    cls: type[Recorded],
    aggregate: str,
    data: dict[str, Any],
    effective_at: str | None,
    reported_at: str,
) -> Recorded:
    return cls(
        originator_id=uuid.uuid4(),
        originator_version=1,
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        event_id=str(uuid.uuid4()),
        aggregate=aggregate,
        effective_at=effective_at,
        reported_at=reported_at,
        recorded_at="2026-01-01T00:00:00Z",
        recorded_by="test",
        summary="",
        sources=[],
        data=data,
        schema_version=1,
    )


def _corrected(target: Recorded, revision_reported_at: str, **changes: Any) -> Recorded:
    return _event(
        EventCorrected,
        target.aggregate,
        {"event_id": target.event_id, "changes": changes},
        None,
        revision_reported_at,
    )


def _retracted(target: Recorded, reported_at: str) -> Recorded:
    return _event(
        EventRetracted,
        target.aggregate,
        {"event_id": target.event_id, "reason": "error"},
        None,
        reported_at,
    )


def _chip(specs: dict[str, str] | None, reported_at: str = "2025-01-01T00:00:00Z") -> Recorded:
    return _event(
        ChipRegistered,
        "chip:h20",
        {"chip": "h20", "name": "H20", "manufacturer": "nvidia", "specs": specs},
        None,
        reported_at,
    )


def _slice() -> list[Belief]:
    """A chip, three measures, a licence and a halt, with revisions of every kind."""
    chip = _chip({"tpp": "2000"})
    named = _event(
        ExportBanImposed,
        "measure:m1",
        {**BAN, "measure_id": "m1", "chips": ["h20"]},
        "2025-04-09T00:00:00Z",
        "2025-04-15T00:00:00Z",
    )
    amended = _event(
        ExportBanAmended,
        "measure:m1",
        {"measure_id": "m1", "control": "ban"},
        "2025-06-01T00:00:00Z",
        "2025-06-02T00:00:00Z",
    )
    by_criteria = _event(
        ExportBanImposed,
        "measure:m2",
        {**BAN, "measure_id": "m2", "criteria": [{"tpp_min": "4800"}]},
        "2025-03-01T00:00:00Z",
        "2025-03-01T00:00:00Z",
    )
    licence = _event(
        LicenseGranted,
        "license:l1",
        {
            "license_id": "l1",
            "authority": "BIS",
            "jurisdiction": "US",
            "licensee": "nvidia",
            "chips": ["h20"],
            "destinations": ["CN"],
            "expires_at": "2025-12-31",
        },
        "2025-08-11T00:00:00Z",
        "2025-08-12T00:00:00Z",
    )
    halted = _event(
        ProductionHalted,
        "production:nvidia",
        {"company": "nvidia", "chips": ["h20"], "suppliers": ["amkor"]},
        "2025-08-21T00:00:00Z",
        "2025-08-22T00:00:00Z",
    )
    early = _event(
        ExportBanImposed,
        "measure:m3",
        {**BAN, "measure_id": "m3", "chips": ["h20"]},
        "2025-05-01T00:00:00Z",
        "2025-05-01T00:00:00Z",
    )
    late_amendment = _event(
        ExportBanAmended,
        "measure:m3",
        {"measure_id": "m3", "control": "ban"},
        "2025-08-01T00:00:00Z",
        "2025-08-01T00:00:00Z",
    )
    events = [
        chip,
        named,
        amended,
        by_criteria,
        licence,
        halted,
        early,
        late_amendment,
        # moved before its measure's creation: a no-op (an anomaly) from K = 2025-09-10
        _corrected(late_amendment, "2025-09-10T00:00:00Z", effective_at="2025-04-01T00:00:00Z"),
        # the amendment was in fact effective earlier (moves before the licence)...
        _corrected(amended, "2025-07-01T00:00:00Z", effective_at="2025-05-01T00:00:00Z"),
        # ...and later than first thought (moves after it): two moves of one event
        _corrected(amended, "2025-09-01T00:00:00Z", effective_at="2025-09-01T00:00:00Z"),
        # the chip's specs were wrong: it crosses m2's threshold from K = 2025-07-15
        _corrected(
            chip,
            "2025-07-15T00:00:00Z",
            data={"chip": "h20", "name": "H20", "manufacturer": "nvidia", "specs": {"tpp": "5000"}},
        ),
        # the halt is retracted, then reinstated by a correction
        _retracted(halted, "2025-08-25T00:00:00Z"),
        _corrected(halted, "2025-08-28T00:00:00Z", reported_at="2025-08-22T00:00:00Z"),
        # a correction of the licence's report time (an embargo lifted late)
        _corrected(licence, "2025-08-13T00:00:00Z", reported_at="2025-08-20T00:00:00Z"),
    ]
    return [as_written(position, event) for position, event in enumerate(events, start=1)]


def _days(start: str, count: int, step: int) -> list[datetime]:
    first = datetime.fromisoformat(start).replace(tzinfo=UTC)
    return [first + timedelta(days=step * i) for i in range(count)]


@pytest.mark.parametrize("known_at", _days("2025-03-01", 14, 15))
def test_the_prepared_slice_answers_as_the_reference_fold_at_every_t(known_at: datetime) -> None:
    written = _slice()
    prepared = prepare(written)
    beliefs = believed_at(written, known_at, len(written))
    for as_of in _days("2025-02-01", 40, 8):
        want = chip_view(fold_world(beliefs, as_of), "h20")
        assert chip_view(prepared_world(prepared, as_of, known_at), "h20") == want, (
            as_of,
            known_at,
        )


def test_the_prepared_slice_does_not_depend_on_the_order_it_was_given() -> None:
    written = _slice()
    known_at, as_of = datetime(2025, 12, 1, tzinfo=UTC), datetime(2025, 8, 30, tzinfo=UTC)
    forward = chip_view(prepared_world(prepare(written), as_of, known_at), "h20")
    assert chip_view(prepared_world(prepare(reversed(written)), as_of, known_at), "h20") == forward
    assert forward is not None and forward["production"]["status"] == "halted"


def _criteria_measure(
    aggregate: str,
    *criteria: list[dict[str, str]],
    corrected_to: list[dict[str, str]] | None = None,
) -> list[Recorded]:
    measure_id = aggregate.split(":")[1]
    first = _event(
        ExportBanImposed,
        aggregate,
        {**BAN, "measure_id": measure_id, "criteria": criteria[0]},
        "2025-01-01T00:00:00Z",
        "2025-01-01T00:00:00Z",
    )
    events = [first] + [
        _event(
            ExportBanAmended,
            aggregate,
            {"measure_id": measure_id, "criteria": later},
            "2025-02-01T00:00:00Z",
            "2025-02-01T00:00:00Z",
        )
        for later in criteria[1:]
    ]
    if corrected_to is not None:
        events.append(
            _corrected(
                first,
                "2025-03-01T00:00:00Z",
                data={**BAN, "measure_id": measure_id, "criteria": corrected_to},
            )
        )
    return events


def test_a_chip_keeps_only_the_criteria_measures_some_version_of_which_can_cover_it() -> None:
    chip = _chip({"tpp": "3000", "performance_density": "4"})
    respec = _corrected(
        chip,
        "2025-05-01T00:00:00Z",
        data={"chip": "h20", "name": "H20", "manufacturer": "nvidia", "specs": {"tpp": "7000"}},
    )
    never = _criteria_measure(
        "measure:never", [{"tpp_min": "9000"}], [{"hbm_gb_min": "80", "tpp_min": "1000"}]
    )
    amended_in = _criteria_measure("measure:amended", [{"tpp_min": "9000"}], [{"tpp_min": "2400"}])
    corrected_in = _criteria_measure(
        "measure:corrected",
        [{"tpp_min": "9000"}],
        corrected_to=[{"performance_density_min": "3.2"}],
    )
    by_respec = _criteria_measure("measure:respec", [{"tpp_min": "6000"}])
    criteria = [*never, *amended_in, *corrected_in, *by_respec]
    positions = iter(range(1, 100))
    own = [as_written(next(positions), e) for e in (chip, respec)]
    kept = relevant_criteria(own, [as_written(next(positions), e) for e in criteria])
    assert {b.event.aggregate for b in kept} == {
        "measure:amended",
        "measure:corrected",
        "measure:respec",
    }
    # every event of a kept measure comes along (its creator, amendments, corrections)
    assert len([b for b in kept if b.event.aggregate == "measure:corrected"]) == 2


def test_a_chip_with_no_specs_keeps_no_criteria_measure() -> None:
    own = [as_written(1, _chip(None))]
    criteria = [
        as_written(2 + i, e)
        for i, e in enumerate(_criteria_measure("measure:m", [{"tpp_min": "1"}]))
    ]
    assert relevant_criteria(own, criteria) == []


def test_a_measure_already_in_the_chips_own_slice_is_not_added_twice() -> None:
    chip = _chip({"tpp": "5000"})
    both = _criteria_measure("measure:both", [{"tpp_min": "1000"}])
    own = [as_written(1, chip), as_written(2, both[0])]
    assert relevant_criteria(own, [as_written(2, both[0])]) == []
