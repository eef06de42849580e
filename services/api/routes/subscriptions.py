"""Webhook subscriptions (docs/webhooks.md): keys with the `subscribe` scope (their own) or `admin`."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from domain.clocks import to_micros
from projections.canonical import dumps
from projections.database import write_transaction
from services.api.contract import answer, body, query
from services.api.deps import ContainerDep, require
from services.api.params import Integer, optional_id, parse_id
from services.api.problems import ApiProblem
from services.api.schemas.operations import (
    AttemptPage,
    PingQueued,
    Queued,
    Subscription,
    SubscriptionPage,
    SubscriptionWithSecret,
)
from services.api.subscription_bodies import (
    ReplayIn,
    SubscriptionIn,
    SubscriptionPatch,
    patch_fields,
    read_body,
    replay_since,
)
from services.bootstrap import Container
from services.keys import ApiKey, load_keys
from services.webhooks import subscriptions as subs

router = APIRouter(prefix="/v1/subscriptions", tags=["webhooks"])
Subscriber = Annotated[ApiKey, require("subscribe")]


def _json(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def _now(container: Container) -> int:
    return to_micros(container.clock())


async def _db(container: Container, work: Any, *args: Any, write: bool = False) -> Any:
    def run() -> Any:
        if write:
            with write_transaction(container.engine) as conn:
                return work(conn, *args)
        with container.engine.connect() as conn:
            return work(conn, *args)

    return await asyncio.to_thread(run)


async def _own(container: Container, key: ApiKey, sub_id: str) -> Any:
    parse_id("subscription_id", sub_id)  # every route comes here first: the one id rule
    row = await _db(container, subs.get, sub_id)
    if row is None or (key.scope != "admin" and row.owner_key_id != key.id):
        raise ApiProblem(
            "not-found",
            f"no subscription {sub_id} for this key",
            [{"detail": "not found", "parameter": "subscription_id"}],
        )
    return row


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
        result = await _db(container, work, sub_id, *args, _now(container), cap, write=True)
    except subs.TooManyPending as error:
        raise ApiProblem(
            "rate-limited",
            str(error),
            [{"detail": "too many deliveries waiting", "parameter": "subscription_id"}],
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None
    container.webhooks.worker.nudge()
    return result


@router.post(
    "",
    status_code=201,
    summary="Subscribe a URL (the secret is shown once)",
    operation_id="createSubscription",
    responses=answer(SubscriptionWithSecret, 201, "the subscription, with its secret"),
    openapi_extra=body(SubscriptionIn, "what to send where"),
)
async def create(request: Request, container: ContainerDep, key: Subscriber) -> Response:
    body = await read_body(request, SubscriptionIn, container)
    head = await asyncio.to_thread(container.log.head)
    new = subs.NewSubscription(
        body.url, body.event_types, body.chips, body.companies, body.description
    )
    created = await _db(
        container,
        subs.create,
        container.webhooks.box,
        key.id,
        new,
        head,
        _now(container),
        write=True,
    )
    response = _json(created, 201)
    response.headers["Location"] = f"/v1/subscriptions/{created['id']}"
    return response


@router.get(
    "",
    summary="Your subscriptions (admin: all)",
    operation_id="listSubscriptions",
    responses=answer(SubscriptionPage),
    openapi_extra=query("after_id", "limit"),
)
async def listing(
    container: ContainerDep, key: Subscriber, after: str | None = None, limit: Integer = 100
) -> Response:
    after = optional_id("after", after)
    if not 1 <= limit <= 1000:
        raise ApiProblem(
            "validation-error",
            "limit must be 1 to 1000",
            [{"detail": "1 to 1000", "parameter": "limit"}],
        )
    owner = None if key.scope == "admin" else key.id
    rows = await _db(container, subs.owned, owner, after, limit + 1)
    nxt = rows[limit - 1].id if len(rows) > limit else None
    return _json({"items": [subs.public(r) for r in rows[:limit]], "next": nxt})


@router.get(
    "/{subscription_id}",
    summary="One subscription",
    operation_id="getSubscription",
    responses=answer(Subscription),
)
async def one(container: ContainerDep, key: Subscriber, subscription_id: str) -> Response:
    return _json(subs.public(await _own(container, key, subscription_id)))


@router.patch(
    "/{subscription_id}",
    summary="Pause, resume, re-enable, change filters or URL",
    operation_id="updateSubscription",
    responses=answer(Subscription),
    openapi_extra=body(SubscriptionPatch, "the fields to change; others stay"),
)
async def patch(
    request: Request, container: ContainerDep, key: Subscriber, subscription_id: str
) -> Response:
    await _own(container, key, subscription_id)
    fields = patch_fields(await read_body(request, SubscriptionPatch, container))
    if "owner_key_id" in fields:
        await _check_new_owner(container, key, fields["owner_key_id"])
    await _db(container, subs.change, subscription_id, fields, _now(container), write=True)
    container.webhooks.worker.nudge()
    return _json(subs.public(await _own(container, key, subscription_id)))


async def _check_new_owner(container: Container, key: ApiKey, owner: str | None) -> None:
    """Re-assignment (docs/architecture.md, "Webhooks and the live stream"): by an admin, to a
    key that could have created the subscription itself and is live now."""
    if key.scope != "admin":
        raise ApiProblem(
            "forbidden",
            "only an admin key may re-assign a subscription",
            [{"detail": "admin only", "pointer": "/owner_key_id"}],
        )
    found = None if owner is None else (await _db(container, load_keys, [owner])).get(owner)
    if found is None or not found.live(container.clock()) or not found.allows("subscribe"):
        detail = "must name a live (not revoked, not expired) key with scope subscribe or admin"
        raise ApiProblem(
            "validation-error",
            f"owner_key_id {detail}",
            [{"detail": detail, "pointer": "/owner_key_id"}],
        )


@router.delete(
    "/{subscription_id}",
    status_code=204,
    operation_id="deleteSubscription",
    summary="Delete (pending deliveries are dropped)",
    responses={204: {"description": "deleted"}},
)
async def remove(container: ContainerDep, key: Subscriber, subscription_id: str) -> Response:
    await _own(container, key, subscription_id)
    await _db(container, subs.delete, subscription_id, _now(container), write=True)
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/rotate-secret",
    operation_id="rotateSubscriptionSecret",
    summary="A new secret; the old one signs too for 24 h",
    responses=answer(SubscriptionWithSecret),
)
async def rotate(container: ContainerDep, key: Subscriber, subscription_id: str) -> Response:
    await _own(container, key, subscription_id)
    secret = await _db(
        container, subs.rotate, container.webhooks.box, subscription_id, _now(container), write=True
    )
    row = await _own(container, key, subscription_id)
    return _json({**subs.public(row), "secret": secret})


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
    await _own(container, key, subscription_id)
    if not 1 <= limit <= 1000:
        raise ApiProblem(
            "validation-error",
            "limit must be 1 to 1000",
            [{"detail": "1 to 1000", "parameter": "limit"}],
        )
    items = await _db(
        container, subs.deliveries, subscription_id, before, limit + 1, _now(container)
    )
    nxt = items[limit - 1]["attempt_id"] if len(items) > limit else None
    return _json({"items": items[:limit], "next": None if nxt is None else str(nxt)})


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
    await _own(container, key, subscription_id)
    body = await read_body(request, ReplayIn, container)
    since = replay_since(body)
    start = body.from_position
    if since is not None:
        start = await _db(container, subs.first_position_recorded_since, since)
        if start is None:
            return _json({"queued": 0}, 202)
    pointer = "/from_time" if body.from_time is not None else "/from_position"
    try:
        queued = await _queue(container, subs.replay, subscription_id, start)
    except subs.ReplayTooLarge as error:
        raise ApiProblem(
            "validation-error", str(error), [{"detail": str(error), "pointer": pointer}]
        ) from None
    return _json({"queued": queued}, 202)


@router.post(
    "/{subscription_id}/recover",
    status_code=202,
    summary="Send the failed ones again",
    operation_id="recoverSubscription",
    responses={**answer(Queued, 202, "queued"), **TOO_MANY},
)
async def recover(container: ContainerDep, key: Subscriber, subscription_id: str) -> Response:
    await _own(container, key, subscription_id)
    queued = await _queue(container, subs.recover, subscription_id)
    return _json({"queued": queued}, 202)


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
    await _own(container, key, subscription_id)
    if not await _queue(container, subs.resend, subscription_id, delivery_id):
        raise ApiProblem(
            "not-found",
            f"no delivery {delivery_id} of this subscription",
            [{"detail": "not found", "parameter": "delivery_id"}],
        )
    return _json({"queued": 1}, 202)


@router.post(
    "/{subscription_id}/ping",
    status_code=202,
    summary="Send a signed test message",
    operation_id="pingSubscription",
    responses={**answer(PingQueued, 202, "queued"), **TOO_MANY},
)
async def ping(container: ContainerDep, key: Subscriber, subscription_id: str) -> Response:
    await _own(container, key, subscription_id)
    msg_id = await _queue(container, subs.ping, subscription_id)
    return _json({"msg_id": msg_id}, 202)


__all__ = ["Depends", "router"]
