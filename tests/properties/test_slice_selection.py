"""The narrow paths of slice selection, pinned: each is reachable by the properties of
tests/properties/test_served_equals_fold.py, but only now and then; here each is one example,
its served state checked against the reference fold over the whole log.
"""

from __future__ import annotations

from typing import Any

from domain.clocks import DateRole, parse_instant
from domain.events import Recorded
from projections.state_queries import Reading
from services.bootstrap import Container
from services.read.pit import Coordinates
from services.write.parsing import parse_envelope
from services.write.recording import Item
from tests.properties.reference_fold import WholeLog, expected
from tests.support import builders as b
from tests.support.clock import FakeClock

END_OF_2025 = parse_instant("2025-12-31", DateRole.END)


def _append(container: Container, body: dict[str, Any]) -> Recorded:
    return container.writer.append([Item(parse_envelope(body))], "test").items[0].event


def _state(
    container: Container, kind: str, subject: str, at: Coordinates | None = None
) -> dict[str, Any] | None:
    """The served state, after checking it against the reference over the whole log."""
    container.catch_up()
    at = at or Coordinates(END_OF_2025, container.clock(), container.log.head())
    with Reading(container.engine) as db:
        served = container.pit.state(db, kind, subject, at)
    assert served == expected(kind, subject, WholeLog.of(container), at)
    return served


def test_a_correction_that_adds_criteria_brings_the_measure_into_other_chips_slices(
    container: Container, clock: FakeClock
) -> None:
    for body in (b.company("nvidia"), b.chip("h20", specs={"tpp": 4800}), b.chip("b30a")):
        _append(container, body)
    imposed = _append(container, b.measure("m1", chips=["b30a"]))
    assert _state(container, "chip", "h20")["export"] == {}  # type: ignore[index]
    clock.advance(days=1)
    _append(
        container,
        b.correction(imposed.event_id, data={**imposed.data, "criteria": [{"tpp_min": 4000}]}),
    )
    export = _state(container, "chip", "h20")["export"]  # type: ignore[index]
    assert export["CN"]["matched_by"] == {"m1": {"by": "criteria", "index": 0}}


def test_a_correction_naming_another_chip_brings_the_measure_into_its_slice(
    container: Container, clock: FakeClock
) -> None:
    for body in (b.company("nvidia"), b.chip("h20"), b.chip("b30a")):
        _append(container, body)
    imposed = _append(container, b.measure("m1", chips=["h20"]))
    container.catch_up()  # the correction's target is then found in the stored views
    before = container.log.head()
    clock.advance(days=1)
    _append(container, b.correction(imposed.event_id, data={**imposed.data, "chips": ["b30a"]}))
    assert _state(container, "chip", "b30a")["export"]["CN"]["measures"] == ["m1"]  # type: ignore[index]
    assert _state(container, "chip", "h20")["export"] == {}  # type: ignore[index]
    earlier = Coordinates(END_OF_2025, clock.now, before)
    assert _state(container, "chip", "b30a", earlier)["export"] == {}  # type: ignore[index]


def test_a_spec_correction_brings_a_chip_under_existing_criteria(
    container: Container, clock: FakeClock
) -> None:
    registered = [
        _append(container, body)
        for body in (b.company("nvidia"), b.chip("h20", specs={"tpp": 1000}))
    ][1]
    _append(container, b.measure("m1", chips=[], criteria=[{"tpp_min": 4800}], control="ban"))
    assert _state(container, "chip", "h20")["export"] == {}  # type: ignore[index]
    clock.advance(days=1)
    _append(
        container,
        b.correction(registered.event_id, data={**registered.data, "specs": {"tpp": 6000}}),
    )
    assert _state(container, "chip", "h20")["export"]["CN"]["status"] == "banned"  # type: ignore[index]


def test_a_manufacturer_correction_moves_the_chip_to_the_other_company_from_its_report(
    container: Container, clock: FakeClock
) -> None:
    registered = [
        _append(container, body)
        for body in (b.company("nvidia"), b.company("amd"), b.chip("x1", manufacturer="nvidia"))
    ][2]
    container.catch_up()
    before = clock.now
    clock.advance(days=1)
    _append(
        container,
        b.correction(registered.event_id, data={**registered.data, "manufacturer": "amd"}),
    )
    assert _state(container, "company", "amd")["chips"] == ["x1"]  # type: ignore[index]
    assert _state(container, "company", "nvidia")["chips"] == []  # type: ignore[index]
    known_before = Coordinates(END_OF_2025, before, container.log.head())
    assert _state(container, "company", "amd", known_before)["chips"] == []  # type: ignore[index]
