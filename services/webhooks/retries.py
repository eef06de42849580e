"""When to try again (docs/webhooks.md): 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, ±20 %."""

from __future__ import annotations

import random

DEFAULT_SCHEDULE = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
FAILING_DAYS_BEFORE_DISABLE = 5


def parse_schedule(text: str | None) -> tuple[float, ...]:
    """REGTL_WEBHOOK_RETRY_SCHEDULE, e.g. "0,0.2,0.5,1" (seconds; the first is attempt 1)."""
    if not text:
        return DEFAULT_SCHEDULE
    try:
        delays = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(
            "REGTL_WEBHOOK_RETRY_SCHEDULE must be comma-separated seconds, e.g. 0,5,300"
        ) from None
    if not delays or any(d < 0 for d in delays):
        raise ValueError("REGTL_WEBHOOK_RETRY_SCHEDULE needs at least one delay, none negative")
    return delays


_JITTER = random.Random()  # tests pass their own, seeded


def next_delay(
    schedule: tuple[float, ...],
    attempts_made: int,
    retry_after: float | None,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds until the next attempt after `attempts_made` failures; None: exhausted.

    A receiver's Retry-After is honoured but clamped to [1×, 2×] the scheduled delay, so a
    receiver can slow us down a little, not stall or speed up its own retries.
    """
    if attempts_made >= len(schedule):
        return None
    planned = schedule[attempts_made]
    if retry_after is not None:
        return min(max(retry_after, planned), 2 * planned)
    return planned * (rng or _JITTER).uniform(0.8, 1.2)
