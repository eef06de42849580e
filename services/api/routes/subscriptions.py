"""Webhook subscriptions (docs/webhooks.md): keys with the `subscribe` scope (their own) or `admin`.

Their deliveries (the attempts; replay, recover, resend, ping) are routed in deliveries.py,
on the same prefix and tags, included right after this router."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from domain.clocks import to_micros
from projections.canonical import dumps
from projections.database import write_transaction
from services.api.contract import answer, body, query
from services.api.deps import ContainerDep, require
from services.api.params import Integer, optional_id, parse_id
from services.api.problems import ApiProblem
from services.api.schemas.operations import (
    Subscription,
    SubscriptionPage,
    SubscriptionWithSecret,
)
from services.api.subscription_bodies import (
    SubscriptionIn,
    SubscriptionPatch,
    patch_fields,
    read_body,
)
from services.bootstrap import Container
from services.keys import ApiKey, load_keys
from services.webhooks import subscriptions as subs

router = APIRouter(prefix="/v1/subscriptions", tags=["webhooks"])
Subscriber = Annotated[ApiKey, require("subscribe")]


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def now_us(container: Container) -> int:
    return to_micros(container.clock())


async def run_db(container: Container, work: Any, *args: Any, write: bool = False) -> Any:
    def run() -> Any:
        if write:
            with write_transaction(container.engine) as conn:
                return work(conn, *args)
        with container.engine.connect() as conn:
            return work(conn, *args)

    return await asyncio.to_thread(run)


async def own_subscription(container: Container, key: ApiKey, sub_id: str) -> Any:
    parse_id("subscription_id", sub_id)  # every route comes here first: the one id rule
    row = await run_db(container, subs.get, sub_id)
    if row is None or (key.scope != "admin" and row.owner_key_id != key.id):
        raise ApiProblem(
            "not-found",
            f"no subscription {sub_id} for this key",
            [{"detail": "not found", "parameter": "subscription_id"}],
        )
    return row


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
    created = await run_db(
        container,
        subs.create,
        container.webhooks.box,
        key.id,
        new,
        head,
        now_us(container),
        write=True,
    )
    response = json_response(created, 201)
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
    rows = await run_db(container, subs.owned, owner, after, limit + 1)
    nxt = rows[limit - 1].id if len(rows) > limit else None
    return json_response({"items": [subs.public(r) for r in rows[:limit]], "next": nxt})


@router.get(
    "/{subscription_id}",
    summary="One subscription",
    operation_id="getSubscription",
    responses=answer(Subscription),
)
async def one(container: ContainerDep, key: Subscriber, subscription_id: str) -> Response:
    return json_response(subs.public(await own_subscription(container, key, subscription_id)))


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
    await own_subscription(container, key, subscription_id)
    fields = patch_fields(await read_body(request, SubscriptionPatch, container))
    if "owner_key_id" in fields:
        await _check_new_owner(container, key, fields["owner_key_id"])
    await run_db(container, subs.change, subscription_id, fields, now_us(container), write=True)
    container.webhooks.worker.nudge()
    return json_response(subs.public(await own_subscription(container, key, subscription_id)))


async def _check_new_owner(container: Container, key: ApiKey, owner: str | None) -> None:
    """Re-assignment (docs/architecture.md, "Webhooks and the live stream"): by an admin, to a
    key that could have created the subscription itself and is live now."""
    if key.scope != "admin":
        raise ApiProblem(
            "forbidden",
            "only an admin key may re-assign a subscription",
            [{"detail": "admin only", "pointer": "/owner_key_id"}],
        )
    found = None if owner is None else (await run_db(container, load_keys, [owner])).get(owner)
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
    await own_subscription(container, key, subscription_id)
    await run_db(container, subs.delete, subscription_id, now_us(container), write=True)
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/rotate-secret",
    operation_id="rotateSubscriptionSecret",
    summary="A new secret; the old one signs too for 24 h",
    responses=answer(SubscriptionWithSecret),
)
async def rotate(container: ContainerDep, key: Subscriber, subscription_id: str) -> Response:
    await own_subscription(container, key, subscription_id)
    secret = await run_db(
        container,
        subs.rotate,
        container.webhooks.box,
        subscription_id,
        now_us(container),
        write=True,
    )
    row = await own_subscription(container, key, subscription_id)
    return json_response({**subs.public(row), "secret": secret})


__all__ = ["Depends", "router"]
