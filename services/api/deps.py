"""Dependencies shared by routes: the container, and who is calling with which scope."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request

from services.api.problems import ApiProblem
from services.bootstrap import Container
from services.keys import ApiKey


def get_container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


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
    return ApiProblem("unauthorized", detail,
                      [{"detail": detail, "header": "Authorization"}],
                      headers={"WWW-Authenticate": 'Bearer realm="regtimeline"'})


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
    if not key.allows(needed):
        raise ApiProblem("forbidden", f"key {key.name!r} has scope {key.scope!r}; this needs {needed!r}",
                         [{"detail": f"needs the {needed!r} scope", "header": "Authorization"}])
    request.state.api_key = key
    return key


def require(needed: str):  # type: ignore[no-untyped-def]
    async def dependency(request: Request) -> ApiKey | None:
        return await caller(request, needed)

    return Depends(dependency)


Reader = Annotated[ApiKey | None, require("read")]
Writer = Annotated[ApiKey, require("write")]
