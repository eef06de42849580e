"""domain.knowledge: what was believed at a knowledge time K (docs/state.md, "What was known").

Pure unit tests: events are built from domain.events classes directly, no database.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from domain.events import (
    ChipRegistered,
    EventCorrected,
    EventRetracted,
    ExportBanImposed,
    Recorded,
)
from domain.knowledge import Belief, all_beliefs, visible

MEASURE = {
    "measure_id": "m1",
    "authority": "BIS",
    "jurisdiction": "US",
    "destinations": ["CN"],
    "chips": ["h20"],
    "criteria": [],
    "companies": [],
    "control": "ban",
}


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def record(
    cls: type[Recorded],
    data: dict[str, Any],
    *,
    effective_at: str | None,
    reported_at: str,
    version: int = 1,
    event_id: str | None = None,
) -> Recorded:
    return cls(
        originator_id=uuid.uuid4(),
        originator_version=version,
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        event_id=event_id or str(uuid.uuid4()),
        aggregate="measure:m1",
        effective_at=effective_at,
        reported_at=reported_at,
        recorded_at="2026-01-01T00:00:00Z",
        recorded_by="test",
        summary="",
        sources=[],
        data=data,
        schema_version=1,
    )


def imposed(
    effective_at: str = "2025-04-09T00:00:00Z",
    reported_at: str = "2025-04-09T00:00:00Z",
    **data: Any,
) -> Recorded:
    return record(
        ExportBanImposed, {**MEASURE, **data}, effective_at=effective_at, reported_at=reported_at
    )


def corrected(target: Recorded, revision_reported_at: str, **changes: Any) -> Recorded:
    return record(
        EventCorrected,
        {"event_id": target.event_id, "changes": changes},
        effective_at=None,
        reported_at=revision_reported_at,
    )


def retracted(target: Recorded, reported_at: str) -> Recorded:
    return record(
        EventRetracted,
        {"event_id": target.event_id, "reason": "error"},
        effective_at=None,
        reported_at=reported_at,
    )


def only(beliefs: list[Belief]) -> Belief:
    assert len(beliefs) == 1, beliefs
    return beliefs[0]


def test_an_unrevised_event_is_believed_as_stored() -> None:
    base = imposed()
    belief = only(all_beliefs([(1, base)]))
    assert belief.event is base and belief.position == 1 and not belief.retracted
    assert belief.effective_at == at("2025-04-09") and belief.reported_at == at("2025-04-09")
    assert belief.data == base.data


def test_revisions_are_not_beliefs_of_their_own() -> None:
    base = imposed()
    beliefs = all_beliefs(
        [
            (1, base),
            (2, corrected(base, "2025-05-01T00:00:00Z", effective_at="2025-04-10T00:00:00Z")),
        ]
    )
    assert [b.event.event_id for b in beliefs] == [base.event_id]


def test_a_correction_replaces_only_the_fields_it_names() -> None:
    base = imposed()
    belief = only(
        all_beliefs(
            [
                (1, base),
                (2, corrected(base, "2025-05-01T00:00:00Z", effective_at="2025-04-10T00:00:00Z")),
            ]
        )
    )
    assert belief.effective_at == at("2025-04-10")
    assert belief.data == base.data


def test_correcting_effective_at_does_not_move_reported_at() -> None:
    base = imposed(effective_at="2025-04-09T00:00:00Z", reported_at="2025-04-01T00:00:00Z")
    belief = only(
        all_beliefs(
            [
                (1, base),
                (2, corrected(base, "2025-05-01T00:00:00Z", effective_at="2025-03-01T00:00:00Z")),
            ]
        )
    )
    assert belief.reported_at == at("2025-04-01")


def test_a_data_correction_replaces_the_whole_payload() -> None:
    base = imposed()
    new_data = {**MEASURE, "chips": ["b30a"], "control": "license_required"}
    belief = only(
        all_beliefs([(1, base), (2, corrected(base, "2025-05-01T00:00:00Z", data=new_data))])
    )
    assert belief.data == new_data
    assert belief.effective_at == at("2025-04-09")


def test_corrections_accumulate_field_by_field() -> None:
    base = imposed()
    new_data = {**MEASURE, "chips": ["b30a"]}
    beliefs = all_beliefs(
        [
            (1, base),
            (2, corrected(base, "2025-05-01T00:00:00Z", effective_at="2025-04-10T00:00:00Z")),
            (3, corrected(base, "2025-05-02T00:00:00Z", data=new_data)),
        ]
    )
    belief = only(beliefs)
    assert belief.effective_at == at("2025-04-10") and belief.data == new_data


def test_revisions_apply_in_reported_order_not_stored_order() -> None:
    base = imposed()
    later_report = corrected(base, "2025-06-01T00:00:00Z", effective_at="2025-04-20T00:00:00Z")
    earlier_report = corrected(base, "2025-05-01T00:00:00Z", effective_at="2025-04-10T00:00:00Z")
    belief = only(all_beliefs([(1, base), (2, later_report), (3, earlier_report)]))
    assert belief.effective_at == at("2025-04-20")


def test_revisions_reported_at_the_same_instant_apply_in_position_order() -> None:
    base = imposed()
    first = corrected(base, "2025-05-01T00:00:00Z", effective_at="2025-04-20T00:00:00Z")
    second = corrected(base, "2025-05-01T00:00:00Z", effective_at="2025-04-10T00:00:00Z")
    belief = only(all_beliefs([(1, base), (3, second), (2, first)]))
    assert belief.effective_at == at("2025-04-10")


def test_a_retraction_marks_the_event_retracted() -> None:
    base = imposed()
    belief = only(all_beliefs([(1, base), (2, retracted(base, "2025-05-01T00:00:00Z"))]))
    assert belief.retracted


def test_a_later_correction_reinstates_a_retracted_event() -> None:
    base = imposed()
    belief = only(
        all_beliefs(
            [
                (1, base),
                (2, retracted(base, "2025-05-01T00:00:00Z")),
                (3, corrected(base, "2025-06-01T00:00:00Z", effective_at="2025-04-10T00:00:00Z")),
            ]
        )
    )
    assert not belief.retracted and belief.effective_at == at("2025-04-10")


def test_a_correction_reported_before_a_retraction_does_not_reinstate_it() -> None:
    base = imposed()
    belief = only(
        all_beliefs(
            [
                (1, base),
                (2, retracted(base, "2025-06-01T00:00:00Z")),
                (3, corrected(base, "2025-05-01T00:00:00Z", effective_at="2025-04-10T00:00:00Z")),
            ]
        )
    )
    assert belief.retracted


def test_revisions_reported_after_known_at_are_not_applied() -> None:
    base = imposed()
    events = [
        (1, base),
        (2, corrected(base, "2025-06-01T00:00:00Z", effective_at="2025-04-10T00:00:00Z")),
    ]
    assert only(all_beliefs(events, at("2025-05-31"))).effective_at == at("2025-04-09")
    assert only(all_beliefs(events, at("2025-06-01"))).effective_at == at("2025-04-10")


def test_a_retraction_reported_after_known_at_leaves_the_event_visible() -> None:
    base = imposed()
    events = [(1, base), (2, retracted(base, "2025-06-01T00:00:00Z"))]
    assert [b.event for b in visible(all_beliefs(events, at("2025-05-31")), at("2025-05-31"))] == [
        base
    ]
    assert visible(all_beliefs(events, at("2025-06-01")), at("2025-06-01")) == []


def test_without_known_at_every_revision_applies() -> None:
    base = imposed()
    events = [(1, base), (2, retracted(base, "2099-01-01T00:00:00Z"))]
    assert only(all_beliefs(events)).retracted


def test_visible_drops_retracted_events() -> None:
    kept, dropped = imposed(measure_id="m1"), imposed(measure_id="m2")
    beliefs = all_beliefs(
        [(1, kept), (2, dropped), (3, retracted(dropped, "2025-05-01T00:00:00Z"))]
    )
    assert [b.event for b in visible(beliefs)] == [kept]


def test_visible_hides_an_event_reported_after_known_at() -> None:
    embargoed = imposed(reported_at="2025-07-01T00:00:00Z")
    beliefs = all_beliefs([(1, embargoed)], at("2025-06-30"))
    assert only(beliefs).event is embargoed  # believed, but not yet public
    assert visible(beliefs, at("2025-06-30")) == []
    assert [b.event for b in visible(beliefs, at("2025-07-01"))] == [embargoed]


def test_visible_keeps_registry_events_whatever_their_reported_at() -> None:
    chip = record(
        ChipRegistered,
        {"chip": "h20", "name": "H20", "manufacturer": "nvidia"},
        effective_at=None,
        reported_at="2026-01-01T00:00:00Z",
    )
    assert [b.event for b in visible(all_beliefs([(1, chip)]), at("2025-01-01"))] == [chip]


def test_visibility_uses_the_corrected_reported_at() -> None:
    base = imposed(reported_at="2025-07-01T00:00:00Z")
    earlier = corrected(base, "2025-05-01T00:00:00Z", reported_at="2025-04-01T00:00:00Z")
    known = at("2025-05-15")
    assert [b.event for b in visible(all_beliefs([(1, base), (2, earlier)], known), known)] == [
        base
    ]


def test_a_correction_can_embargo_an_event_again() -> None:
    base = imposed(reported_at="2025-04-01T00:00:00Z")
    later = corrected(base, "2025-05-01T00:00:00Z", reported_at="2025-09-01T00:00:00Z")
    known = at("2025-06-01")
    assert visible(all_beliefs([(1, base), (2, later)], known), known) == []


def test_a_revision_of_an_unknown_event_is_ignored() -> None:
    base, absent = imposed(), imposed(measure_id="m9")
    belief = only(all_beliefs([(1, base), (2, retracted(absent, "2025-05-01T00:00:00Z"))]))
    assert not belief.retracted


def test_beliefs_come_back_in_position_order() -> None:
    first, second, third = imposed(measure_id="a"), imposed(measure_id="b"), imposed(measure_id="c")
    beliefs = all_beliefs([(7, third), (2, first), (5, second)])
    assert [b.position for b in beliefs] == [2, 5, 7]
    assert [b.event for b in beliefs] == [first, second, third]
