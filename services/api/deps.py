"""Dependencies shared by routes: the container, and who is calling with which scope."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Depends, Request

from services.api.problems import ApiProblem
from services.bootstrap import Container
from services.keys import ApiKey


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container  # set by create_app
    return container


async def _container(request: Request) -> Container:
    # Async on purpose: FastAPI runs a sync dependency in a worker thread, one hop per request.
    return get_container(request)


ContainerDep = Annotated[Container, Depends(_container)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("use 'Authorization: Bearer rtl_<id>_<secret>'")
    return token.strip()


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(
        "unauthorized",
        detail,
        [{"detail": detail, "header": "Authorization"}],
        headers={"WWW-Authenticate": 'Bearer realm="regtimeline"'},
    )


async def caller(request: Request, needed: str) -> ApiKey | None:
    """The verified key (None for an anonymous public read); 401/403 otherwise.

    Async, with the database only on a cache miss: a sync dependency would send every
    request through a worker thread just to compare a hash.
    """
    container = get_container(request)
    token = _bearer(request)
    if token is None:
        if needed == "read" and container.settings.public_reads:
            return None
        raise _unauthorized(f"this needs an API key with the {needed!r} scope")
    now = container.clock()
    if container.keys.verify_needs_io(token):
        key = await asyncio.to_thread(container.keys.verify, token, now)
    else:
        key = container.keys.verify(token, now)
    if key is None:
        raise _unauthorized("the API key is unknown, revoked or expired")
    request.state.api_key = key  # its id is logged and its bucket charged, even on a 403
    if not key.allows(needed):
        raise ApiProblem(
            "forbidden",
            f"key {key.name!r} has scope {key.scope!r}; this needs {needed!r}",
            [{"detail": f"needs the {needed!r} scope", "header": "Authorization"}],
        )
    return key


def client_address(request: Request) -> str:
    """The TCP peer, or X-Forwarded-For's client when the peer is a trusted proxy: uvicorn
    resolves request.client so (services/api/server.py)."""
    return request.client.host if request.client else "?"


def charge(request: Request) -> None:
    """One token from the caller's bucket: its key's, otherwise its address's (anonymous
    reads, and requests whose key was refused). 429 when empty; the RateLimit-* headers
    of every answer come from the verdict kept here (docs/http.md, "Rate limits")."""
    key: ApiKey | None = getattr(request.state, "api_key", None)
    limiter = get_container(request).operations.limiter
    verdict = limiter.take(key.id if key is not None else None, client_address(request))
    if verdict is None:
        return
    request.state.rate_limit = verdict
    if not verdict.allowed:
        raise ApiProblem(
            "rate-limited",
            f"too many requests; retry in {verdict.retry_after} s",
            headers={"Retry-After": str(verdict.retry_after)},
        )


def require(needed: str) -> Any:  # a Depends(...) marker, typed Any by FastAPI
    async def dependency(request: Request) -> ApiKey | None:
        try:
            key = await caller(request, needed)
        except ApiProblem:
            charge(request)  # a refused key costs its sender too: a 429 then wins
            raise
        charge(request)
        return key

    return Depends(dependency)


Reader = Annotated[ApiKey | None, require("read")]
Writer = Annotated[ApiKey, require("write")]
