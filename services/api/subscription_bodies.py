"""The request bodies of /v1/subscriptions (docs/webhooks.md) and how a route reads one: the models
(named in the OpenAPI document: docs/api.md) and their parsing into problem details."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from domain.catalog import CATALOG
from domain.clocks import parse_instant, to_micros
from domain.fields import Slugs, Text1000
from services.api.body import read_json_body
from services.api.params import MAX_INTEGER
from services.api.problems import ApiProblem
from services.bootstrap import Container
from services.webhooks.urls import MAX_URL_LENGTH, check_url
from services.write.parsing import validation_problems

MESSAGE_TYPES = (*CATALOG, "EffectiveDateReached", "LicenseExpired")


def _event_types(value: list[str]) -> list[str]:
    for name in value:
        if name not in MESSAGE_TYPES:
            raise ValueError(f"unknown event type {name!r}")
    return value


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


def _url(value: str) -> str:
    return check_url(value)  # the one rule, shared with the worker (services/webhooks/urls.py)


# The pattern documents the shape in the OpenAPI document; the validator is the rule.
WebhookUrl = Annotated[
    str,
    Field(max_length=MAX_URL_LENGTH, pattern=r"^https?://[^\s/?#]+[^\s]*$"),
    AfterValidator(_url),
]


class SubscriptionIn(_Body):
    url: WebhookUrl
    event_types: Annotated[list[str], Field(max_length=len(MESSAGE_TYPES))] = []
    chips: Slugs = []
    companies: Slugs = []
    description: Text1000 = ""


class SubscriptionPatch(_Body):
    url: WebhookUrl | None = None
    event_types: list[str] | None = None
    chips: Slugs | None = None
    companies: Slugs | None = None
    description: Text1000 | None = None
    paused: bool | None = None
    disabled: bool | None = Field(None, description="false re-enables a disabled subscription")
    owner_key_id: Annotated[str, Field(max_length=64)] | None = Field(
        None,
        description="admin only: re-assign the subscription to this live key (scope "
        "subscribe or admin); held deliveries then go out",
    )


class ReplayIn(_Body):
    from_position: Annotated[int, Field(ge=0, le=MAX_INTEGER)] | None = None
    from_time: str | None = None


async def read_body(request: Request, model: type[_Body], container: Container) -> Any:
    """The body as `model`, or a validation-error problem naming what is wrong where."""
    _, value = await read_json_body(request, container.settings.max_body_bytes)
    if not isinstance(value, dict):
        raise ApiProblem(
            "validation-error",
            "the body must be a JSON object",
            [{"detail": "must be a JSON object", "pointer": ""}],
        )
    try:
        parsed = model.model_validate(value)
        for name in ("event_types",):
            if getattr(parsed, name, None) is not None:
                _event_types(getattr(parsed, name))
    except ValidationError as error:
        problems = validation_problems(error)
        raise ApiProblem("validation-error", problems[0]["detail"], problems) from None
    except ValueError as error:
        raise ApiProblem(
            "validation-error",
            f"event_types: {error}",
            [{"detail": str(error), "pointer": "/event_types"}],
        ) from None
    return parsed


def patch_fields(body: SubscriptionPatch) -> dict[str, Any]:
    """The fields a PATCH sets; `disabled: true` is refused (failures disable, clients pause)."""
    fields = body.model_dump(exclude_unset=True)
    if fields.get("disabled") is True:
        raise ApiProblem(
            "validation-error",
            "a subscription is disabled by failures; pause it instead",
            [{"detail": "only false (re-enable) is accepted", "pointer": "/disabled"}],
        )
    return fields


def replay_since(body: ReplayIn) -> int | None:
    """Exactly one of from_position and from_time; from_time in microseconds, or None when
    the replay starts from a position."""
    if (body.from_position is None) == (body.from_time is None):
        raise ApiProblem(
            "validation-error",
            "give exactly one of from_position and from_time",
            [{"detail": "exactly one of from_position, from_time", "pointer": ""}],
        )
    if body.from_time is None:
        return None
    try:
        return to_micros(parse_instant(body.from_time))
    except ValueError as error:
        raise ApiProblem(
            "validation-error",
            f"from_time: {error}",
            [{"detail": str(error), "pointer": "/from_time"}],
        ) from None
