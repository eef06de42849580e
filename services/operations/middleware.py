"""One ASGI middleware around every request: the request id, the RateLimit-* headers the
limiter decided on, the HTTP metrics and (REGTL_LOG_FORMAT=json) the request's log line.

Outermost, so that it sees what the inner layers refuse (CORS, the header rule) and times
all of it. Labels are the route's template (`/v1/chips/{chip}`), never the raw path: one
series per route, whatever clients ask for (docs/deploy.md, "Metrics").
"""

from __future__ import annotations

import time
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.responses import ANSWER_SCHEMA
from services.operations.metrics import UNMATCHED, Metrics
from services.operations.rate_limits import Verdict
from services.operations.request_logs import REQUEST_ID, log_request, request_id

RATE_LIMIT_STATE = (
    "rate_limit"  # request.state.rate_limit: the Verdict, set by services/api/deps.py
)
KEY_STATE = "api_key"  # request.state.api_key: the verified key


class OperationsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, json_logs: bool) -> None:
        self.app, self.metrics, self.json_logs = app, metrics, json_logs
        self.templates = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(Headers(scope=scope).get("x-request-id"))
        token = REQUEST_ID.set(rid)
        status = 500  # what the client gets when an error escapes before any answer

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                _add_headers(message, scope, rid)
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            self._record(scope, rid, status, time.perf_counter() - started)
            REQUEST_ID.reset(token)

    def _record(self, scope: Scope, rid: str, status: int, seconds: float) -> None:
        route, method = self.templates.of(scope), scope["method"]
        self.metrics.observe_request(route, method, status, seconds)
        if self.json_logs:
            key = _state(scope).get(KEY_STATE)
            client = scope.get("client")
            log_request(
                request_id=rid,
                key_id=getattr(key, "id", None),
                method=method,
                route=route,
                status=status,
                latency_ms=round(seconds * 1000, 3),
                client=client[0] if client else None,
            )


class RouteTemplates:
    """The full path template of the route that took a request.

    The router leaves the route in scope["route"] (partial matches included: a 405 is
    labelled with its route). FastAPI keeps an included router's routes as they were
    declared, without the router's prefix (`/chips/{chip}`), so the full template
    (`/v1/chips/{chip}`) is looked up among the application's route contexts, once.
    """

    def __init__(self) -> None:
        self._paths: dict[int, str] = {}

    def of(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        path = self._paths.get(id(route))
        if path is None:
            self._paths = _templates(scope.get("app"))
            # a route the application does not list (cannot happen today): its own path
            path = self._paths.get(id(route)) or getattr(route, "path", None) or UNMATCHED
        return path


def _templates(app: Any) -> dict[int, str]:
    paths: dict[int, str] = {}
    for context in iter_route_contexts(getattr(app, "routes", [])):
        if context.path_format is not None:
            paths.setdefault(id(context.original_route), context.path_format)
    return paths


def _state(scope: Scope) -> dict[str, Any]:
    state = scope.get("state")
    return state if isinstance(state, dict) else {}


SCHEMA_HEADER, SCHEMA = "Regtl-Schema", str(ANSWER_SCHEMA)


def _add_headers(message: Message, scope: Scope, rid: str) -> None:
    headers = MutableHeaders(scope=message)
    headers["X-Request-Id"] = rid
    headers[SCHEMA_HEADER] = SCHEMA  # docs/http.md, "Schema version"
    verdict = _state(scope).get(RATE_LIMIT_STATE)
    if isinstance(verdict, Verdict):
        for name, value in verdict.headers().items():
            headers[name] = value
