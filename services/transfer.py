"""`regtl load` and `regtl export`: the log in and out, with ids and clocks, in batches."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from uuid import NAMESPACE_URL, uuid5

from pydantic import ValidationError

from domain.envelope import ImportedEnvelope
from domain.events import Recorded
from projections.canonical import dumps, render_event
from projections.event_queries import stored_event_ids
from services.bootstrap import Container
from services.parsing import InputError, parse_envelope, parse_strict_json, validation_problems
from services.refusals import BatchRefused
from services.writer import Item

_LOAD_NAMESPACE = uuid5(NAMESPACE_URL, "https://regtimeline/load")
EXPORT_FIELDS = ("id", "recorded_at", "recorded_by", "position", "version", "schema_version")
CSV_COLUMNS = ("position", "id", "type", "effective_at", "reported_at", "recorded_at",
               "recorded_by", "version", "schema_version", "summary", "sources", "data")


class LoadError(Exception):
    """A line of the file is not a valid event; says which and why."""


@dataclass
class LoadReport:
    read: int = 0
    stored: int = 0
    skipped: int = 0  # already in the log (a second run, or an overlapping file)


def read_items(path: Path) -> list[Any]:
    """A JSON array or NDJSON (one envelope per line), parsed strictly."""
    raw = path.read_bytes()
    stripped = raw.lstrip()
    try:
        if stripped.startswith(b"["):
            value = parse_strict_json(raw)
            return list(value)
        return [parse_strict_json(line) for line in raw.splitlines() if line.strip()]
    except InputError as problem:
        raise LoadError(f"{path}: {problem.detail}") from None


def to_item(value: Any, index: int, occurrences: dict[str, int]) -> Item:
    """Split export fields from the envelope; give id-less items a content-derived id."""
    if not isinstance(value, dict):
        raise LoadError(f"item {index}: must be a JSON object")
    extra = {k: value[k] for k in EXPORT_FIELDS if k in value}
    envelope_fields = {k: v for k, v in value.items() if k not in EXPORT_FIELDS}
    try:
        envelope = parse_envelope(envelope_fields, f"/{index}")
        imported = ImportedEnvelope.model_validate(extra)
    except InputError as problem:
        raise LoadError("; ".join(f"{e.get('pointer', '')}: {e['detail']}" for e in problem.errors)) from None
    except ValidationError as error:
        raise LoadError("; ".join(p["detail"] for p in validation_problems(error, f"/{index}"))) from None
    if imported.id is None:
        # The same content loaded twice gets the same id, so a second run stores nothing.
        digest = hashlib.sha256(dumps(envelope_fields)).hexdigest()
        seen = occurrences.get(digest, 0)
        occurrences[digest] = seen + 1
        imported = imported.model_copy(update={"id": uuid5(_LOAD_NAMESPACE, f"{digest}#{seen}")})
    return Item(envelope, imported)


def _stored_ids(container: Container, ids: list[str]) -> set[str]:
    with container.engine.connect() as conn:
        return stored_event_ids(conn, ids)


def load(container: Container, values: list[Any], *, batch_size: int = 500,
         recorded_by: str = "regtl load", progress: Callable[[int], None] = lambda n: None) -> LoadReport:
    """Append every item not already stored, in order, batch by batch (each all or nothing)."""
    occurrences: dict[str, int] = {}
    try:
        items = [to_item(v, i, occurrences) for i, v in enumerate(values)]
    except LoadError as error:
        raise LoadError(f"{error} (nothing was stored)") from None
    container.catch_up()  # the index of stored ids must be complete before we skip by it
    report = LoadReport(read=len(items))
    for start in range(0, len(items), batch_size):
        batch = items[start:start + batch_size]
        known = _stored_ids(container, [str(i.imported.id) for i in batch if i.imported])
        fresh = [(start + n, i) for n, i in enumerate(batch)
                 if i.imported and str(i.imported.id) not in known]
        report.skipped += len(batch) - len(fresh)
        if fresh:
            _append_batch(container, fresh, recorded_by, report)
        progress(len(batch))
    container.catch_up()
    return report


def _append_batch(container: Container, numbered: list[tuple[int, Item]], recorded_by: str,
                  report: LoadReport) -> None:
    try:
        container.writer.append([item for _, item in numbered], recorded_by, batch=True)
    except BatchRefused as refused:
        faults = []
        for problem in refused.problems[:10]:  # "/events/<i>/…" → the item's place in the file
            _, _, index, rest = (problem.pointer + "/").split("/", 3)
            faults.append(f"item {numbered[int(index)][0]} (/{rest.rstrip('/')}): {problem.detail}")
        raise LoadError(f"{'; '.join(faults)} — that batch stored nothing; {report.stored} "
                        "events before it were stored (re-run after fixing: they are skipped)"
                        ) from None
    report.stored += len(numbered)


def exported_events(container: Container, page: int = 5000) -> Iterator[dict[str, Any]]:
    """Every regulatory event of the log, in position order, as the API shows it."""
    after = 0
    while True:
        notes = container.log.notifications(after, page)
        if not notes:
            return
        for note in notes:
            event = container.log.mapper.to_domain_event(note)
            if isinstance(event, Recorded):
                yield render_event(event, note.id)
        after = notes[-1].id


def write_ndjson(events: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    count = 0
    for event in events:
        out.write(dumps(event) + b"\n")
        count += 1
    return count


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else "" if value is None else (
        json.dumps(value, sort_keys=True, separators=(",", ":")) if isinstance(value, (list, dict))
        else str(value))
    # A spreadsheet would run a cell starting with one of these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(events: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for event in events:
        writer.writerow([_cell(event[c]) for c in CSV_COLUMNS])
        count += 1
    text.detach()
    return count
