"""Read-your-writes: wait (asynchronously, bounded) until projections reach a position."""

from __future__ import annotations

import asyncio
import time

from services.api.problems import ApiProblem
from services.bootstrap import Container

_POLL_SECONDS = 0.02


async def wait_for_position(
    container: Container, position: int, timeout: float | None = None
) -> None:
    """Return once the `events` projection has applied `position`; 503 after the timeout.

    Async on purpose: a blocked `def` route would hold one of AnyIO's 40 worker threads.
    """
    if container.events_projector.position >= position:
        return
    head = await asyncio.to_thread(container.log.head)
    if position > head:  # never written (any process's write is in the head): no wait helps
        raise ApiProblem(
            "validation-error",
            f"min_position {position} is beyond the log's head ({head})",
            [{"detail": f"at most {head}", "parameter": "min_position"}],
        )
    limit = container.settings.min_position_wait_seconds if timeout is None else timeout
    deadline = time.monotonic() + limit
    while True:
        if container.events_projector.position >= position:
            return
        reached = await asyncio.to_thread(container.projected_position)
        if reached >= position:
            container.events_projector.position = max(container.events_projector.position, reached)
            return
        if time.monotonic() >= deadline:
            raise ApiProblem(
                "not-ready",
                f"projections are at position {reached}, not yet {position}; retry shortly",
                [{"detail": "not reached yet", "parameter": "min_position"}],
                headers={"Retry-After": "1"},
            )
        container.runner.nudge()
        await asyncio.sleep(_POLL_SECONDS)
