"""The webhook worker (docs/webhooks.md): claim due deliveries, send them, record every
attempt.

Claiming, under a lease so that several workers share the load and an attempt is never sent
twice at once, is in claims.py. Attempts are sent from a small pool of threads.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from projections.database import write_transaction
from services.webhooks import tables as t
from services.webhooks.claims import LEASE_US, Claimed, claim_due
from services.webhooks.http_post import Outcome, post
from services.webhooks.retries import FAILING_DAYS_BEFORE_DISABLE, next_delay
from services.webhooks.secrets_box import SecretBox
from services.webhooks.signing import signature_header

log = logging.getLogger(__name__)
DAY_US = 86_400_000_000


class DeliveryWorker:
    def __init__(
        self,
        engine: Engine,
        box: SecretBox,
        now_us: Callable[[], int],
        *,
        schedule: tuple[float, ...],
        allow_private: bool,
        threads: int = 16,
        batch: int = 100,
    ):
        self.engine, self.box, self.now_us = engine, box, now_us
        self.schedule, self.allow_private, self.batch = schedule, allow_private, batch
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="regtl-webhook")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        # (outcome, attempt seconds) of each recorded attempt: the metrics hook
        # (services/operations/metrics.py); outcomes are those of `_settle_failed` and
        # "delivered"
        self.observe: Callable[[str, float], None] = lambda _outcome, _seconds: None

    # -- one round ---------------------------------------------------------------------
    def run_once(self) -> int:
        """Claim, send and record one batch; return how many deliveries were claimed."""
        claimed = self.claim()
        if not claimed:
            return 0
        outcomes = list(self.pool.map(self.send, claimed))
        self.record(claimed, outcomes)
        return len(claimed)

    def claim(self) -> list[Claimed]:
        """Lease this worker's next batch of due deliveries (claims.py)."""
        return claim_due(self.engine, self.now_us(), self.batch)

    def send(self, item: Claimed) -> Outcome:
        """One attempt; never raises: its failure is this delivery's alone."""
        started = time.monotonic()
        try:
            return self._attempt(item)
        except Exception as error:  # noqa: BLE001
            # The one catch-all, by design (docs/architecture.md, "Webhooks and the live
            # stream"): whatever one subscription's stored row does here (a URL, a secret,
            # a message we cannot handle), it must become a failed attempt of that delivery.
            # An exception escaping would leave every delivery of the batch, any tenant's,
            # sent but unrecorded, and sent again when the lease expires.
            log.warning(
                "webhook attempt of delivery %s could not be made", item.delivery_id, exc_info=True
            )
            latency = round((time.monotonic() - started) * 1000, 2)
            return Outcome(None, latency, f"attempt not made: {type(error).__name__}: {error}")

    def _attempt(self, item: Claimed) -> Outcome:
        try:
            secrets = [self.box.open(item.secret)]
            if item.previous_secret is not None:
                secrets.append(self.box.open(item.previous_secret))  # both sign in a rotation
        except ValueError as error:  # REGTL_SECRET_KEY changed since it was sealed
            return Outcome(None, 0.0, f"{error}; rotate the subscription's secret")
        timestamp = self.now_us() // 1_000_000
        headers = {
            "webhook-id": item.msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(secrets, item.msg_id, timestamp, item.body),
        }
        return post(item.url, item.body, headers, allow_private=self.allow_private)

    def record(self, claimed: list[Claimed], outcomes: list[Outcome]) -> None:
        """Every attempt of the batch, in one transaction; should that fail, one by one, so
        that no delivery's record can keep the others' from being kept."""
        pairs = list(zip(claimed, outcomes, strict=True))
        try:
            self._record(pairs)
        except SQLAlchemyError:
            log.exception(
                "recording %d webhook attempts failed; recording them one by one", len(pairs)
            )
            for pair in pairs:
                try:
                    self._record([pair])
                except SQLAlchemyError:  # its lease expires and it is attempted again
                    log.exception(
                        "recording the attempt of delivery %s failed", pair[0].delivery_id
                    )

    def _record(self, pairs: list[tuple[Claimed, Outcome]]) -> None:
        now = self.now_us()
        with write_transaction(self.engine) as conn:
            conn.execute(
                insert(t.attempt),
                [
                    {
                        "delivery_id": c.delivery_id,
                        "subscription_id": c.subscription_id,
                        "attempted_at_us": now,
                        "status_code": o.status,
                        "latency_ms": o.latency_ms,
                        "error": _storable(o.error),
                        "response_body": _storable(o.body),
                    }
                    for c, o in pairs
                ],
            )
            self._settle_delivered(conn, [c for c, o in pairs if o.ok], now)
            outcomes = [
                ("delivered" if o.ok else self._settle_failed(conn, c, o, now), o) for c, o in pairs
            ]
        for outcome, o in outcomes:  # counted once the transaction that records them is kept
            self.observe(outcome, o.latency_ms / 1000)

    @staticmethod
    def _settle_delivered(conn: Any, delivered: list[Claimed], now: int) -> None:
        """Successes, the common case, in two statements whatever their number."""
        if not delivered:
            return
        d, s = t.delivery, t.subscription
        conn.execute(
            update(d)
            .where(d.c.id.in_([c.delivery_id for c in delivered]))
            .values(
                status="delivered",
                attempts=d.c.attempts + 1,
                lease_until_us=None,
                updated_at_us=now,
            )
        )
        conn.execute(
            update(s)
            .where(
                s.c.id.in_({c.subscription_id for c in delivered}),
                s.c.failing_since_us.is_not(None),
            )
            .values(failing_since_us=None)
        )

    def _settle_failed(self, conn: Any, c: Claimed, o: Outcome, now: int) -> str:
        """Record one failed attempt; say what became of the delivery: failed_attempt
        (retried later), exhausted (no retry left), gone (410: the subscription disabled)
        or disabled (failing for 5 days)."""
        d, s = t.delivery, t.subscription
        attempts = c.attempts + 1
        if o.status == 410:  # Gone: the receiver asks us to stop
            self._disable(conn, c.subscription_id, now, "the endpoint answered 410 Gone")
        delay = next_delay(self.schedule, attempts, o.retry_after)
        values: dict[str, Any] = {
            "attempts": attempts,
            "lease_until_us": None,
            "updated_at_us": now,
        }
        if delay is None:
            values["status"] = "failed"  # kept; `recover` sends it again
        else:
            values["next_attempt_us"] = now + int(delay * 1_000_000)
        if o.status == 410:
            values["status"] = "held"  # waits for the subscription to be re-enabled
        conn.execute(update(d).where(d.c.id == c.delivery_id).values(**values))
        since = conn.execute(
            select(s.c.failing_since_us).where(s.c.id == c.subscription_id)
        ).scalar()
        outcome = "gone" if o.status == 410 else "exhausted" if delay is None else "failed_attempt"
        if since is None:
            conn.execute(update(s).where(s.c.id == c.subscription_id).values(failing_since_us=now))
        elif now - since >= FAILING_DAYS_BEFORE_DISABLE * DAY_US:
            self._disable(conn, c.subscription_id, now, "failing for 5 days")
            outcome = "disabled" if outcome == "failed_attempt" else outcome
        return outcome

    @staticmethod
    def _disable(conn: Any, subscription_id: str, now: int, reason: str) -> None:
        s, d = t.subscription, t.delivery
        conn.execute(
            update(s)
            .where(s.c.id == subscription_id, s.c.disabled_at_us.is_(None))
            .values(disabled_at_us=now, disabled_reason=reason)
        )
        # what was waiting stays, held, and resumes where it stopped when re-enabled
        conn.execute(
            update(d)
            .where(d.c.subscription_id == subscription_id, d.c.status == "pending")
            .values(status="held")
        )

    # -- the background loop -------------------------------------------------------------
    def nudge(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="regtl-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=20)
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                while self.run_once() and not self._stop.is_set():
                    pass
            except Exception:  # the loop must survive a bad round; it is retried
                log.exception("webhook worker round failed")
            self._wake.wait(0.25)


def _storable(text: str | None) -> str | None:
    """Text any database keeps: PostgreSQL refuses NUL in text (a receiver's answer could
    otherwise fail the record of the whole batch), and lone surrogates do not encode."""
    if text is None:
        return None
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")[:16_384]


__all__ = ["LEASE_US", "Claimed", "DeliveryWorker", "json"]
