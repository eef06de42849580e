"""The three clocks' strict time syntax (docs/clocks.md).

pydantic accepts naive date-times and epoch numbers and turns a bare date into a naive
midnight; comparing naive and aware values then raises. We parse by hand instead: an
RFC 3339 timestamp *with an offset*, or a bare UTC day whose meaning depends on the role
the value plays (an event time, a point or upper bound, a lower bound, an exclusive end).
Internally an instant is an aware UTC datetime; on the wire it is canonical text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import lru_cache

# ASCII digits only (`\d` also matches other scripts' digits, which int() accepts), and
# matched with fullmatch (`$` alone would let a trailing newline through).
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))"
)
# A `+` offset sent unencoded in a URL query arrives as a space (form encoding).
_SPACED_OFFSET = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)? [0-9]{2}:?[0-9]{2}"
)
_ONE_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class DateRole(Enum):
    """What a bare date means, by where it is used."""

    START = "start"  # an event time or a lower bound: the start of that UTC day
    END = "end"  # a point or an upper bound: the last microsecond of that day
    EXCLUSIVE_END = "exclusive_end"  # expires_at: the next day's midnight


def parse_instant(
    value: object, role: DateRole = DateRole.START, *, remember: bool = True
) -> datetime:
    """Parse a timestamp with offset or a bare date; raise ValueError saying what is wrong.

    `remember=False` for one-off text (a request's parameters): the cache is for the
    instants that recur across a log, and every entry it keeps is one more long-lived
    object for the garbage collector to walk."""
    if not isinstance(value, str):
        raise ValueError(
            "must be an RFC 3339 timestamp with an offset (e.g. 2025-08-11T00:00:00Z) "
            "or a date YYYY-MM-DD, as a string"
        )
    return _remembered(value, role) if remember else _parse_text(value, role)


def _parse_text(value: str, role: DateRole) -> datetime:
    day = _DATE.fullmatch(value)
    if day:
        return _bare_date(value, day, role)
    stamp = _TIMESTAMP.fullmatch(value)
    if stamp is None:
        if _SPACED_OFFSET.fullmatch(value):
            raise ValueError(
                f"{value!r} has a space where its offset's sign should be: a '+' in a URL "
                f"must be written %2B ({value.replace(' ', '%2B')})"
            )
        if re.match(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", value):
            raise ValueError(f"{value!r} has no UTC offset: add 'Z' or '+HH:MM'")
        raise ValueError(
            f"{value[:40]!r} is not an RFC 3339 timestamp with an offset "
            "(at most 6 fractional digits) or a date YYYY-MM-DD"
        )
    return _timestamp(value, stamp)


def _bare_date(value: str, match: re.Match[str], role: DateRole) -> datetime:
    try:
        year, month, day = map(int, match.groups())
        start = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None
    if role is DateRole.START:
        return start
    try:
        next_day = start + timedelta(days=1)
    except OverflowError:
        raise ValueError(f"{value!r} is out of range") from None
    return next_day if role is DateRole.EXCLUSIVE_END else next_day - _ONE_MICROSECOND


def _timestamp(value: str, m: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    micro = int((m.group(7) or "0").ljust(6, "0"))
    try:
        local = datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
        if m.group(8) is None:
            hours, minutes = int(m.group(10)), int(m.group(11))
            if hours > 23 or minutes > 59:
                raise ValueError
            offset = timedelta(hours=hours, minutes=minutes)
            local = local - offset if m.group(9) == "+" else local + offset
    except (ValueError, OverflowError):
        raise ValueError(f"{value!r} is not a valid date-time") from None
    return local


@lru_cache(maxsize=65_536)
def format_instant(moment: datetime) -> str:
    """Canonical text: YYYY-MM-DDTHH:MM:SS[.ffffff]Z (fraction only when non-zero)."""
    u = moment.astimezone(UTC)
    text = f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
    if u.microsecond:
        text += f".{u.microsecond:06d}"
    return text + "Z"


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch: the integer form read models index and compare."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def utc_now() -> datetime:
    return datetime.now(UTC)


_remembered = lru_cache(maxsize=65_536)(_parse_text)  # the same instants recur across a log
