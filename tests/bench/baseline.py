"""The library's own append rate, measured in the same run: every ingest figure's baseline.

`eventsourcing`'s `Application.save()` on the service's event log (same recorder, same
settings, same unprivileged role, same fresh migrated database) with pre-built
`CompanyRegistered` events, so the baseline is the library alone, without our validation,
decisions or HTTP. Events are built before the clock starts: the baseline is as fast as the
library can be, which keeps our ratios conservative.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from domain.clocks import format_instant, utc_now
from domain.dossier import aggregate_id, aggregate_key
from domain.events import SCHEMA_VERSION, CompanyRegistered
from services.settings import Settings
from services.storage.store import EventLog, open_event_log
from tests.bench.common import BenchFarm, FreshDb, Stopwatch, count_events, fresh_database, note

WARMUP_EVENTS = 5


def company_event(slug: str, recorded_by: str = "bench") -> CompanyRegistered:
    """A stored-form CompanyRegistered with the fields the writer stores (services/write/recording.py)."""
    now = utc_now()
    key = aggregate_key("company", slug)
    return CompanyRegistered(
        originator_id=aggregate_id(key),
        originator_version=1,
        timestamp=now,
        event_id=str(uuid.uuid4()),
        aggregate=key,
        effective_at=None,
        reported_at=format_instant(now),
        recorded_at=format_instant(now),
        recorded_by=recorded_by,
        summary=f"CompanyRegistered {slug}",
        sources=[],
        data={"company": slug, "name": slug.title(), "country": "US"},
        schema_version=SCHEMA_VERSION,
    )


@dataclass
class LibraryRate:
    mode: str  # e.g. "1 thread x 1 event/txn"
    threads: int
    batch: int
    events: int  # stored inside the timed window
    seconds: float
    errors: int
    rate: float  # events/s
    stored_check: int  # rows in the log at the end (warm-up included)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["rate"] = round(self.rate, 1)
        d["seconds"] = round(self.seconds, 3)
        return d


def open_log(db: FreshDb, pool_size: int = 10) -> EventLog:
    return open_event_log(Settings(database_url=db.service_url, postgres_pool_size=pool_size))


def measure_library(db: FreshDb, *, events: int, batch: int = 1, threads: int = 1) -> LibraryRate:
    """Save `events` pre-built events, `batch` per `save()` call, from `threads` threads."""
    tag = uuid.uuid4().hex[:6]
    event_log = open_log(db, pool_size=max(10, threads))
    try:
        event_log.save(*[company_event(f"warm-{tag}-{i}") for i in range(WARMUP_EVENTS)])
        built = [company_event(f"lib-{tag}-{i}") for i in range(events)]
        chunks = [built[i : i + batch] for i in range(0, len(built), batch)]
        errors: list[BaseException] = []
        saved = [0] * threads

        def work(index: int) -> None:
            for chunk in chunks[index::threads]:
                try:
                    event_log.save(*chunk)
                    saved[index] += len(chunk)
                except Exception as error:  # noqa: BLE001 - counted and reported
                    errors.append(error)

        watch = Stopwatch()
        if threads == 1:
            work(0)
        else:
            pool = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(threads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
        seconds = watch.elapsed
    finally:
        event_log.close()
    if errors:
        note(f"library baseline: {len(errors)} errors, first: {errors[0]!r}")
    stored = sum(saved)
    return LibraryRate(
        mode=f"{threads} thread{'s' if threads > 1 else ''} x {batch} event{'s' if batch > 1 else ''}/txn",
        threads=threads,
        batch=batch,
        events=stored,
        seconds=seconds,
        errors=len(errors),
        rate=stored / seconds,
        stored_check=count_events(db),
    )


@dataclass
class Baseline:
    rate: float
    chosen: str
    runs: list[LibraryRate]

    def describe(self) -> dict[str, Any]:
        return {"baseline_mode": self.chosen, "baseline_runs": [r.as_dict() for r in self.runs]}


def single_event_baseline(
    farm: BenchFarm, events: int, threads: tuple[int, ...] = (1, 16)
) -> Baseline:
    """The library's one-event-per-transaction rate: the better of 1 thread and 16 threads,
    each on its own fresh database."""
    runs = []
    for n in threads:
        with fresh_database(farm) as db:
            note(f"library baseline: {events} events, 1 per txn, {n} thread(s) on {db.name}")
            runs.append(measure_library(db, events=events, batch=1, threads=n))
            note(f"  -> {runs[-1].rate:.0f} events/s")
    best = max(runs, key=lambda r: r.rate)
    return Baseline(best.rate, best.mode, runs)


def batch_baseline(farm: BenchFarm, batch: int, batches: int) -> Baseline:
    """The library at `batch` events per `save()`, one thread, on a fresh database."""
    with fresh_database(farm) as db:
        note(f"library baseline: {batches} x save(*{batch}) on {db.name}")
        run = measure_library(db, events=batch * batches, batch=batch, threads=1)
        note(f"  -> {run.rate:.0f} events/s")
    return Baseline(run.rate, run.mode, [run])
