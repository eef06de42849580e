"""One writer thread per process: concurrent appends grouped into one commit.

Request handlers validate, then submit and wait. The writer drains whatever is queued when
it is free (no timer, so no added latency when idle), decides each request in order against
a scratch view of the log (two requests on one aggregate chain their versions), saves the
whole group with one `save()` — idempotency records included — and answers each caller only
once its events are durable. A conflict with another process (the primary key refused a
version) re-runs the group's requests one at a time against fresh loads, so only a real
loser is refused.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import IntegrityError

from domain.errors import DomainError, Problem, VersionConflict
from domain.events import Recorded
from services.storage.store import EventLog
from services.write import idempotency, refusals
from services.write.idempotency import IdempotencyClaim, IdempotencyKeyUsed
from services.write.ledger import LogLedger, StagedLedger
from services.write.recording import Item, Stamper, decide_request
from services.write.refusals import BatchRefused, IdempotencyKeyReused

log = logging.getLogger(__name__)
MAX_CONFLICT_RETRIES = 10
LINGER_SECONDS = 0.0003

__all__ = ["AppendResult", "Appended", "BatchRefused", "IdempotencyKeyReused", "Item", "Writer"]


@dataclass(frozen=True)
class Appended:
    event: Recorded
    position: int


@dataclass(frozen=True)
class AppendResult:
    items: list[Appended]
    replayed: bool = False  # an Idempotency-Key retry: the first response, rebuilt


@dataclass
class _Request:
    items: list[Item]
    recorded_by: str
    claim: IdempotencyClaim | None
    batch: bool
    future: Future[AppendResult] = field(default_factory=Future)


@dataclass
class _Outcome:
    """A decided request, waiting for the group's commit."""

    request: _Request
    events: list[Recorded]
    record: IdempotencyKeyUsed | None
    refusal: DomainError | None = None  # answered with this once its record is durable


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
        self._stamper = Stamper(self._last_stored_timestamp())
        self._last_group = 0

    def _last_stored_timestamp(self) -> datetime:
        """Start from the newest stored instant: a restarted clock may lag the log."""
        head = self._log.head()
        last = self._log.notifications(head - 1, 1) if head else []
        if not last:
            return datetime.min.replace(tzinfo=self._clock().tzinfo)
        newest: Any = self._log.mapper.to_domain_event(last[0])  # every stored event has one
        return cast(datetime, newest.timestamp)

    # -- the callers' side -------------------------------------------------------------
    def submit(
        self,
        items: list[Item],
        recorded_by: str,
        claim: IdempotencyClaim | None = None,
        *,
        batch: bool = False,
    ) -> Future[AppendResult]:
        request = _Request(items, recorded_by, claim, batch)
        if self._thread is None:  # not started (CLI, tests): write in the caller's thread
            self._process([request])
        else:
            self._queue.put(request)
        return request.future

    def append(
        self,
        items: list[Item],
        recorded_by: str,
        claim: IdempotencyClaim | None = None,
        *,
        batch: bool = False,
    ) -> AppendResult:
        return self.submit(items, recorded_by, claim, batch=batch).result()

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
        while (first := self._queue.get()) is not None:
            group, stopping = self._drain(first)
            try:
                self._process(group)
            except Exception as error:  # the writer thread must outlive any one group
                log.exception("writer failed a group of %d requests", len(group))
                for request in group:
                    if not request.future.done():
                        request.future.set_exception(error)
            if stopping:
                return

    def _drain(self, first: _Request) -> tuple[list[_Request], bool]:
        if self._last_group > 1:
            # Callers answered by the last commit are about to submit again; yielding for a
            # moment lets them join this group (16 callers then share one commit, not two
            # alternating halves of 8). Idle writers never wait: the last group was 1.
            time.sleep(LINGER_SECONDS)
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
        self._last_group = len(group)
        return group, False

    def _process(self, group: list[_Request], attempt: int = 0) -> None:
        staged = StagedLedger(self._ledger, optimistic=attempt == 0)
        now = max(self._clock(), self._stamper.last)
        outcomes = [o for r in group if (o := self._prepare(r, staged, now)) is not None]
        to_save: list[DomainEvent] = [e for o in outcomes for e in o.events]
        to_save += [o.record for o in outcomes if o.record is not None]
        if not to_save:
            return
        try:
            recordings = self._log.append(to_save)
        except IntegrityError:
            self._retry_alone([o.request for o in outcomes], staged, attempt)
            return
        positions = {
            (r.domain_event.originator_id, r.domain_event.originator_version): r.notification.id
            for r in recordings
        }
        self._ledger.accept(staged.dossiers.values())
        for outcome in outcomes:
            self._answer(outcome, positions)
        self._on_appended(max(positions.values()))

    def _retry_alone(self, requests: list[_Request], staged: StagedLedger, attempt: int) -> None:
        """Another process wrote one of these aggregates first: decide again, one by one."""
        self._ledger.forget(staged.dossiers)
        if attempt >= MAX_CONFLICT_RETRIES:
            for request in requests:
                request.future.set_exception(
                    VersionConflict(
                        "other writers kept changing the same aggregate; retry the request",
                        [Problem("changed concurrently", "")],
                        current_version=-1,
                    )
                )
            return
        time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))  # let the other commit
        for request in requests:
            self._process([request], attempt + 1)

    @staticmethod
    def _answer(outcome: _Outcome, positions: dict[tuple[UUID, int], int]) -> None:
        if outcome.refusal is not None:
            outcome.request.future.set_exception(outcome.refusal)
            return
        items = [
            Appended(e, positions[(e.originator_id, e.originator_version)]) for e in outcome.events
        ]
        outcome.request.future.set_result(AppendResult(items))

    def _prepare(self, request: _Request, staged: StagedLedger, now: datetime) -> _Outcome | None:
        """Decide one request; answer at once a replay or a refusal with nothing to record."""
        claim = request.claim
        try:
            version = self._check_claim(claim, now) if claim else 0
            scratch = staged.child()
            events = decide_request(
                request.items, request.batch, scratch, request.recorded_by, now, self._stamper
            )
            staged.merge(scratch)
        except _Replay as replay:
            replay.answer(request.future)
            return None
        except DomainError as error:
            if claim is None or isinstance(error, IdempotencyKeyReused):
                request.future.set_exception(error)
                return None
            # Remember the refusal: a retry must get this answer even if the log changes.
            refused = idempotency.record(
                claim, version + 1, [], now, self._ttl, refusal=refusals.to_record(error)
            )
            return _Outcome(request, [], refused, error)
        if claim is None:
            return _Outcome(request, events, None)
        refs = [(e.originator_id, e.originator_version) for e in events]
        return _Outcome(
            request, events, idempotency.record(claim, version + 1, refs, now, self._ttl)
        )

    def _check_claim(self, claim: IdempotencyClaim, now: datetime) -> int:
        """The key's record version, or raise _Replay with the first answer for a retry."""
        records = cast(list[IdempotencyKeyUsed], list(self._log.events.get(claim.aggregate_id)))
        if not records or not idempotency.is_live(records[-1], now):
            return len(records)
        latest = records[-1]
        if not claim.matches(latest.request_hash):
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used with a different request body",
                [Problem("used before with another body", "Idempotency-Key")],
            )
        if latest.refusal is not None:
            raise _Replay(refusal=refusals.from_record(latest.refusal))
        raise _Replay(
            result=AppendResult(
                [self._load_appended(oid, v) for oid, v in latest.events], replayed=True
            )
        )

    def _load_appended(self, originator_hex: object, version: object) -> Appended:
        oid, v = UUID(str(originator_hex)), int(cast(int, version))
        event = cast(Recorded, next(iter(self._log.events.get(oid, gt=v - 1, lte=v))))
        return Appended(event, cast(int, self._log.position_of(oid, v)))


class _Replay(Exception):
    """The first answer to an Idempotency-Key, found while preparing its retry."""

    def __init__(self, result: AppendResult | None = None, refusal: DomainError | None = None):
        super().__init__("replay")
        self.result, self.refusal = result, refusal

    def answer(self, future: Future[AppendResult]) -> None:
        if self.refusal is not None:
            future.set_exception(self.refusal)
        else:
            future.set_result(cast(AppendResult, self.result))
