"""create_app(container): the FastAPI application, given its collaborators."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response

from services.api import openapi, problems
from services.api.params import HeaderRule
from services.api.routes import (
    checks,
    deliveries,
    docs,
    events,
    health,
    objects,
    page,
    stream,
    subjects,
    subscriptions,
)
from services.bootstrap import Container
from services.operations.middleware import OperationsMiddleware

EXPOSED_HEADERS = [
    "ETag",
    "Link",
    "Location",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Regtl-Schema",
    "X-Request-Id",
]


def create_app(
    container: Container, *, manage_lifecycle: bool = False, worker: bool = True
) -> FastAPI:
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
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.container = container
    problems.install(app)
    openapi.install(app)
    docs.install(app)
    page.install(app)  # the timeline page at / (docs/page.md)
    for router in (
        events.router,
        stream.router,
        subjects.router,
        checks.router,
        objects.router,
        subscriptions.router,
        deliveries.router,  # the same prefix, after subscriptions': path matching unchanged
        health.router,
    ):
        app.include_router(router)
    if container.settings.metrics:  # None ("auto") is resolved by `regtl serve`
        _metrics_route(app, container)
    app.add_middleware(HeaderRule)  # inside CORS: a refusal still carries its headers
    if container.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=container.settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "If-Match",
                "If-None-Match",
                "Last-Event-ID",
            ],
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
    # outermost: it times, counts and logs every answer, refusals of the layers above included
    app.add_middleware(
        OperationsMiddleware,
        metrics=container.operations.metrics,
        json_logs=container.settings.log_format == "json",
    )
    return app


def _metrics_route(app: FastAPI, container: Container) -> None:
    """GET /metrics (docs/deploy.md, "Metrics"): outside the OpenAPI document and never
    rate limited. Sync, so that the lag's database reads run in the thread pool."""
    operations = container.operations

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        body, content_type = operations.metrics.exposition(operations.lag)
        return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
