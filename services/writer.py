"""One writer thread per process: concurrent appends grouped into one commit.

Request handlers validate, then submit and wait. The writer drains whatever is queued when
it is free (no timer, so no added latency when idle), decides each request in order against
a scratch view of the log (two requests on one aggregate chain their versions), saves the
whole group with one `save()`, and answers each caller only once its events are durable.
A conflict with another process (the primary key refused a version) re-runs the group's
requests one at a time against fresh loads, so only the loser is refused.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from eventsourcing.persistence import IntegrityError

from domain.clocks import format_instant, parse_instant
from domain.decide import Decision, decide
from domain.dossier import aggregate_id
from domain.envelope import Envelope, ImportedEnvelope
from domain.errors import DomainError, InvalidEvent, Problem
from domain.events import EVENT_CLASSES, SCHEMA_VERSION, Recorded
from services import idempotency
from services.idempotency import IdempotencyClaim, IdempotencyKeyUsed
from services.ledger import LogLedger, StagedLedger
from services.store import EventLog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    envelope: Envelope
    imported: ImportedEnvelope | None = None  # ids and clocks kept by `regtl load`


@dataclass(frozen=True)
class Appended:
    event: Recorded
    position: int


@dataclass(frozen=True)
class AppendResult:
    items: list[Appended]
    replayed: bool = False  # an Idempotency-Key retry: the first response, rebuilt


class BatchRefused(DomainError):
    """Some items of a batch were refused; `problems` point at each (status by worst kind)."""

    def __init__(self, detail: str, problems: list[Problem], errors: list[DomainError]):
        super().__init__(detail, problems)
        self.errors = errors


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was used for another request body (422)."""


@dataclass
class _Request:
    items: list[Item]
    recorded_by: str
    claim: IdempotencyClaim | None
    future: Future[AppendResult] = field(default_factory=Future)


