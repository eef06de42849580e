"""Reading (T, K, P) from a request: `as_of`, `known_at`, `at_position`, `min_position`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from domain.clocks import DateRole, parse_instant
from services.api.params import optional_integer
from services.api.problems import ApiProblem
from services.api.waiting import wait_for_position
from services.bootstrap import Container
from services.read.pit import Coordinates

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"


def parse_time(name: str, value: str | None, role: DateRole = DateRole.END) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_instant(value, role, remember=False)
    except ValueError as error:
        raise ApiProblem(
            "validation-error", f"{name}: {error}", [{"detail": str(error), "parameter": name}]
        ) from None


def parse_position(name: str, value: str | None) -> int | None:
    """A log position: the one integer rule (services/api/params.py)."""
    return optional_integer(name, value)


@dataclass(frozen=True)
class Resolved:
    at: Coordinates
    explicit: bool  # T, K and P all given (and K ≤ now, P ≤ checkpoint): cache forever

    @property
    def cache_control(self) -> str:
        return IMMUTABLE if self.explicit else SHORT


async def resolve(
    container: Container,
    as_of: str | None,
    known_at: str | None,
    at_position: str | None,
    min_position: str | None,
    *,
    uses_as_of: bool = True,
) -> Resolved:
    """`uses_as_of=False` for answers that do not depend on T (timeline, history): they are
    fixed forever once K and P are explicit."""
    now = container.clock()
    t = parse_time("as_of", as_of) or now
    k_given = parse_time("known_at", known_at)
    k = min(k_given, now) if k_given is not None else now  # embargoes hold: K is never the future
    p_given = parse_position("at_position", at_position)
    wanted = parse_position("min_position", min_position)
    if wanted is not None:
        await wait_for_position(container, wanted)
    has_t = as_of is not None or not uses_as_of
    if p_given is not None and p_given <= container.projected_floor:  # projected: no query
        return Resolved(
            Coordinates(t, k, p_given), explicit=has_t and k_given is not None and k_given <= now
        )
    checkpoint = await asyncio.to_thread(container.projected_position)
    if p_given is None:
        return Resolved(Coordinates(t, k, checkpoint), explicit=False)
    if p_given <= checkpoint:  # projected, so stored: no need to ask the log's head
        return Resolved(
            Coordinates(t, k, p_given), explicit=has_t and k_given is not None and k_given <= now
        )
    head = await asyncio.to_thread(container.log.head)
    if p_given > head:
        raise ApiProblem(
            "validation-error",
            f"at_position {p_given} is beyond the log's head ({head})",
            [{"detail": f"at most {head}", "parameter": "at_position"}],
        )
    if p_given > checkpoint:
        await wait_for_position(container, p_given)
    explicit = has_t and k_given is not None and k_given <= now and p_given <= checkpoint
    return Resolved(Coordinates(t, k, p_given), explicit)
