"""The served export check (docs/checks.md, "How it is served"): no read model of its own.

It folds, with `domain.prepared`, the union of the chip's slice (services/read/slices.py;
its criteria measures chosen by `domain.export_check_slice.checked_criteria`), the part of
the exporter's slice it reads and, with an end user, the part of theirs. The union is
prepared once and kept while none of the slices it came from grows; each (T, K) is then one
fold, as chip state is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.export_check import NotRegistered, Question, export_check
from domain.export_check_slice import (
    END_USER_PARTS,
    EXPORTER_PARTS,
    checked_criteria,
    company_part,
    manufacturers,
)
from domain.prepared import Prepared, prepare, prepared_world
from projections.state_queries import Reading, written
from projections.views import AFFILIATES, OWNERSHIP

if TYPE_CHECKING:
    from services.read.pit import Coordinates, PointInTime


def served_check(
    pit: PointInTime, db: Reading, question: Question, at: Coordinates
) -> dict[str, Any] | NotRegistered:
    """The check at (T, K, P), with its coordinates, or what is not registered at P."""
    world = prepared_world(_prepared(pit, db, question, at.position), at.as_of, at.known_at)
    answer = export_check(world, question)
    return answer if isinstance(answer, NotRegistered) else {**answer, **at.echo()}


def _prepared(pit: PointInTime, db: Reading, question: Question, position: int) -> Prepared:
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
    held: Prepared | None = pit.prepared.get(signature)
    if held is not None:
        return held
    own = written(db, chip_positions, pit.cache)
    chosen = {b.position: b for b in own}
    if criteria:
        others = written(db, list(criteria), pit.cache)
        chosen.update((b.position, b) for b in checked_criteria(own, others))
    for found, wanted in parts:
        positions = sorted({p for part in found for p in part})
        chosen.update(
            (b.position, b) for b in company_part(written(db, positions, pit.cache), wanted)
        )
    return pit.prepared.put(signature, prepare(chosen.values()))


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
