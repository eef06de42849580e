"""RFC 9457 problem details: the one shape of every error this API returns."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import InterfaceError as LibraryInterfaceError
from eventsourcing.persistence import OperationalError as LibraryOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from domain.errors import DomainError
from projections.canonical import dumps
from services.write import refusals
from services.write.parsing import InputError

MEDIA_TYPE = "application/problem+json"

# kind -> (status, title). The type URI is /problems/<kind>; GET it for a description.
KINDS: dict[str, tuple[int, str]] = {
    "malformed-json": (400, "The body is not valid JSON"),
    "unauthorized": (401, "Authentication required"),
    "forbidden": (403, "This key's scope does not allow that"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "not-acceptable": (406, "Not acceptable"),
    "duplicate-id": (409, "The id already exists"),
    "version-conflict": (409, "The aggregate has moved on"),
    "idempotency-in-flight": (409, "A request with this Idempotency-Key is still in flight"),
    "batch-conflict": (409, "Some events of the batch conflict with the log"),
    "request-timeout": (408, "The request took too long to arrive"),
    "payload-too-large": (413, "The body is too large"),
    "uri-too-long": (414, "The request line is too long"),
    "unsupported-media-type": (415, "Send application/json"),
    "validation-error": (422, "The request is invalid"),
    "invalid-event": (422, "The event breaks a rule of the log"),
    "idempotency-key-reused": (422, "The Idempotency-Key was used for another request"),
    "rate-limited": (429, "Too many requests"),
    "header-too-large": (431, "The request headers are too large"),
    "internal-error": (500, "Internal error"),
    "not-ready": (503, "Not ready yet"),
}


class ApiProblem(Exception):
    """Raised by routes and dependencies; rendered by the one handler below."""

    def __init__(
        self,
        kind: str,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(detail)
        self.kind, self.detail, self.errors = kind, detail, errors or []
        self.headers, self.extra = headers or {}, extra or {}


def one_of(parameter: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    """A query parameter that takes one of a few words: the value (None when absent), or a
    422 that names the parameter and its choices (docs/api.md, "Errors")."""
    if value is None or value in choices:
        return value
    raise ApiProblem(
        "validation-error",
        f"{parameter} must be {' or '.join(choices)}",
        [{"detail": " | ".join(choices), "parameter": parameter}],
    )


def problem_response(
    kind: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    status: int | None = None,
) -> Response:
    code, title = KINDS[kind]
    body: dict[str, Any] = {
        "type": f"/problems/{kind}",
        "title": title,
        "status": status or code,
        "detail": detail,
        "errors": errors or [],
    }
    body.update(extra or {})
    return Response(dumps(body), status_code=status or code, media_type=MEDIA_TYPE, headers=headers)


def domain_problem(error: DomainError) -> ApiProblem:
    errors = [_locate(p.pointer, p.detail) for p in error.problems]
    return ApiProblem(
        refusals.problem_kind(error), error.detail, errors, extra=refusals.problem_extra(error)
    )


def _locate(pointer: str, detail: str) -> dict[str, str]:
    if pointer and not pointer.startswith("/") and pointer[0].isupper():
        return {"detail": detail, "header": pointer}
    return {"detail": detail, "pointer": pointer}


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method the path takes: Starlette's 405 names only the first route that matched
    the path (GET and POST on /v1/events are two routes), and RFC 9110 wants them all."""
    routes = request.app.router.routes
    allowed = [
        m
        for m in _METHODS
        if any(r.matches({**request.scope, "method": m})[0] is Match.FULL for r in routes)
    ]
    return ", ".join(allowed)


_STATUS_KINDS = {
    400: "malformed-json",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "rate-limited",
    503: "not-ready",
}


def install(app: FastAPI) -> None:
    """One handler per exception family, so that even the framework's own errors are problems."""

    @app.exception_handler(ApiProblem)
    async def _api(_: Request, exc: ApiProblem) -> Response:
        return problem_response(exc.kind, exc.detail, exc.errors, exc.headers, exc.extra)

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> Response:
        return problem_response(exc.kind, exc.detail, exc.errors)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> Response:
        p = domain_problem(exc)
        return problem_response(p.kind, p.detail, p.errors, p.headers, p.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = _STATUS_KINDS.get(exc.status_code, "internal-error")
        detail = exc.detail if isinstance(exc.detail, str) else KINDS[kind][1]
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}"
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return problem_response(kind, detail, headers=headers or None, status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        errors = []
        for e in exc.errors():
            where, *rest = e["loc"] if e["loc"] else ("body",)
            name = ".".join(str(p) for p in rest) or str(where)
            field = {"query": "parameter", "path": "parameter", "header": "header"}.get(str(where))
            msg = f"{name}: {e['msg']}"
            errors.append(
                {"detail": msg, field: name}
                if field
                else {"detail": msg, "pointer": "/" + "/".join(str(p) for p in rest)}
            )
        detail = errors[0]["detail"] if errors else "invalid request"
        return problem_response("validation-error", detail, errors)

    async def _database_down(_: Request, exc: Exception) -> Response:
        import logging

        logging.getLogger("regtimeline.api").warning("database unavailable: %s", exc)
        return problem_response(
            "not-ready", "the database is unavailable; retry shortly", headers={"Retry-After": "5"}
        )

    for family in (LibraryOperationalError, LibraryInterfaceError, SQLAlchemyOperationalError):
        app.add_exception_handler(family, _database_down)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        # Never a stack trace to the client; the server log has it.
        import logging

        logging.getLogger("regtimeline.api").exception("unhandled error", exc_info=exc)
        # Starlette re-raises after this answer and uvicorn then drops the connection: say
        # so, or a keep-alive client sends its next request into a closed socket.
        return problem_response(
            "internal-error",
            "an internal error occurred; it has been logged",
            headers={"Connection": "close"},
        )
