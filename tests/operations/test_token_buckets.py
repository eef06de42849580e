"""The token bucket on its own (services/operations/rate_limits.py), on a hand-moved clock."""

from __future__ import annotations

import pytest

from services.operations.rate_limits import Rate, TokenBuckets, parse_rate


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("100/s", Rate(100, 1.0)),
        ("6000/min", Rate(6000, 60.0)),
        (" 10 / hour ", Rate(10, 3600.0)),
        ("1/h", Rate(1, 3600.0)),
    ],
)
def test_rates_parse(text: str, rate: Rate) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["100", "0/s", "-1/s", "1.5/s", "10/day", "ten/s", "/s"])
def test_a_bad_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a rate"):
        parse_rate(text)


def test_burst_then_the_rate() -> None:
    ticks = Ticks()
    buckets = TokenBuckets(parse_rate("10/s"), ticks)
    taken = [buckets.take("a").allowed for _ in range(21)]
    assert taken == [True] * 20 + [False]
    ticks.now += 0.1  # one token
    assert buckets.take("a").allowed and not buckets.take("a").allowed
    ticks.now -= 5  # a monotonic source never goes back; if one did, nothing refills
    assert not buckets.take("a").allowed


def test_the_verdict_headers() -> None:
    ticks = Ticks()
    buckets = TokenBuckets(parse_rate("1/s"), ticks)
    first = buckets.take("a")
    assert first.headers() == {
        "RateLimit-Limit": "2",
        "RateLimit-Remaining": "1",
        "RateLimit-Reset": "1",
    }
    buckets.take("a")
    refused = buckets.take("a")
    assert not refused.allowed and refused.retry_after == 1 and refused.reset_seconds == 2


def test_the_least_recently_used_bucket_is_forgotten_past_the_cap() -> None:
    ticks = Ticks()
    buckets = TokenBuckets(parse_rate("1/h"), ticks, max_buckets=2)
    for who in ("a", "a", "b", "c"):  # "a" empties, then is forgotten for "c"
        buckets.take(who)
    assert buckets.take("a").allowed  # back full: forgetting errs on the lenient side
