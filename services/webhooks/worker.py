"""The webhook worker: claim due deliveries, send them, record every attempt.

Claims take a lease longer than the attempt deadline (`UPDATE … WHERE id IN (SELECT … FOR
UPDATE SKIP LOCKED)` on PostgreSQL), so several workers share the load and an attempt is
never sent twice at once; a worker that dies mid-attempt leaves a lease that expires, and
the delivery is retried (at least once). Attempts are sent from a small pool of threads.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select, text, update

from domain.clocks import from_micros
from projections.database import is_sqlite, write_transaction
from services.webhooks import tables as t
from services.webhooks.http_post import Outcome, post
from services.webhooks.retries import FAILING_DAYS_BEFORE_DISABLE, next_delay
from services.webhooks.secrets_box import SecretBox
from services.webhooks.signing import signature_header

log = logging.getLogger(__name__)
LEASE_US = 60_000_000  # longer than the 15 s deadline of an attempt
DAY_US = 86_400_000_000


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    subscription_id: str
    attempts: int
    url: str
    secrets: list[str]
    msg_id: str
    body: bytes


class DeliveryWorker:
    def __init__(self, engine: Engine, box: SecretBox, now_us: Callable[[], int], *,
                 schedule: tuple[float, ...], allow_private: bool, threads: int = 16,
                 batch: int = 100):
        self.engine, self.box, self.now_us = engine, box, now_us
        self.schedule, self.allow_private, self.batch = schedule, allow_private, batch
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="regtl-webhook")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one round ---------------------------------------------------------------------
    def run_once(self) -> int:
        """Claim, send and record one batch; return how many attempts were made."""
        claimed = self.claim()
        if not claimed:
            return 0
        outcomes = list(self.pool.map(self.send, claimed))
        self.record(claimed, outcomes)
        return len(claimed)

    def claim(self) -> list[Claimed]:
        now = self.now_us()
        due = ("SELECT id FROM webhook_delivery WHERE status = 'pending' AND next_attempt_us <= :now"
               " AND (lease_until_us IS NULL OR lease_until_us < :now)"
               " ORDER BY next_attempt_us LIMIT :n")
        if not is_sqlite(self.engine):
            due += " FOR UPDATE SKIP LOCKED"
        with write_transaction(self.engine) as conn:
            rows = conn.execute(text(
                f"UPDATE webhook_delivery SET lease_until_us = :lease WHERE id IN ({due})"
                " RETURNING id, subscription_id, message_id, attempts"),
                {"now": now, "lease": now + LEASE_US, "n": self.batch}).all()
            if not rows:
                return []
            messages = {r.id: r for r in conn.execute(
                select(t.message.c.id, t.message.c.msg_id, t.message.c.body)
                .where(t.message.c.id.in_({r.message_id for r in rows})))}
            subs = {s.id: s for s in conn.execute(select(t.subscription).where(
                t.subscription.c.id.in_({r.subscription_id for r in rows})))}
        secrets = {sub_id: self._secrets(sub, now) for sub_id, sub in subs.items()}
        return [Claimed(r.id, r.subscription_id, r.attempts, subs[r.subscription_id].url,
                        secrets[r.subscription_id],
                        messages[r.message_id].msg_id, bytes(messages[r.message_id].body))
                for r in rows]

    def _secrets(self, sub: Any, now: int) -> list[str]:
        live = [self.box.open(sub.secret)]
        if sub.previous_secret is not None and (sub.previous_secret_until_us or 0) > now:
            live.append(self.box.open(sub.previous_secret))  # both sign during a rotation
        return live

    def send(self, item: Claimed) -> Outcome:
        timestamp = self.now_us() // 1_000_000
        headers = {"webhook-id": item.msg_id, "webhook-timestamp": str(timestamp),
                   "webhook-signature": signature_header(item.secrets, item.msg_id, timestamp,
                                                         item.body)}
        return post(item.url, item.body, headers, allow_private=self.allow_private)

    def record(self, claimed: list[Claimed], outcomes: list[Outcome]) -> None:
        now = self.now_us()
        with write_transaction(self.engine) as conn:
            conn.execute(insert(t.attempt), [
                {"delivery_id": c.delivery_id, "subscription_id": c.subscription_id,
                 "attempted_at_us": now, "status_code": o.status, "latency_ms": o.latency_ms,
                 "error": o.error, "response_body": o.body}
                for c, o in zip(claimed, outcomes, strict=True)])
            delivered = [c for c, o in zip(claimed, outcomes, strict=True) if o.ok]
            self._settle_delivered(conn, delivered, now)
            for c, o in zip(claimed, outcomes, strict=True):
                if not o.ok:
                    self._settle_failed(conn, c, o, now)

    @staticmethod
    def _settle_delivered(conn: Any, delivered: list[Claimed], now: int) -> None:
        """Successes, the common case, in two statements whatever their number."""
        if not delivered:
            return
        d, s = t.delivery, t.subscription
        conn.execute(update(d).where(d.c.id.in_([c.delivery_id for c in delivered])).values(
            status="delivered", attempts=d.c.attempts + 1, lease_until_us=None,
            updated_at_us=now))
        conn.execute(update(s).where(s.c.id.in_({c.subscription_id for c in delivered}),
                                     s.c.failing_since_us.is_not(None))
                     .values(failing_since_us=None))

    def _settle_failed(self, conn: Any, c: Claimed, o: Outcome, now: int) -> None:
        d, s = t.delivery, t.subscription
        attempts = c.attempts + 1
        if o.status == 410:  # Gone: the receiver asks us to stop
            self._disable(conn, c.subscription_id, now, "the endpoint answered 410 Gone")
        delay = next_delay(self.schedule, attempts, o.retry_after)
        values: dict[str, Any] = {"attempts": attempts, "lease_until_us": None, "updated_at_us": now}
        if delay is None:
            values["status"] = "failed"  # kept; `recover` sends it again
        else:
            values["next_attempt_us"] = now + int(delay * 1_000_000)
        if o.status == 410:
            values["status"] = "held"  # waits for the subscription to be re-enabled
        conn.execute(update(d).where(d.c.id == c.delivery_id).values(**values))
        since = conn.execute(select(s.c.failing_since_us).where(s.c.id == c.subscription_id)).scalar()
        if since is None:
            conn.execute(update(s).where(s.c.id == c.subscription_id).values(failing_since_us=now))
        elif now - since >= FAILING_DAYS_BEFORE_DISABLE * DAY_US:
            self._disable(conn, c.subscription_id, now, "failing for 5 days")

    @staticmethod
    def _disable(conn: Any, subscription_id: str, now: int, reason: str) -> None:
        s, d = t.subscription, t.delivery
        conn.execute(update(s).where(s.c.id == subscription_id, s.c.disabled_at_us.is_(None))
                     .values(disabled_at_us=now, disabled_reason=reason))
        # what was waiting stays, held, and resumes where it stopped when re-enabled
        conn.execute(update(d).where(d.c.subscription_id == subscription_id,
                                     d.c.status == "pending").values(status="held"))

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


def describe_time(us: int | None) -> str | None:
    from domain.clocks import format_instant

    return None if us is None else format_instant(from_micros(us))


__all__ = ["DeliveryWorker", "describe_time", "json"]
