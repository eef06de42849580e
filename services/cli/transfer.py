"""`regtl load` and `regtl export`: the log in and out, with ids and clocks, in batches."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any
from uuid import NAMESPACE_URL, uuid5

import orjson
from pydantic import ValidationError

from domain.envelope import ImportedEnvelope
from domain.events import Recorded
from projections.canonical import dumps, render_event
from projections.event_queries import stored_event_ids
from services.bootstrap import Container
from services.cli.transfer_files import CSV_COLUMNS, Entry, read_items
from services.write.parsing import InputError, parse_envelope, validation_problems
from services.write.refusals import BatchRefused
from services.write.writer import Item

__all__ = [
    "CSV_COLUMNS",
    "Entry",
    "LoadError",
    "LoadReport",
    "Placed",
    "exported_events",
    "load",
    "prepare",
    "read_items",
    "store",
    "write_csv",
    "write_ndjson",
]

_LOAD_NAMESPACE = uuid5(NAMESPACE_URL, "https://regtimeline/load")
EXPORT_FIELDS = ("id", "recorded_at", "recorded_by", "position", "version", "schema_version")


class LoadError(Exception):
    """An event of the file is refused; says where ("line 3", "item 2") and why."""


@dataclass
class LoadReport:
    read: int = 0
    stored: int = 0
    skipped: int = 0  # already in the log (a second run, or an overlapping file)


@dataclass(frozen=True)
class Placed:
    where: str  # the event's place in the file, as Entry.where
    item: Item


def to_item(entry: Entry, occurrences: dict[str, int]) -> Item:
    """Split export fields from the envelope; give id-less items a content-derived id."""
    value = entry.value
    if not isinstance(value, dict):
        raise LoadError(f"{entry.where}: must be a JSON object (an event envelope)")
    extra = {k: value[k] for k in EXPORT_FIELDS if k in value}
    envelope_fields = {k: v for k, v in value.items() if k not in EXPORT_FIELDS}
    try:
        envelope = parse_envelope(envelope_fields)
        imported = ImportedEnvelope.model_validate(extra)
    except InputError as problem:
        raise LoadError(_faults(entry.where, problem.errors)) from None
    except ValidationError as error:
        raise LoadError(_faults(entry.where, validation_problems(error))) from None
    if imported.id is None:
        # The same content loaded twice gets the same id, so a second run stores nothing.
        digest = hashlib.sha256(_content(envelope_fields)).hexdigest()
        seen = occurrences.get(digest, 0)
        occurrences[digest] = seen + 1
        imported = imported.model_copy(update={"id": uuid5(_LOAD_NAMESPACE, f"{digest}#{seen}")})
    return Item(envelope, imported)


def _faults(where: str, errors: list[dict[str, str]]) -> str:
    return f"{where}: " + "; ".join(
        f"{e['pointer']}: {e['detail']}" if e.get("pointer") else e["detail"] for e in errors
    )


def _content(fields: dict[str, Any]) -> bytes:
    """The envelope's bytes for its content id. Strict parsing keeps fractional numbers as
    Decimal (7.25 stays exact), which orjson does not know: written as their JSON text."""
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS, default=_decimal_text)


def _decimal_text(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def prepare(entries: Sequence[Entry]) -> list[Placed]:
    """Validate every entry before anything is stored; the first refusal stops it."""
    occurrences: dict[str, int] = {}
    try:
        return [Placed(e.where, to_item(e, occurrences)) for e in entries]
    except LoadError as error:
        raise LoadError(f"{error} (nothing was stored)") from None


def _stored_ids(container: Container, ids: list[str]) -> set[str]:
    with container.engine.connect() as conn:
        return stored_event_ids(conn, ids)


def load(container: Container, entries: Sequence[Entry], **options: Any) -> LoadReport:
    """prepare() then store(): for callers that need no step between them."""
    return store(container, prepare(entries), **options)


def store(
    container: Container,
    placed: Sequence[Placed],
    *,
    batch_size: int = 500,
    recorded_by: str = "regtl load",
    progress: Callable[[int], None] = lambda n: None,
) -> LoadReport:
    """Append every item not already stored, in order, batch by batch (each all or nothing)."""
    container.catch_up()  # the index of stored ids must be complete before we skip by it
    report = LoadReport(read=len(placed))
    for start in range(0, len(placed), batch_size):
        batch = placed[start : start + batch_size]
        known = _stored_ids(container, [str(p.item.imported.id) for p in batch if p.item.imported])
        fresh = [p for p in batch if p.item.imported and str(p.item.imported.id) not in known]
        report.skipped += len(batch) - len(fresh)
        if fresh:
            _append_batch(container, fresh, recorded_by, report)
        progress(len(batch))
    container.catch_up()
    return report


def _append_batch(
    container: Container, fresh: list[Placed], recorded_by: str, report: LoadReport
) -> None:
    try:
        container.writer.append([p.item for p in fresh], recorded_by, batch=True)
    except BatchRefused as refused:
        faults = []
        for problem in refused.problems[:10]:  # "/events/<i>/…" → the item's place in the file
            _, _, index, rest = (problem.pointer + "/").split("/", 3)
            faults.append(f"{fresh[int(index)].where} (/{rest.rstrip('/')}): {problem.detail}")
        raise LoadError(
            f"{'; '.join(faults)} — that batch stored nothing; {report.stored} "
            "events before it were stored (re-run after fixing: they are skipped)"
        ) from None
    report.stored += len(fresh)


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
    text = (
        value
        if isinstance(value, str)
        else ""
        if value is None
        else (
            json.dumps(value, sort_keys=True, separators=(",", ":"))
            if isinstance(value, (list, dict))
            else str(value)
        )
    )
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
