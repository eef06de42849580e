"""The log: append one event or a batch; read the log and single events."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from domain.envelope import Envelope
from domain.errors import Problem, VersionConflict
from projections.canonical import dumps, render_event
from projections.event_queries import get_event
from services.api.body import read_json_body
from services.api.contract import answer
from services.api.deps import ContainerDep, Reader, Writer
from services.api.event_filters import EventQuery, list_events_response
from services.api.params import parse_id, parse_integer
from services.api.problems import ApiProblem
from services.api.responses import cached_json
from services.api.schemas.events import BatchAppended, EventPage
from services.api.waiting import wait_for_position
from services.bootstrap import Container
from services.keys import ApiKey
from services.write.idempotency import MAX_KEY_LENGTH, IdempotencyClaim
from services.write.parsing import InputError, parse_envelope
from services.write.writer import AppendResult, Item

router = APIRouter(prefix="/v1", tags=["events"])
EVENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}},
    }
}
BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventBatch"}}},
    }
}
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


@router.post(
    "/events",
    status_code=201,
    openapi_extra=EVENT_BODY,
    operation_id="appendEvent",
    summary="Append one event",
    responses=answer(None, 201, "the stored event (Location: /v1/events/{id})", name="StoredEvent"),
)
async def append_event(
    request: Request,
    container: ContainerDep,
    key: Writer,
    idempotency_key: IdempotencyKey = None,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> Response:
    raw, value = await read_json_body(request, container.settings.max_body_bytes)
    envelope = _with_if_match(parse_envelope(value), if_match)
    try:
        result = await _append(container, key, [Item(envelope)], request, raw, idempotency_key)
    except VersionConflict as conflict:
        if if_match is not None:  # the version came from the header: point there
            conflict.problems = [Problem(p.detail, "If-Match") for p in conflict.problems]
        raise
    appended = result.items[0]
    body = dumps(render_event(appended.event, appended.position))
    return Response(
        body,
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/v1/events/{appended.event.event_id}"},
    )


@router.post(
    "/events/batch",
    status_code=201,
    openapi_extra=BATCH_BODY,
    operation_id="appendEventBatch",
    summary="Append up to 1,000 events, in order, all or nothing",
    responses=answer(BatchAppended, 201, "where each event of the batch was stored"),
)
async def append_batch(
    request: Request, container: ContainerDep, key: Writer, idempotency_key: IdempotencyKey = None
) -> Response:
    raw, value = await read_json_body(request, container.settings.max_batch_bytes)
    items = await asyncio.to_thread(_parse_batch, value, container.settings.max_batch_items)
    result = await _append(container, key, items, request, raw, idempotency_key, batch=True)
    body = dumps(
        {
            "items": [
                {
                    "id": a.event.event_id,
                    "position": a.position,
                    "version": a.event.originator_version,
                }
                for a in result.items
            ]
        }
    )
    return Response(body, status_code=201, media_type="application/json")


@router.get(
    "/events",
    summary="The raw log, paginated by position",
    operation_id="listEvents",
    responses=answer(EventPage),
)
async def list_events(
    request: Request, container: ContainerDep, _: Reader, query: Annotated[EventQuery, Query()]
) -> Response:
    if query.min_position is not None:
        await wait_for_position(container, query.min_position)
    return await asyncio.to_thread(list_events_response, request, container, query)


@router.get(
    "/events/{event_id}",
    summary="One stored event",
    operation_id="getEvent",
    responses=answer(None, name="StoredEvent"),
)
async def get_one_event(
    request: Request, container: ContainerDep, _: Reader, event_id: str
) -> Response:
    event_id = parse_id("event_id", event_id)
    body = await asyncio.to_thread(_read_event, container, event_id)
    if body is None:
        head = await asyncio.to_thread(container.log.head)
        if container.events_projector.position < head:  # perhaps just written: let it land
            await wait_for_position(container, head)
            body = await asyncio.to_thread(_read_event, container, event_id)
    if body is None:
        raise ApiProblem(
            "not-found",
            f"no event {event_id}",
            [{"detail": "no such event", "parameter": "event_id"}],
        )
    # A stored event never changes (revisions are events of their own): cache it for good.
    return cached_json(
        request, body, headers={"Cache-Control": "public, max-age=31536000, immutable"}
    )


def _read_event(container: Container, event_id: str) -> bytes | None:
    with container.engine.connect() as conn:
        return get_event(conn, event_id.lower())


def _with_if_match(envelope: Envelope, if_match: str | None) -> Envelope:
    if if_match is None:
        return envelope
    text = if_match.strip().removeprefix("W/").strip('"')
    version = parse_integer("If-Match", text, "header")  # a version in quotes, e.g. "3"
    if envelope.expected_version is not None and envelope.expected_version != version:
        raise ApiProblem(
            "validation-error",
            "If-Match and expected_version disagree",
            [{"detail": "disagrees with expected_version", "header": "If-Match"}],
        )
    return envelope.model_copy(update={"expected_version": version})


def _parse_batch(value: Any, max_items: int) -> list[Item]:
    if not isinstance(value, dict):
        raise ApiProblem(
            "validation-error",
            'the body must be {"events": [...]}',
            [{"detail": "must be a JSON object", "pointer": ""}],
        )
    unknown = sorted(set(value) - {"events"})
    if unknown:
        raise ApiProblem(
            "validation-error",
            f"unknown field {unknown[0]!r}",
            [{"detail": f"unknown field {k!r}", "pointer": f"/{k}"} for k in unknown],
        )
    events = value.get("events")
    if not isinstance(events, list) or not 1 <= len(events) <= max_items:
        raise ApiProblem(
            "validation-error",
            f"events must be a list of 1 to {max_items} events",
            [{"detail": f"must hold 1 to {max_items} events", "pointer": "/events"}],
        )
    items, errors = [], []
    for index, event in enumerate(events):
        try:
            items.append(Item(parse_envelope(event, f"/events/{index}")))
        except InputError as problem:
            errors.extend(problem.errors)
    if errors:
        raise ApiProblem(
            "validation-error",
            f"{len({e['pointer'].split('/')[2] for e in errors})} of {len(events)} "
            "events are invalid; nothing was stored",
            errors,
        )
    return items


async def _append(
    container: Container,
    key: ApiKey,
    items: list[Item],
    request: Request,
    raw: bytes,
    idempotency_key: str | None,
    *,
    batch: bool = False,
) -> AppendResult:
    claim = None
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= MAX_KEY_LENGTH:
            raise ApiProblem(
                "validation-error",
                "Idempotency-Key must be 1 to 255 characters",
                [{"detail": "1 to 255 characters", "header": "Idempotency-Key"}],
            )
        claim = IdempotencyClaim.of(key.id, idempotency_key, request.url.path, raw)
    inflight: set[tuple[str, str]] = container.extras.setdefault("inflight", set())
    token = (key.id, idempotency_key) if idempotency_key is not None else None
    if token is not None:
        if token in inflight:
            raise ApiProblem(
                "idempotency-in-flight",
                "the first request with this Idempotency-Key is still being processed",
                [{"detail": "in flight", "header": "Idempotency-Key"}],
                headers={"Retry-After": "1"},
            )
        inflight.add(token)
    try:
        return await asyncio.wrap_future(
            container.writer.submit(items, key.name, claim, batch=batch)
        )
    finally:
        if token is not None:
            inflight.discard(token)
