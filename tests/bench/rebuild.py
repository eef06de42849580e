"""docs/performance.md `rebuild_events_per_s` / `rebuild_peak_rss_mb`: `regtl projections rebuild` of
BENCH_SCALE × 1M events on a fresh PostgreSQL database.

The log is generated straight in the stored form (tests/bench/loggen/: registrations and
destination groups, then measures with criteria, amendments and lifts, catalog v2's group
destinations, review policies, overrides, exceptions, compliance dates, suspensions and
reinstatements, group amendments, licences, deals, advisories, halts, cases, corrections
and retractions; the line's `catalog_v2` counts them) and stored with `EventLog.append` in batches of 5,000 — no
HTTP, no validation — while the live projector is not running, so the rebuild's target
generation starts empty and nothing else competes. Then the real command runs as a
subprocess, as an operator would run it:
- `rebuild_events_per_s`: log entries over the rebuild's own time (its final line: from
  its start to the swap, catch-up included); the process's wall time (interpreter start,
  imports) is reported beside it;
- `rebuild_peak_rss_mb`: the subprocess's peak resident set, VmHWM of /proc/self/status
  read by the process itself as it exits (not `wait4`'s ru_maxrss: Linux folds the
  pre-exec image into it, i.e. this bench process's own RSS at fork time).
No baseline applies (the targets are absolute). For reference, `library_read_decode_per_s`
is the rate at which the library alone reads and decodes the same log (`select_notifications`
+ `mapper.to_domain_event`, pages of 5,000), measured in the same run.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.common import (
    BenchFarm,
    FreshDb,
    Reported,
    emit,
    fresh_database,
    note,
    scaled,
)

FIGURES = ("rebuild_events_per_s", "rebuild_peak_rss_mb")
APPEND_BATCH = 5_000
SEED = 20250811  # the log's (tests/bench/writer_check.py checks the same one)
ROOT = Path(__file__).resolve().parents[2]
FINAL_LINE = re.compile(r"up to position ([\d,]+) in ([\d.]+) s")
PEAK_LINE = re.compile(r"peak_rss_kb=(\d+)")
# Run in the rebuild's process: report its own high-water mark as the interpreter exits.
PROBE = (
    "import atexit, sys\n"
    "def _peak():\n"
    "    with open('/proc/self/status') as f:\n"
    "        kb = next(line.split()[1] for line in f if line.startswith('VmHWM:'))\n"
    "    sys.stderr.write(f'\\npeak_rss_kb={kb}\\n'); sys.stderr.flush()\n"
    "atexit.register(_peak)\n"
    "from services.cli.main import main\n"
    "main()\n"
)


def sizes() -> dict[str, Any]:
    return {"rebuild_events": scaled(1_000_000, 10_000)}


def run_all(farm: BenchFarm, only: set[str], run: Callable[[str, Callable[[], Any]], None]) -> None:
    chosen = [f for f in FIGURES if f in only]
    if chosen:  # one run gives both figures
        run(chosen[0], lambda: rebuild_figures(farm, sizes()["rebuild_events"]))


def fill(db: FreshDb, events: int, mix: Counter[str]) -> float:
    """Store `events` generated events; returns seconds. Generation runs in a thread, one
    batch ahead of the appends; `mix` gets what the log holds of catalog v2."""
    from services.settings import Settings
    from services.storage.store import open_event_log
    from tests.bench.loggen import batches
    from tests.bench.v2_mix import count_v2

    event_log = open_event_log(Settings(database_url=db.service_url))
    ready: queue.Queue[Any] = queue.Queue(maxsize=2)

    def produce() -> None:
        known: set[str] = set()  # applications filed, ownership pairs: across the batches
        try:
            for batch in batches(events, APPEND_BATCH, seed=SEED):
                mix.update(count_v2(((e.type, e.data) for e in batch), known))
                ready.put(batch)
        finally:
            ready.put(None)

    started = time.perf_counter()
    threading.Thread(target=produce, daemon=True).start()
    stored = 0
    try:
        while (batch := ready.get()) is not None:
            event_log.append(batch)
            stored += len(batch)
            if stored % 100_000 < APPEND_BATCH:
                note(f"  stored {stored:,} of {events:,}")
    finally:
        event_log.close()
    return time.perf_counter() - started


def library_read_decode(db: FreshDb, limit: int) -> float:
    """The library alone: read and decode up to `limit` entries in pages of 5,000."""
    from services.settings import Settings
    from services.storage.store import open_event_log

    event_log = open_event_log(Settings(database_url=db.service_url))
    try:
        started, after, count = time.perf_counter(), 0, 0
        while count < limit and (notes := event_log.notifications(after, 5_000)):
            for note_ in notes:
                event_log.mapper.to_domain_event(note_)
            after, count = notes[-1].id, count + len(notes)
        return count / (time.perf_counter() - started)
    finally:
        event_log.close()


def rebuild_command(db: FreshDb) -> dict[str, Any]:
    """`regtl projections rebuild` in its own process; its figures and peak RSS."""
    env = {**os.environ, "REGTL_DATABASE_URL": db.service_url, "COLUMNS": "120"}
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", PROBE, "projections", "rebuild"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        err.seek(0)
        output = err.read().decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"rebuild exited {process.returncode}: {output[-2000:]}")
    found = FINAL_LINE.search(" ".join(output.split()))
    peak = PEAK_LINE.search(output)
    if found is None or peak is None:
        raise RuntimeError(f"no final line in the rebuild's output: {output[-2000:]}")
    return {
        "position": int(found.group(1).replace(",", "")),
        "seconds": float(found.group(2)),
        "wall_seconds": wall,
        "peak_rss_mb": int(peak.group(1)) / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def check(db: FreshDb, head: int) -> None:
    """The rebuilt generation is active and complete."""
    from projections.database import make_engine
    from services.rebuild.generations import status

    engine = make_engine(db.service_url, pool_size=1)
    try:
        where = status(engine)
    finally:
        engine.dispose()
    if where.active != "b" or where.checkpoints["b"] != head or where.rebuilding is not None:
        raise RuntimeError(f"the rebuild did not complete: {where}")


def rebuild_figures(farm: BenchFarm, events: int) -> None:
    from services.rebuild.rebuild import PAGE

    try:
        with fresh_database(farm) as db:
            note(f"rebuild: storing {events:,} events")
            mix: Counter[str] = Counter()
            filled = fill(db, events, mix)
            note(
                f"rebuild: stored in {filled:.1f} s ({events / filled:,.0f}/s); "
                "measuring the library's read+decode rate"
            )
            library = library_read_decode(db, min(events, 200_000))
            note("rebuild: running `regtl projections rebuild`")
            measured = rebuild_command(db)
            check(db, measured["position"])
    except Exception as error:
        message = f"{type(error).__name__}: {error}"[:2000]
        for figure in FIGURES:
            emit(figure, None, "", None, error=message)
        raise Reported(message) from error
    facts = {
        "events": events,
        "entries": measured["position"],
        "rebuild_seconds": round(measured["seconds"], 2),
        "process_wall_seconds": round(measured["wall_seconds"], 2),
        "process_cpu_seconds": round(measured["cpu_seconds"], 2),
        "page": PAGE,
        "library_read_decode_per_s": round(library, 1),
        "store_seconds": round(filled, 1),
        "catalog_v2": dict(sorted(mix.items())),
    }
    emit(
        "rebuild_events_per_s",
        measured["position"] / measured["seconds"],
        "events/s",
        None,
        target=20_000,
        **facts,
    )
    emit("rebuild_peak_rss_mb", measured["peak_rss_mb"], "MB", None, target=300, **facts)
