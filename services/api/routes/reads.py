"""What the point-in-time read routes share (docs/http.md): refusing unknown parameters,
checking the subject's id, running a read off the event loop, and the canonical answer with
its weak ETag."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from domain.ids import check_slug
from projections.canonical import dumps
from projections.state_queries import Reading
from services.api.coordinates import resolve
from services.api.problems import ApiProblem
from services.api.responses import cached_json
from services.bootstrap import Container

STATE_PARAMS = frozenset({"as_of", "known_at", "at_position", "min_position"})
SPAN_PARAMS = frozenset({"known_at", "at_position", "min_position"})  # no T: all valid time


def refuse_unknown(request: Request, allowed: frozenset[str]) -> None:
    """A misspelt coordinate (`asof`) must not silently answer at its default: 422, as the
    lists and GET /v1/events do."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ApiProblem(
            "validation-error",
            f"unknown parameter {unknown[0]!r} (this read takes {', '.join(sorted(allowed))})",
            [{"detail": "unknown parameter", "parameter": n} for n in unknown],
        )


def subject_slug(kind: str, value: str) -> str:
    try:
        return check_slug(value)
    except ValueError as error:
        raise ApiProblem(
            "validation-error", f"{kind}: {error}", [{"detail": str(error), "parameter": kind}]
        ) from None


def not_found(kind: str, subject: str) -> ApiProblem:
    return ApiProblem(
        "not-found",
        f"no {kind} {subject!r} is registered at that position",
        [{"detail": "not registered", "parameter": kind}],
    )


def canonical_answer(request: Request, body: dict[str, Any], cache_control: str) -> Response:
    """Canonical JSON; the weak ETag covers the answer without its position."""
    without_position = {k: v for k, v in body.items() if k != "position"}
    return cached_json(
        request,
        dumps(body),
        etag_body=dumps(without_position),
        headers={"Cache-Control": cache_control},
    )


async def run_read(container: Container, work: Any, *args: Any) -> Any:
    def call() -> Any:
        with Reading(container.engine) as db:  # connects only if the read needs to
            return work(db, *args)

    return await asyncio.to_thread(call)


async def read_subject(
    request: Request,
    container: Container,
    read: Any,
    kind: str,
    subject: str,
    coordinates: tuple[str | None, ...],
    *,
    uses_as_of: bool,
) -> Response:
    """Resolve (T, K, P), run one point-in-time read, 404 if the subject is unknown."""
    slug = subject_slug(kind, subject)
    resolved = await resolve(container, *coordinates, uses_as_of=uses_as_of)
    body = await run_read(container, read, kind, slug, resolved.at)
    if body is None:
        raise not_found(kind, slug)
    return canonical_answer(request, body, resolved.cache_control)
