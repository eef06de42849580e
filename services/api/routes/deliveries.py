"""A subscription's deliveries (docs/webhooks.md): every attempt, and queueing them again
(replay, recover, resend, ping). Routed on the prefix and tags of subscriptions.py, whose
router app.py includes just before this one, so the paths match in the same order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.api.contract import answer, body
from services.api.deps import ContainerDep
from services.api.params import Integer
from services.api.problems import ApiProblem
from services.api.routes.subscriptions import (
    Subscriber,
    json_response,
    now_us,
    own_subscription,
    run_db,
)
from services.api.schemas.operations import AttemptPage, PingQueued, Queued
from services.api.subscription_bodies import ReplayIn, read_body, replay_since
from services.bootstrap import Container
from services.webhooks import queueing
from services.webhooks import subscriptions as subs

router = APIRouter(prefix="/v1/subscriptions", tags=["webhooks"])


# Seconds a client refused for too many waiting deliveries is told to wait: about what a
# worker takes to send a few thousand (docs/configuration.md, webhooks).
RETRY_AFTER_SECONDS = 60
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "too many deliveries of this subscription are waiting "
        "(REGTL_WEBHOOK_MAX_PENDING_PER_SUBSCRIPTION); Retry-After",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
}


async def _queue(container: Container, work: Any, sub_id: str, *args: Any) -> Any:
    """Replay, recover, resend or ping: capped per subscription (a 429 beyond the cap)."""
    cap = container.settings.webhook_max_pending_per_subscription
    try:
        result = await run_db(container, work, sub_id, *args, now_us(container), cap, write=True)
    except queueing.TooManyPending as error:
        raise ApiProblem(
            "rate-limited",
            str(error),
            [{"detail": "too many deliveries waiting", "parameter": "subscription_id"}],
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None
    container.webhooks.worker.nudge()
    return result


@router.get(
    "/{subscription_id}/deliveries",
    summary="Every attempt (newest first), 30 days",
    operation_id="listDeliveries",
    responses=answer(AttemptPage),
)
async def attempts(
    container: ContainerDep,
    key: Subscriber,
    subscription_id: str,
    before: Annotated[
        Integer | None,
        Query(
            description="Cursor: attempts older than this attempt id (the `next` "
            "of the previous page)."
        ),
    ] = None,
    limit: Annotated[Integer, Query(description="Attempts per page, 1 to 1000.")] = 100,
) -> Response:
    await own_subscription(container, key, subscription_id)
    if not 1 <= limit <= 1000:
        raise ApiProblem(
            "validation-error",
            "limit must be 1 to 1000",
            [{"detail": "1 to 1000", "parameter": "limit"}],
        )
    items = await run_db(
        container, subs.deliveries, subscription_id, before, limit + 1, now_us(container)
    )
    nxt = items[limit - 1]["attempt_id"] if len(items) > limit else None
    return json_response({"items": items[:limit], "next": None if nxt is None else str(nxt)})


@router.post(
    "/{subscription_id}/replay",
    status_code=202,
    operation_id="replaySubscription",
    summary="Send again from a position or a time (inclusive), at most 100k messages",
    responses={**answer(Queued, 202, "queued"), **TOO_MANY},
    openapi_extra=body(ReplayIn, "exactly one of from_position and from_time"),
)
async def replay(
    request: Request, container: ContainerDep, key: Subscriber, subscription_id: str
) -> Response:
    await own_subscription(container, key, subscription_id)
    body = await read_body(request, ReplayIn, container)
    since = replay_since(body)
    start = body.from_position
    if since is not None:
        start = await run_db(container, queueing.first_position_recorded_since, since)
        if start is None:
            return json_response({"queued": 0}, 202)
    pointer = "/from_time" if body.from_time is not None else "/from_position"
    try:
        queued = await _queue(container, queueing.replay, subscription_id, start)
    except queueing.ReplayTooLarge as error:
        raise ApiProblem(
            "validation-error", str(error), [{"detail": str(error), "pointer": pointer}]
        ) from None
    return json_response({"queued": queued}, 202)


@router.post(
    "/{subscription_id}/recover",
    status_code=202,
    summary="Send the failed ones again",
    operation_id="recoverSubscription",
    responses={**answer(Queued, 202, "queued"), **TOO_MANY},
)
async def recover(container: ContainerDep, key: Subscriber, subscription_id: str) -> Response:
    await own_subscription(container, key, subscription_id)
    queued = await _queue(container, queueing.recover, subscription_id)
    return json_response({"queued": queued}, 202)


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/resend",
    status_code=202,
    summary="Send one delivery again now",
    operation_id="resendDelivery",
    responses={**answer(Queued, 202, "queued"), **TOO_MANY},
)
async def resend(
    container: ContainerDep, key: Subscriber, subscription_id: str, delivery_id: Integer
) -> Response:
    await own_subscription(container, key, subscription_id)
    if not await _queue(container, queueing.resend, subscription_id, delivery_id):
        raise ApiProblem(
            "not-found",
            f"no delivery {delivery_id} of this subscription",
            [{"detail": "not found", "parameter": "delivery_id"}],
        )
    return json_response({"queued": 1}, 202)


@router.post(
    "/{subscription_id}/ping",
    status_code=202,
    summary="Send a signed test message",
    operation_id="pingSubscription",
    responses={**answer(PingQueued, 202, "queued"), **TOO_MANY},
)
async def ping(container: ContainerDep, key: Subscriber, subscription_id: str) -> Response:
    await own_subscription(container, key, subscription_id)
    msg_id = await _queue(container, queueing.ping, subscription_id)
    return json_response({"msg_id": msg_id}, 202)


__all__ = ["router"]
