"""Turning one request's envelopes into stored events: decide each, stamp the clocks.

A batch is decided item by item against a scratch view of the log, so later items see what
earlier ones create; every fault is collected (not just the first) so one answer can point
at each bad item.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from domain.clocks import format_instant, parse_instant
from domain.decide import Decision, decide
from domain.dossier import aggregate_id
from domain.envelope import Envelope, ImportedEnvelope
from domain.errors import DomainError, InvalidEvent, Problem
from domain.events import EVENT_CLASSES, SCHEMA_VERSION, Recorded, new_recorded
from services.write.ledger import StagedLedger
from services.write.refusals import BatchRefused


@dataclass(frozen=True)
class Item:
    envelope: Envelope
    imported: ImportedEnvelope | None = None  # ids and clocks kept by `regtl load`


class Stamper:
    """Hands out recorded_at: the clock, never earlier than the last value given out."""

    def __init__(self, floor: datetime):
        self.last = floor

    def stamp(self, now: datetime, wanted: datetime | None = None) -> datetime:
        # An export being loaded keeps its own (later) instants, so a log loaded into an
        # empty database reads the same.
        self.last = max(wanted or now, self.last)
        return self.last


# uuid.UUID's version-4 bits (RFC 9562): version nibble 4, variant 10.
_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def random_event_ids(count: int) -> list[str]:
    """`count` texts exactly like `str(uuid.uuid4())`, from one `os.urandom` call.

    uuid4() reads the OS's randomness once per id, and `os.urandom` releases the GIL around
    its system call: at 1,000 events a batch, the writer gave the GIL away 1,000 times and
    waited each time for the threads parsing the next requests to hand it back — about a
    tenth of the writer's time (docs/performance.md, "ingest_batch"). One read per request.
    """
    raw = os.urandom(16 * count)
    ids = []
    for start in range(0, 16 * count, 16):
        h = f"{int.from_bytes(raw[start : start + 16]) & _V4_CLEAR | _V4_SET:032x}"
        ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return ids


def decide_request(
    items: list[Item],
    batch: bool,
    scratch: StagedLedger,
    recorded_by: str,
    now: datetime,
    stamper: Stamper,
) -> list[Recorded]:
    events: list[Recorded] = []
    errors: list[tuple[int, DomainError]] = []
    fresh_ids = random_event_ids(len(items))
    for index, item in enumerate(items):
        try:
            decision = decide(item.envelope, scratch)
            event = _stored_event(
                decision, scratch, item.imported, recorded_by, now, stamper, fresh_ids[index]
            )
        except DomainError as error:
            errors.append((index, error))
            continue
        scratch.stage(decision.key, event)
        events.append(event)
    if not errors:
        return events
    if not batch:
        raise errors[0][1]
    moved = [error.at(f"/events/{index}") for index, error in errors]
    problems = [p for error in moved for p in error.problems]
    detail = f"{len(errors)} of {len(items)} events refused; nothing was stored"
    raise BatchRefused(detail, problems, moved)


def _stored_event(
    decision: Decision,
    scratch: StagedLedger,
    imported: ImportedEnvelope | None,
    recorded_by: str,
    now: datetime,
    stamper: Stamper,
    fresh_id: str,
) -> Recorded:
    event_id = str(imported.id) if imported is not None and imported.id else fresh_id
    if imported is not None and imported.id and scratch.locate(event_id) is not None:
        raise InvalidEvent(
            f"event {event_id} is already stored", [Problem("already stored", "/id")]
        )
    recorded_at = stamper.stamp(now, imported.recorded_at if imported else None)
    return new_recorded(
        EVENT_CLASSES[decision.type],
        originator_id=aggregate_id(decision.key),
        originator_version=scratch.dossier(decision.key).version + 1,
        timestamp=recorded_at,
        event_id=event_id,
        aggregate=decision.key,
        effective_at=decision.effective_at,
        reported_at=decision.reported_at or _default_reported(decision, recorded_at),
        recorded_at=format_instant(recorded_at),
        recorded_by=imported.recorded_by if imported and imported.recorded_by else recorded_by,
        summary=decision.summary,
        sources=decision.sources,
        data=decision.data,
        schema_version=SCHEMA_VERSION,
    )


def _default_reported(decision: Decision, recorded_at: datetime) -> str:
    """docs/clocks.md: min(effective_at, recorded_at); a revision's is its recorded_at."""
    if decision.effective_at is None or decision.type in ("EventCorrected", "EventRetracted"):
        return format_instant(recorded_at)
    return format_instant(min(parse_instant(decision.effective_at), recorded_at))
