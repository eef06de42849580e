"""Canonical JSON responses with weak ETags and conditional GETs."""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.responses import Response

JSON = "application/json"
# The shape of answers (docs/http.md, "Schema version"): 2 since catalog v2 added fields.
# Sent as `Regtl-Schema` on every answer and part of every ETag, so a cached v1 answer is
# never taken for a v2 one.
ANSWER_SCHEMA = 2
_ETAG_SEED = f"regtl-schema-{ANSWER_SCHEMA}\n".encode()


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(_ETAG_SEED + body).hexdigest()[:32] + '"'


def _matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    opaque = tag[2:]
    return any(t.strip().removeprefix("W/") == opaque for t in header.split(","))


def cached_json(
    request: Request,
    body: bytes,
    *,
    max_age: int = 0,
    headers: dict[str, str] | None = None,
    etag_body: bytes | None = None,
) -> Response:
    """200 with a weak ETag, or 304 when If-None-Match already has it."""
    tag = etag_of(etag_body if etag_body is not None else body)
    all_headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}", **(headers or {})}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=all_headers)
    return Response(body, media_type=JSON, headers=all_headers)
