"""projections.slice_cache: a subject's slice held in process stays what the log says.

A held slice is extended as the log grows (new events of its aggregates, and aggregates
that join it later with their older events), and still answers reads at an earlier P
exactly. Each answer is compared with a fresh cache's, which reads everything at once.
"""

from __future__ import annotations

from projections.slice_cache import CRITERIA, SliceCache
from projections.state_queries import Reading
from services.bootstrap import Container
from services.write.parsing import parse_envelope
from services.write.writer import Item
from tests.support import builders as b


def _append(container: Container, *bodies: dict) -> list[int]:  # type: ignore[type-arg]
    result = container.writer.append(
        [Item(parse_envelope(body)) for body in bodies], "t", batch=True
    )
    container.catch_up()
    return [item.position for item in result.items]


def _fresh(container: Container, subject: str, position: int) -> tuple[int, ...]:
    with Reading(container.engine) as db:
        return SliceCache().positions(db, subject, position)


def test_a_held_slice_grows_with_the_log_and_still_answers_earlier_positions(
    container: Container,
) -> None:
    held = SliceCache()
    _append(container, b.company(), b.company("amkor"), b.chip(), b.chip("b30a"))
    # a measure that does not name h20 yet: in no slice of h20
    [other] = _append(container, b.measure("m-later", chips=["b30a"]))
    [first_p] = _append(container, b.measure("m-h20"))
    with Reading(container.engine) as db:
        early = held.positions(db, "chip:h20", first_p)
    assert other not in early and first_p in early

    # an amendment names h20: the measure joins the slice with its creator, at that position
    [joined] = _append(container, b.amendment("m-later", chips=["b30a", "h20"]))
    [licence] = _append(container, b.license_granted())
    with Reading(container.engine) as db:
        grown = held.positions(db, "chip:h20", licence)
        again_early = held.positions(db, "chip:h20", first_p)
        before_join = held.positions(db, "chip:h20", joined - 1)
    assert {other, joined, licence} <= set(grown)
    assert grown == _fresh(container, "chip:h20", licence)
    assert again_early == early == _fresh(container, "chip:h20", first_p)
    assert other not in before_join and before_join == _fresh(container, "chip:h20", joined - 1)


def test_the_criteria_entry_gains_a_measure_when_a_correction_adds_criteria(
    container: Container,
) -> None:
    held = SliceCache()
    _append(container, b.company(), b.chip())
    [plain] = _append(container, b.measure("m-plain", chips=["h20"]))
    with Reading(container.engine) as db:
        assert held.positions(db, CRITERIA, plain) == ()
    [fixed] = _append(
        container,
        b.correction(
            _event_id_at(container, plain),
            data={**b.measure("m-plain")["data"], "chips": [], "criteria": [{"tpp_min": "4800"}]},
        ),
    )
    with Reading(container.engine) as db:
        criteria = held.positions(db, CRITERIA, fixed)
    assert criteria == (plain, fixed) == _fresh(container, CRITERIA, fixed)


def _event_id_at(container: Container, position: int) -> str:
    from sqlalchemy import select

    with Reading(container.engine) as db:
        e = db.tables.event
        return str(db.conn.execute(select(e.c.event_id).where(e.c.position == position)).scalar())
