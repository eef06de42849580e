"""Reading a request body: media type, size limit, then strict JSON (services.write.parsing)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Request

from services.api.params import parse_integer
from services.api.problems import ApiProblem
from services.write.parsing import parse_strict_json


async def read_json_body(request: Request, limit: int) -> tuple[bytes, Any]:
    """The raw bytes (for idempotency fingerprints) and the strictly parsed value."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        raise ApiProblem(
            "unsupported-media-type",
            f"send the body as application/json (got {media or 'no Content-Type'})",
            [{"detail": "must be application/json", "header": "Content-Type"}],
        )
    declared = request.headers.get("content-length")
    if declared is not None and parse_integer("Content-Length", declared, "header") > limit:
        raise _too_large(limit)
    seconds = request.app.state.container.settings.body_timeout_seconds
    try:
        async with asyncio.timeout(seconds):  # a trickling client holds no request forever
            raw = await _read(request, limit)
    except TimeoutError:
        raise ApiProblem(
            "request-timeout",
            f"the body did not arrive within {seconds:g} s",
            [{"detail": f"send the body within {seconds:g} s", "header": "Content-Length"}],
            headers={"Connection": "close"},
        ) from None
    return raw, parse_strict_json(raw)


async def _read(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        "payload-too-large",
        f"the body exceeds {limit:,} bytes",
        [{"detail": f"at most {limit} bytes", "header": "Content-Length"}],
    )
