"""A realistic synthetic log, built straight in the stored form (no HTTP, no validation).

Used by the rebuild benchmark to fill a fresh database with `BENCH_SCALE` × 1M events in
large `EventLog.append` batches. The mix follows the catalog: registrations first (chips
with specs, companies), then catalog v2's destination groups, then measures (named chips,
threshold criteria, some bounded above, named end users; a quarter naming groups, some
with exceptions; review policies, overrides and licence exceptions on licence requirements;
compliance dates) with amendments, suspensions, reinstatements and lifts, a few group
amendments over the timeline, licences granted / revoked / denied, revenue-share deals,
advisories, production halts and resumes, investigations, and revisions (corrections of
clocks and of data, retractions). Versions, references and lifecycle order follow the
write rules, so every event is one the service itself could have stored:
`check_sample` re-validates events through the real envelope parser, and
tests/bench/writer_check.py sends a whole log through the writer (no refusal expected).
Catalog v2 part 2 adds licence applications (most granted by a licence naming them, some
denied or withdrawn), ownership chains (re-recorded, ended), measures reaching affiliates,
tariffs (amended, lifted) and announcements (implemented, withdrawn): part2.py.
Modules: stream.py (order, bookkeeping, MIX), catalog_v2.py, revisions.py, steps.py, part2.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.events import Recorded
from tests.bench.loggen.part2 import LogGenerator

__all__ = ["LogGenerator", "batches", "check_sample"]


def batches(total: int, size: int, seed: int = 7) -> Iterator[list[Recorded]]:
    batch: list[Recorded] = []
    for event in LogGenerator(total, seed):
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def check_sample(events: list[Recorded]) -> None:
    """Every generated `data` is what the real envelope parser would store (canonical)."""
    from domain.catalog import CATALOG
    from domain.decide_payload import canonical_data
    from services.write.parsing import parse_envelope

    for event in events:
        body: dict[str, Any] = {
            "type": event.type,
            "summary": event.summary,
            "sources": event.sources,
            "data": event.data,
        }
        if event.effective_at is not None and event.type not in (
            "EventCorrected",
            "EventRetracted",
        ):
            body["effective_at"] = event.effective_at
        envelope = parse_envelope(body)
        stored = canonical_data(CATALOG[event.type], envelope.data)
        assert stored == event.data, (event.type, stored, event.data)
