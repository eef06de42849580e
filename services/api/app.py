"""create_app(container): the FastAPI application, given its collaborators."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from services.api import openapi, problems
from services.api.params import HeaderRule
from services.api.routes import (
    docs,
    events,
    health,
    objects,
    stream,
    subjects,
    subscriptions,
)
from services.bootstrap import Container

EXPOSED_HEADERS = ["ETag", "Link", "Location", "Retry-After"]


def create_app(container: Container, *, manage_lifecycle: bool = False,
               worker: bool = True) -> FastAPI:
    """`manage_lifecycle`: start the writer (and projector) on startup, close on shutdown."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_lifecycle:
            container.start(worker=worker)
        try:
            yield
        finally:
            if manage_lifecycle:
                container.close()

    app = FastAPI(
        title="regtimeline",
        version="1.0.0",
        description="The regulatory history of AI chips, as immutable events, with "
                    "point-in-time answers. Errors are RFC 9457 problem details.",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json", lifespan=lifespan,
    )
    app.state.container = container
    problems.install(app)
    openapi.install(app)
    docs.install(app)
    for router in (events.router, stream.router, subjects.router, objects.router,
                   subscriptions.router, health.router):
        app.include_router(router)
    app.add_middleware(HeaderRule)  # inside CORS: a refusal still carries its headers
    if container.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=container.settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match",
                           "If-None-Match", "Last-Event-ID"],
            expose_headers=EXPOSED_HEADERS, max_age=600,
        )
    return app
