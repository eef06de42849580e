"""`domain.prepared` gives the reference fold's state (docs/state.md, "The fold";
docs/architecture.md, "Point-in-time reads"): hand-written logs, each read at every chip and
company over a grid of (T, K, P). The property tests (tests/properties) draw random logs
through the service; these few cases fail fast and say which story broke.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from domain.fold import fold_world
from domain.history import believed_at
from domain.knowledge import as_written
from domain.prepared import prepare, prepared_world
from domain.views import subject_view
from domain.world import World
from tests.domain.write_api import with_
from tests.support import builders as b
from tests.unit.memory_ledger import MemoryLedger, at


def _re_timed_measure(log: MemoryLedger) -> None:
    """A measure amended, its imposition moved past the amendment (an anomaly), then lifted."""
    imposed, _ = log.record(b.measure(), b.amendment(effective_at="2025-05-01", control="ban"))
    log.record(
        with_(b.correction(imposed.event_id, effective_at="2025-06-01"), reported_at="2025-06-15"),
        with_(b.lift(effective_at="2025-09-01"), reported_at="2025-07-01"),
    )


def _retracted_and_reinstated_licence(log: MemoryLedger) -> None:
    _, granted = log.record(
        b.measure(control="ban"),
        b.license_granted(effective_at="2025-05-01", expires_at="2025-08-31"),
    )
    log.record(
        with_(b.retraction(granted.event_id), reported_at="2025-06-01"),
        with_(b.correction(granted.event_id, effective_at="2025-05-15"), reported_at="2025-07-01"),
    )


def _respecified_chip(log: MemoryLedger) -> None:
    """A chip's corrected specs bring it under a criteria measure from the correction's report."""
    [b30a] = log.record(b.chip("b30a", specs={"tpp": 2000}))
    log.record(
        b.measure("bis-2023-10", chips=[], criteria=[{"tpp_min": 4800}], effective_at="2025-03-01"),
        with_(
            b.correction(b30a.event_id, data={**b30a.data, "specs": {"tpp": 5000}}),
            reported_at="2025-06-01",
        ),
    )


def _halts_and_embargo(log: MemoryLedger) -> None:
    halted, _ = log.record(
        b.halt(effective_at="2025-05-01", suppliers=["amkor"]),
        with_(b.resume(effective_at="2025-07-01"), reported_at="2025-08-01"),
    )
    log.record(
        with_(b.correction(halted.event_id, effective_at="2025-07-15"), reported_at="2025-07-20"),
        b.measure(companies=["amkor"], effective_at="2025-04-01"),
    )


STORIES: dict[str, Callable[[MemoryLedger], None]] = {
    "re-timed measure": _re_timed_measure,
    "retracted and reinstated licence": _retracted_and_reinstated_licence,
    "re-specified chip": _respecified_chip,
    "halts and an embargoed resume": _halts_and_embargo,
}
MONTHS = [at(f"2025-{month:02}-01") for month in range(3, 11)]


@pytest.mark.parametrize("story", STORIES.values(), ids=STORIES.keys())
def test_the_prepared_slice_answers_as_the_reference_fold(
    log: MemoryLedger, story: Callable[[MemoryLedger], None]
) -> None:
    story(log)
    subjects = [("chip", c) for c in log.world("2026-01-01").chips] + [
        ("company", c) for c in log.world("2026-01-01").companies
    ]
    written = [as_written(position, event) for position, event in log.positioned()]
    for position in range(3, len(written) + 1):
        within = written[:position]
        prepared = prepare(within)
        for known_at in MONTHS:
            beliefs = believed_at(within, known_at, position)
            for as_of in MONTHS:
                _assert_same(
                    subjects,
                    prepared_world(prepared, as_of, known_at),
                    fold_world(beliefs, as_of),
                    (position, known_at, as_of),
                )


def _assert_same(
    subjects: list[tuple[str, str]],
    served: World,
    reference: World,
    where: tuple[int, datetime, datetime],
) -> None:
    for kind, subject in subjects:
        assert subject_view(served, kind, subject) == subject_view(reference, kind, subject), (
            kind,
            subject,
            where,
        )
