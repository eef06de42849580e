"""Every event the bench generates is one the writer accepts, and stores as the bench does.

The bench stores its generated logs directly (`EventLog.append`, no write rule checked) to
keep the set-up short. This check sends the same events through the real write path
(`container.writer.append`: parsing, every write rule of docs/events.md, "Write rules", with
the clocks kept as `regtl load` keeps them), in batches of up to 1,000 projected after each
batch, and counts:
- `refused`: events the writer refuses (a refused batch is sent again one event at a time,
  so the count is of events, and the rest is stored);
- `differ`: events stored otherwise than the bench stores them directly (data, clocks,
  aggregate, version; a revision's target named by the id the writer gave it).

    python -m tests.bench.writer_check      # both logs at BENCH_SCALE (default 1)

checks the point-in-time history (tests/bench/pit/) and the rebuild's log (tests/bench/loggen/,
BENCH_CHECK_LOG_EVENTS events; default the rebuild's own size) on fresh PostgreSQL
databases, prints one JSON line each, and exits 1 if anything was refused or differs.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from domain.envelope import ImportedEnvelope
from domain.errors import DomainError
from domain.events import Recorded
from services.bootstrap import Container, bootstrap
from services.settings import Settings
from services.write.parsing import parse_envelope
from services.write.refusals import BatchRefused
from services.write.writer import Item
from tests.bench.common import BenchFarm, Stopwatch, fresh_database, note

BATCH = 1000
COMPARED = ("aggregate", "originator_version", "effective_at", "reported_at", "data")
REVISIONS = ("EventCorrected", "EventRetracted")


def body_of(event: Recorded) -> dict[str, Any]:
    """The envelope a client would send for a directly stored event."""
    body: dict[str, Any] = {
        "type": event.type,
        "summary": event.summary,
        "sources": event.sources,
        "data": event.data,
        "reported_at": event.reported_at,
    }
    if event.effective_at is not None and event.type not in ("EventCorrected", "EventRetracted"):
        body["effective_at"] = event.effective_at
    return body


def check(container: Container, pairs: Iterable[tuple[dict[str, Any], Recorded]]) -> dict[str, Any]:
    """Send each (envelope, directly stored event) through the writer; count what differs."""
    outcome: dict[str, Any] = {"events": 0, "refused": 0, "differ": 0, "first_problems": []}
    ids: dict[str, str] = {}  # the generator's event ids -> the writer's
    watch = Stopwatch()
    for chunk in _chunks(pairs, BATCH):
        items = [Item(parse_envelope(_mapped(body, ids)), _imported(e)) for body, e in chunk]
        try:
            stored = [a.event for a in container.writer.append(items, "bench", batch=True).items]
            expected_ones = [expected for _, expected in chunk]
        except BatchRefused:
            stored, expected_ones = _one_by_one(container, items, chunk, outcome)
        for got, expected in zip(stored, expected_ones, strict=True):
            ids[expected.event_id] = got.event_id
            differences = [
                f
                for f in COMPARED
                if getattr(got, f)
                != (_mapped_data(expected, ids) if f == "data" else getattr(expected, f))
            ]
            if differences:
                outcome["differ"] += 1
                _remember(outcome, f"{expected.type} {expected.event_id}: {differences}")
        outcome["events"] += len(chunk)
        container.catch_up()  # the writer finds revision targets in the views
    outcome["seconds"] = round(watch.elapsed, 1)
    return outcome


def _imported(expected: Recorded) -> ImportedEnvelope:
    """The clocks kept as `regtl load` keeps them; not the id: an imported id costs a lookup
    of the log per event (is it stored already?), and new ids are what clients send."""
    return ImportedEnvelope(recorded_at=expected.recorded_at, recorded_by=expected.recorded_by)


def _target(data: dict[str, Any]) -> str:
    return str(data["event_id"])


def _mapped(body: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """A revision names its target by the id the writer gave it."""
    if body["type"] not in REVISIONS:
        return body
    return {**body, "data": {**body["data"], "event_id": ids.get(_target(body["data"]), "")}}


def _mapped_data(expected: Recorded, ids: dict[str, str]) -> dict[str, Any]:
    if expected.type not in REVISIONS:
        return expected.data
    return {**expected.data, "event_id": ids.get(_target(expected.data), "")}


def _one_by_one(
    container: Container,
    items: list[Item],
    chunk: list[tuple[dict[str, Any], Recorded]],
    outcome: dict[str, Any],
) -> tuple[list[Recorded], list[Recorded]]:
    stored, expected_ones = [], []
    for item, (_body, expected) in zip(items, chunk, strict=True):
        try:
            result = container.writer.append([item], "bench")
        except DomainError as error:
            outcome["refused"] += 1
            problems = [f"{p.pointer}: {p.detail}" for p in error.problems]
            _remember(outcome, f"{expected.type} {expected.event_id}: {error.detail} {problems}")
            continue
        stored.append(result.items[0].event)
        expected_ones.append(expected)
    return stored, expected_ones


def _remember(outcome: dict[str, Any], text: str) -> None:
    if len(outcome["first_problems"]) < 10:
        outcome["first_problems"].append(text[:600])


def _chunks(
    pairs: Iterable[tuple[dict[str, Any], Recorded]], size: int
) -> Iterator[list[tuple[dict[str, Any], Recorded]]]:
    """Batches of up to `size`, each cut before a revision of an event in it (the revision
    names its target by the writer's id, known once the target's batch is stored)."""
    chunk: list[tuple[dict[str, Any], Recorded]] = []
    held: set[str] = set()
    for body, expected in pairs:
        if chunk and (
            len(chunk) >= size or (body["type"] in REVISIONS and _target(body["data"]) in held)
        ):
            yield chunk
            chunk, held = [], set()
        chunk.append((body, expected))
        held.add(expected.event_id)
    if chunk:
        yield chunk


def pit_pairs() -> Iterator[tuple[dict[str, Any], Recorded]]:
    """The point-in-time history, each envelope with the event `load_direct` stores."""
    from tests.bench.pit.history import History
    from tests.bench.pit.load import stored_event
    from tests.bench.pit.workload import sizes

    size = sizes()
    plan = History(size["pit_events"], size["pit_chips"], size["pit_companies"]).generate()
    versions: dict[str, int] = {}
    targets: dict[str, str] = {}
    for planned in plan:
        versions[planned.key] = versions.get(planned.key, 0) + 1
        event = stored_event(planned, versions[planned.key], targets)
        targets[planned.event_id] = event.type
        yield planned.body, event


def log_pairs(events: int, seed: int) -> Iterator[tuple[dict[str, Any], Recorded]]:
    """The rebuild's log (tests/bench/loggen/), each event with its envelope."""
    from tests.bench.loggen import LogGenerator

    for event in LogGenerator(events, seed):
        yield body_of(event), event


def run(farm: BenchFarm, name: str, pairs: Iterable[tuple[dict[str, Any], Recorded]]) -> bool:
    with fresh_database(farm) as db:
        container = bootstrap(Settings(database_url=db.service_url))
        try:
            outcome = check(container, pairs)
        finally:
            container.close()
    print(json.dumps({"log": name, **outcome}), flush=True)
    note(f"writer check of the {name} log: {outcome['events']} events, "
         f"{outcome['refused']} refused, {outcome['differ']} differ")  # fmt: skip
    return not outcome["refused"] and not outcome["differ"]


def main() -> int:
    from tests.bench.rebuild import SEED
    from tests.bench.rebuild import sizes as rebuild_sizes

    log_events = int(os.environ.get("BENCH_CHECK_LOG_EVENTS") or rebuild_sizes()["rebuild_events"])
    farm = BenchFarm()
    try:
        ok = run(farm, "point-in-time", pit_pairs())
        ok = run(farm, "rebuild", log_pairs(log_events, seed=SEED)) and ok
    finally:
        farm.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
