"""The served export check (docs/checks.md, "How it is served"): no read model of its own.

It folds, with `domain.prepared`, the union of the chip's slice as chip state folds it
(services/read/slices.py, `domain.prepared.relevant_criteria`), the part of the exporter's
slice it reads and, with an end user, the part of theirs; and apart, for `unknowns` only,
the criteria measures that never cover the chip but may leave a clause unchecked
(`domain.export_check_slice.unknown_candidates`) with the groups. Both are prepared once
and kept while none of the slices they came from grows; each (T, K) is then two folds, the
second of measures alone (a chip state's `upcoming` never walks those).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.export_check import NotRegistered, Question, export_check
from domain.export_check_slice import (
    END_USER_PARTS,
    EXPORTER_PARTS,
    company_part,
    manufacturers,
    unknown_candidates,
)
from domain.prepared import Prepared, prepare, prepared_world, relevant_criteria
from projections.state_queries import Reading, written
from projections.views import AFFILIATES, GROUPS, OWNERSHIP

if TYPE_CHECKING:
    from services.read.pit import Coordinates, PointInTime


def served_check(
    pit: PointInTime, db: Reading, question: Question, at: Coordinates
) -> dict[str, Any] | NotRegistered:
    """The check at (T, K, P), with its coordinates, or what is not registered at P."""
    main, beside = _prepared(pit, db, question, at.position)
    world = prepared_world(main, at.as_of, at.known_at)
    apart = None if beside is None else prepared_world(beside, at.as_of, at.known_at)
    answer = export_check(world, question, apart)
    return answer if isinstance(answer, NotRegistered) else {**answer, **at.echo()}


def _prepared(
    pit: PointInTime, db: Reading, question: Question, position: int
) -> tuple[Prepared, Prepared | None]:
    chip_positions, criteria, chip_signature = pit.parts.parts(db, "chip", question.chip, position)
    if question.exporter is None:  # the manufacturer as known at K: every one it ever had
        exporters = _manufacturers(pit, db, question.chip, chip_positions, chip_signature)
    else:
        exporters = (question.exporter,)
    # (slice keys, the aggregates the check reads of them): read directly, not through
    # SliceParts, whose merged positions each call would sort (the chip's slice already
    # holds every group)
    companies: list[tuple[tuple[str, ...], tuple[str, ...]]]
    companies = [((f"company:{c}",), EXPORTER_PARTS) for c in exporters]
    if question.end_user is not None:
        keys = (f"company:{question.end_user}", OWNERSHIP, AFFILIATES)
        companies.append((keys, END_USER_PARTS))
    parts = [
        ([pit.slices.positions(db, key, position) for key in keys], wanted)
        for keys, wanted in companies
    ]
    signature = (
        "check",
        (question.chip, question.exporter, question.end_user),
        chip_signature,
        exporters,
        tuple(len(p) for found, _ in parts for p in found),
    )
    held: tuple[Prepared, Prepared | None] | None = pit.prepared.get(signature)
    if held is not None:
        return held
    own = written(db, chip_positions, pit.cache)
    chosen = {b.position: b for b in own}
    beside = None
    if criteria:
        others = written(db, list(criteria), pit.cache)
        chosen.update((b.position, b) for b in relevant_criteria(own, others))
        apart = unknown_candidates(own, others)
        if apart:
            groups = written(db, list(pit.slices.positions(db, GROUPS, position)), pit.cache)
            beside = prepare([*apart, *groups])
    for found, wanted in parts:
        positions = sorted({p for part in found for p in part})
        chosen.update(
            (b.position, b) for b in company_part(written(db, positions, pit.cache), wanted)
        )
    return pit.prepared.put(signature, (prepare(chosen.values()), beside))


def _manufacturers(
    pit: PointInTime,
    db: Reading,
    chip: str,
    positions: list[int],
    chip_signature: tuple[object, ...],
) -> tuple[str, ...]:
    """Every manufacturer the chip's registration ever stated in its slice, kept (in the
    prepared cache, under its own key) while the chip's slice does not grow."""
    key = ("check-manufacturers", chip, chip_signature)
    held: tuple[str, ...] | None = pit.prepared.get(key)
    if held is None:
        found = tuple(sorted(manufacturers(written(db, positions, pit.cache), chip)))
        held = pit.prepared.put(key, found)
    return held
