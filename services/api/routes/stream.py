"""GET /v1/stream: Server-Sent Events of the log, from the head or from Last-Event-ID.

Async end to end: one hub per process watches the views' checkpoint and wakes every open
stream when it moves, so a thousand idle streams cost one cheap query a tenth of a second,
and no stream ever holds one of the worker threads that blocking routes share.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.types import Send

from projections.event_queries import list_events
from services.api.deps import ContainerDep, Reader
from services.api.event_filters import EventQuery
from services.api.params import parse_integer
from services.api.problems import ApiProblem
from services.bootstrap import Container

router = APIRouter(prefix="/v1", tags=["events"])
PAGE = 200
SLOW_CONSUMER_SECONDS = 10.0
# OpenAPI 3.1 has a text/event-stream `schema` describe one event (its fields, as read).
SSE_EVENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "the log position"},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "the stored event, as GET /v1/events/{id}",
        },
        "event": {"type": "string"},
        "retry": {"type": "integer"},
    },
}  # a client that does not take a message for this long is dropped


class StreamHub:
    """Wakes waiting streams when the views move (one poller per process)."""

    def __init__(self, container: Container):
        self.container = container
        self.position = 0
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.open: dict[str, int] = {}

    def ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            position = await asyncio.to_thread(self.container.projected_position)
            if position != self.position:
                self.position = position
                self._changed.set()
                self._changed = asyncio.Event()
            await asyncio.sleep(0.1)

    async def wait_beyond(self, cursor: int, timeout: float) -> None:
        if self.position > cursor:
            return
        changed = self._changed
        try:
            await asyncio.wait_for(changed.wait(), timeout)
        except TimeoutError:
            pass


def _hub(container: Container) -> StreamHub:
    hub: StreamHub | None = container.extras.get("stream_hub")
    if hub is None:
        hub = container.extras["stream_hub"] = StreamHub(container)
    hub.ensure_running()
    return hub


class _DroppingStream(StreamingResponse):
    """Closes the connection when the client stops reading (it resumes with Last-Event-ID)."""

    async def stream_response(self, send: Send) -> None:
        async def patient_send(message: Any) -> None:
            await asyncio.wait_for(send(message), SLOW_CONSUMER_SECONDS)

        try:
            await super().stream_response(patient_send)
        except TimeoutError:
            return


def _admit(container: Container, hub: StreamHub, who: str) -> None:
    settings = container.settings
    if sum(hub.open.values()) >= settings.stream_max_total:
        raise ApiProblem(
            "rate-limited",
            "too many open streams on this server; retry shortly",
            headers={"Retry-After": "5"},
        )
    if hub.open.get(who, 0) >= settings.stream_max_per_key:
        raise ApiProblem(
            "rate-limited",
            f"at most {settings.stream_max_per_key} open streams per key",
            headers={"Retry-After": "5"},
        )


@router.get(
    "/stream",
    summary="Server-Sent Events: id is the position, data the event",
    response_class=StreamingResponse,
    operation_id="streamEvents",
    responses={
        200: {
            "description": "`id:` the position, `data:` the stored event "
            "(as GET /v1/events/{id}); a comment every 15 s keeps it open",
            "content": {"text/event-stream": {"schema": SSE_EVENT}},
        }
    },
)
async def stream(
    request: Request,
    container: ContainerDep,
    key: Reader,
    query: Annotated[EventQuery, Query()],
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    hub = _hub(container)
    who = key.id if key is not None else f"ip:{request.client.host if request.client else '?'}"
    _admit(container, hub, who)
    cursor = await _start(container, request, last_event_id, query)
    where = query.to_filter()
    keepalive = container.settings.stream_keepalive_seconds

    async def events() -> AsyncIterator[bytes]:
        nonlocal cursor
        hub.open[who] = hub.open.get(who, 0) + 1
        try:
            yield b": regtimeline stream\nretry: 2000\n\n"
            last_sent = time.monotonic()
            while not await request.is_disconnected():
                page = await asyncio.to_thread(_page, container, where, cursor)
                for position, body in page:
                    yield b"id: " + str(position).encode() + b"\ndata: " + body + b"\n\n"
                    cursor = position
                if page:
                    last_sent = time.monotonic()
                    continue
                if time.monotonic() - last_sent >= keepalive:
                    yield b": keep-alive\n\n"
                    last_sent = time.monotonic()
                await hub.wait_beyond(cursor, min(1.0, keepalive))
        finally:
            hub.open[who] -= 1

    return _DroppingStream(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _start(
    container: Container, request: Request, last_event_id: str | None, query: EventQuery
) -> int:
    """Last-Event-ID wins (a reconnect), then ?after=, else the head: only new events."""
    if last_event_id is not None:  # a log position: the one integer rule
        return parse_integer("Last-Event-ID", last_event_id.strip(), "header")
    if "after" in request.query_params:
        return query.after
    return await asyncio.to_thread(container.log.head)


def _page(container: Container, where: Any, cursor: int) -> list[tuple[int, bytes]]:
    with container.engine.connect() as conn:
        page = list_events(conn, where, cursor, PAGE)
    return list(zip(page.positions, page.bodies, strict=True))
