"""Webhook subscriptions and deliveries; health.

See docs/architecture.md, "Webhooks and the live stream".
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from services.api.schemas.common import Answer, Id, Instant


class Subscription(Answer):
    id: str = Field(examples=["sub_4f1c…"])
    owner_key_id: str = Field(
        description="the key it belongs to; while that key is revoked "
        "or expired, its deliveries are held"
    )
    url: str
    description: str
    event_types: list[str] = Field(description="empty: every type")
    chips: list[Id]
    companies: list[Id]
    paused: bool
    disabled: bool = Field(description="disabled after failing for 5 days, or by a 410")
    disabled_at: Instant | None
    disabled_reason: str | None
    failing_since: Instant | None
    created_at: Instant
    start_position: int = Field(description="the log head when it was created")
    secret_rotation_ends_at: Instant | None = Field(
        description="while set, the previous secret signs too"
    )


class SubscriptionWithSecret(Subscription):
    secret: str = Field(description="whsec_…: shown only in this answer", examples=["whsec_…"])


class SubscriptionPage(Answer):
    items: list[Subscription]
    next: str | None


class Attempt(Answer):
    attempt_id: int
    delivery_id: int
    msg_id: str
    type: str
    position: int | None
    attempted_at: Instant
    status_code: int | None = Field(description="null when no answer came (see error)")
    latency_ms: float | None
    error: str | None
    response_body: str | None = Field(description="at most 16 KB, as text")
    delivery_status: str


class AttemptPage(Answer):
    items: list[Attempt] = Field(description="newest first")
    next: str | None = Field(description="the cursor for older attempts (`before`), or null")


class Queued(Answer):
    queued: int = Field(ge=0, description="deliveries queued")


class PingQueued(Answer):
    msg_id: str


class Health(Answer):
    status: Literal["ok"]


class ViewsProgress(Answer):
    generation: str
    position: int
    lag: int = Field(description="events the read models are behind the log")


class ProjectionsProgress(Answer):
    views: ViewsProgress


_DETAIL = (
    "left out for a caller without a read key when REGTL_PUBLIC_READS=false (docs/configuration.md)"
)


class Readiness(Answer):
    status: Literal["ready"]
    database: Literal["ok"] | SkipJsonSchema[None] = Field(None, description=_DETAIL)
    log_head: int | SkipJsonSchema[None] = Field(None, description=_DETAIL)
    projections: ProjectionsProgress | SkipJsonSchema[None] = Field(None, description=_DETAIL)
