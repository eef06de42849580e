"""Token buckets: one per API key, one per client address for everything else
(docs/http.md, "Rate limits").

A bucket holds up to twice the configured count (the burst) and refills at the configured
rate. Time comes from an injected monotonic source: the wall clock may jump (NTP, a fake
clock in tests), and a bucket must never refill or drain because of that.

Buckets live in this process only: N replicas allow up to N times the limit
(docs/deploy.md, "Threat model").
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

PERIODS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
}
_RATE = re.compile(r"\s*([0-9]{1,9})\s*/\s*([a-z]+)\s*")
# Past this many buckets the least recently used is forgotten (a client from many addresses
# must not grow memory without bound); a forgotten bucket comes back full.
MAX_BUCKETS = 100_000


@dataclass(frozen=True)
class Rate:
    count: int
    period_seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.period_seconds

    @property
    def burst(self) -> int:
        return 2 * self.count


def parse_rate(text: str) -> Rate:
    """`100/s`, `6000/min`, `10000/h`; ValueError names what is wrong."""
    match = _RATE.fullmatch(text.lower())
    if match is None or match.group(2) not in PERIODS or int(match.group(1)) < 1:
        raise ValueError(
            f"{text!r} is not a rate: write COUNT/PERIOD, e.g. 100/s, 6000/min "
            "or 10000/h (COUNT at least 1)"
        )
    return Rate(int(match.group(1)), PERIODS[match.group(2)])


@dataclass(frozen=True)
class Verdict:
    """One request's answer from its bucket, and the headers that say so."""

    allowed: bool
    limit: int  # the burst: what a full bucket holds
    remaining: int  # whole requests left now
    reset_seconds: int  # until the bucket is full again
    retry_after: int  # until the next request is allowed (at least 1)

    def headers(self) -> dict[str, str]:
        """The three fields of draft-ietf-httpapi-ratelimit-headers (up to -06)."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class TokenBuckets:
    def __init__(self, rate: Rate, monotonic: Callable[[], float], max_buckets: int = MAX_BUCKETS):
        self.rate, self.monotonic, self.max_buckets = rate, monotonic, max_buckets
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when
        self._lock = threading.Lock()  # routes are async, but a thread may take one too

    def take(self, who: str) -> Verdict:
        with self._lock:
            now = self.monotonic()
            tokens = self._level(who, now)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[who] = (tokens, now)
            self._buckets.move_to_end(who)
            if len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)
        return self._verdict(allowed, tokens)

    def _level(self, who: str, now: float) -> float:
        burst = float(self.rate.burst)
        tokens, then = self._buckets.get(who, (burst, now))
        return min(burst, tokens + max(0.0, now - then) * self.rate.per_second)

    def _verdict(self, allowed: bool, tokens: float) -> Verdict:
        per_second, burst = self.rate.per_second, self.rate.burst
        return Verdict(
            allowed=allowed,
            limit=burst,
            remaining=int(tokens),
            reset_seconds=math.ceil((burst - tokens) / per_second - 1e-9),
            retry_after=max(1, math.ceil((1.0 - tokens) / per_second - 1e-9)),
        )


class RateLimiter:
    """Which bucket a request takes from: its key's when it has a valid one, otherwise its
    client address's (anonymous reads, and requests whose key was refused)."""

    def __init__(
        self,
        rate: Rate | None,
        monotonic: Callable[[], float],
        on_refused: Callable[[str], None] = lambda _scope: None,
    ):
        self.rate = rate
        self.buckets = TokenBuckets(rate, monotonic) if rate is not None else None
        self.on_refused = on_refused

    @property
    def enabled(self) -> bool:
        return self.buckets is not None

    def take(self, key_id: str | None, address: str) -> Verdict | None:
        """None when rate limits are off (REGTL_RATE_LIMIT unset)."""
        if self.buckets is None:
            return None
        scope, who = (
            ("key", f"key:{key_id}") if key_id is not None else ("address", f"address:{address}")
        )
        verdict = self.buckets.take(who)
        if not verdict.allowed:
            self.on_refused(scope)
        return verdict
