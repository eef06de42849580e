"""A clock the tests move by hand (the one fake we allow: time is outside our control)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)):
        self.now = start
        self.start = start

    def monotonic(self) -> float:
        """Seconds since the start, moved by `advance` only: the rate limiter's time
        (bootstrap(..., monotonic=clock.monotonic))."""
        return (self.now - self.start).total_seconds()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