class Writer:
    def __init__(
        self,
        log_: EventLog,
        ledger: LogLedger,
        clock: Callable[[], datetime],
        *,
        idempotency_ttl: float = 86_400,
        max_group: int = 500,
        on_appended: Callable[[int], None] | None = None,
    ):
        self._log, self._ledger, self._clock = log_, ledger, clock
        self._ttl, self._max_group = idempotency_ttl, max_group
        self._on_appended = on_appended or (lambda _head: None)
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._last_recorded = self._last_stored_timestamp()

    def _last_stored_timestamp(self) -> datetime:
        """Start from the newest stored instant: a restarted clock may lag the log."""
        head = self._log.head()
        last = self._log.notifications(head - 1, 1) if head else []
        if not last:
            return datetime.min.replace(tzinfo=self._clock().tzinfo)
        return cast(datetime, self._log.mapper.to_domain_event(last[0]).timestamp)

    # -- the callers' side -------------------------------------------------------------
    def submit(
        self, items: list[Item], recorded_by: str, claim: IdempotencyClaim | None = None
    ) -> Future[AppendResult]:
        request = _Request(items, recorded_by, claim)
        if self._thread is None:  # not started (CLI, tests): write in the caller's thread
            self._process([request])
        else:
            self._queue.put(request)
        return request.future

    def append(self, items: list[Item], recorded_by: str,
               claim: IdempotencyClaim | None = None) -> AppendResult:
        return self.submit(items, recorded_by, claim).result()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="regtl-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    # -- the writer thread -------------------------------------------------------------
    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group, stopping = self._drain(first)
            try:
                self._process(group)
            except Exception as error:  # noqa: BLE001 - the writer must outlive any one group
                log.exception("writer failed a group of %d requests", len(group))
                for request in group:
                    if not request.future.done():
                        request.future.set_exception(error)
            if stopping:
                return

    def _drain(self, first: _Request) -> tuple[list[_Request], bool]:
        group, size = [first], len(first.items)
        while size < self._max_group:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                return group, True
            group.append(nxt)
            size += len(nxt.items)
        return group, False

    def _process(self, group: list[_Request], attempt: int = 0) -> None:
        staged = StagedLedger(self._ledger)
        now = self._stamp()
        pending: list[tuple[_Request, list[Recorded], IdempotencyKeyUsed | None]] = []
        for request in group:
            outcome = self._prepare(request, staged, now)
            if outcome is not None:
                pending.append(outcome)
        if not pending:
            return
        to_save: list[object] = []
        for _, events, used in pending:
            to_save.extend(events)
            if used is not None:
                to_save.append(used)
        try:
            recordings = self._log.save(*to_save)  # type: ignore[arg-type]
        except IntegrityError:
            self._ledger.forget(staged.dossiers)
            if attempt >= 3:
                raise
            for request, _, _ in pending:  # one at a time: only the loser is refused
                self._process([request], attempt + 1)
            return
        positions = {(r.domain_event.originator_id, r.domain_event.originator_version):
                     r.notification.id for r in recordings}
        self._ledger.accept(staged.dossiers.values())
        for request, events, _ in pending:
            items = [Appended(e, positions[(e.originator_id, e.originator_version)])
                     for e in events]
            request.future.set_result(AppendResult(items))
        self._on_appended(max(positions.values()))

    def _prepare(
        self, request: _Request, staged: StagedLedger, now: datetime
    ) -> tuple[_Request, list[Recorded], IdempotencyKeyUsed | None] | None:
        """Decide one request; answer it at once if it is refused or an idempotent replay."""
        try:
            used = self._check_claim(request.claim, now) if request.claim else None
            if isinstance(used, AppendResult):
                request.future.set_result(used)
                return None
            scratch = staged.child()
            events = self._decide_all(request, scratch, now)
            staged.merge(scratch)
        except DomainError as error:
            request.future.set_exception(error)
            return None
        record = None
        if request.claim is not None:
            refs = [(e.originator_id, e.originator_version) for e in events]
            record = idempotency.record(request.claim, cast(int, used) + 1, refs, now, self._ttl)
        return request, events, record

    def _decide_all(self, request: _Request, scratch: StagedLedger, now: datetime) -> list[Recorded]:
        events: list[Recorded] = []
        errors: list[tuple[int, DomainError]] = []
        for index, item in enumerate(request.items):
            try:
                decision = decide(item.envelope, scratch)
                event = self._record(decision, scratch, item.imported, request.recorded_by, now)
            except DomainError as error:
                errors.append((index, error))
                continue
            scratch.stage(decision.key, event)
            events.append(event)
        if not errors:
            return events
        if len(request.items) == 1:
            raise errors[0][1]
        moved = [error.at(f"/events/{index}") for index, error in errors]
        problems = [p for error in moved for p in error.problems]
        detail = f"{len(errors)} of {len(request.items)} events refused; nothing was stored"
        raise BatchRefused(detail, problems, moved)

    def _record(self, decision: Decision, scratch: StagedLedger, imported: ImportedEnvelope | None,
                recorded_by: str, now: datetime) -> Recorded:
        # Never before the last recorded_at given out. An export being loaded keeps its own
        # (later) instants, so a log loaded into an empty database reads the same.
        wanted = imported.recorded_at if imported is not None and imported.recorded_at else now
        recorded_at = max(wanted, self._last_recorded)
        self._last_recorded = recorded_at
        event_id = str(imported.id) if imported is not None and imported.id else _new_event_id()
        if imported is not None and imported.id and scratch.locate(event_id) is not None:
            raise InvalidEvent(f"event {event_id} is already stored",
                               [Problem("already stored", "/id")])
        cls = EVENT_CLASSES[decision.type]
        return cls(
            originator_id=aggregate_id(decision.key),
            originator_version=scratch.dossier(decision.key).version + 1,
            timestamp=recorded_at,
            event_id=event_id,
            aggregate=decision.key,
            effective_at=decision.effective_at,
            reported_at=decision.reported_at or _default_reported(decision, recorded_at),
            recorded_at=format_instant(recorded_at),
            recorded_by=(imported.recorded_by if imported and imported.recorded_by else recorded_by),
            summary=decision.summary,
            sources=decision.sources,
            data=decision.data,
            schema_version=SCHEMA_VERSION,
        )

    def _check_claim(self, claim: IdempotencyClaim, now: datetime) -> int | AppendResult:
        """The record's current version, or the first response if this is a retry."""
        records = cast(list[IdempotencyKeyUsed], list(self._log.events.get(claim.aggregate_id)))
        if not records or not idempotency.is_live(records[-1], now):
            return len(records)
        latest = records[-1]
        if latest.request_hash != claim.request_hash:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used with a different request body",
                [Problem("used before with another body", "Idempotency-Key")],
            )
        return AppendResult([self._load_appended(oid, v) for oid, v in latest.events], replayed=True)

    def _load_appended(self, originator_hex: object, version: object) -> Appended:
        from uuid import UUID

        oid, v = UUID(str(originator_hex)), int(cast(int, version))
        event = cast(Recorded, next(iter(self._log.events.get(oid, gt=v - 1, lte=v))))
        position = self._log.position_of(oid, v)
        return Appended(event, cast(int, position))

    def _stamp(self) -> datetime:
        """recorded_at for a group: the clock, but never before the last one (clocks step back)."""
        return max(self._clock(), self._last_recorded)


def _default_reported(decision: Decision, recorded_at: datetime) -> str:
    """SPEC §1: min(effective_at, recorded_at); a revision's is its recorded_at."""
    if decision.effective_at is None or decision.type in ("EventCorrected", "EventRetracted"):
        return format_instant(recorded_at)
    return format_instant(min(parse_instant(decision.effective_at), recorded_at))


def _new_event_id() -> str:
    import uuid

    return str(uuid.uuid4())


__all__ = ["Appended", "AppendResult", "BatchRefused", "Item", "Writer", "timedelta"]
