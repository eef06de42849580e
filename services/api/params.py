"""The one parsing rule for what a request carries outside its body (docs/api.md, "Errors").

Integers (query, path and header): ASCII digits only, 0 to MAX_INTEGER. `str.isdigit`
accepts "²" and `int()` accepts "٥", " 1" and "1_0"; neither may decide what reaches the
database, where a value past a BIGINT is an error of the driver, not of the client.

Ids (path and query): URL-safe ASCII, at most MAX_ID_LENGTH characters. Anything
else cannot name a stored row, and PostgreSQL refuses a NUL in a text parameter outright.

Header values the API reads: visible ASCII (a raw 0xB2 byte arrives as latin-1 "²").

Every refusal is a 422 problem naming the parameter or header (services/api/problems.py).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from services.api.problems import ApiProblem, problem_response

MAX_INTEGER = 2**63 - 1  # a BIGINT: log positions, attempt and delivery ids
MAX_ID_LENGTH = 128
_DIGITS = re.compile(r"[0-9]{1,19}")  # 19 digits hold MAX_INTEGER; more cannot be in range
# Every id the API issues or accepts (slugs, UUIDs, sub_<hex>) is URL-safe ASCII.
_ID = re.compile(rf"[A-Za-z0-9._~:-]{{1,{MAX_ID_LENGTH}}}")

Where = Literal["parameter", "header"]


def _refuse(name: str, where: Where, detail: str) -> ApiProblem:
    return ApiProblem("validation-error", f"{name}: {detail}", [{"detail": detail, where: name}])


def integer_text(value: str) -> int:
    """The rule itself, for validators: ValueError unless ASCII digits within MAX_INTEGER."""
    if not _DIGITS.fullmatch(value) or int(value) > MAX_INTEGER:
        raise ValueError(f"must be a whole number from 0 to {MAX_INTEGER} in ASCII digits")
    return int(value)


def parse_integer(name: str, value: str, where: Where = "parameter") -> int:
    try:
        return integer_text(value)
    except ValueError as error:
        raise _refuse(name, where, str(error)) from None


def optional_integer(name: str, value: str | None, where: Where = "parameter") -> int | None:
    return None if value is None else parse_integer(name, value, where)


def id_text(value: str) -> str:
    """The rule for ids, for validators: ValueError unless URL-safe ASCII of a sane length."""
    if not _ID.fullmatch(value):
        raise ValueError(f"not an id: 1 to {MAX_ID_LENGTH} of A-Z a-z 0-9 . _ ~ : -")
    return value


def parse_id(name: str, value: str) -> str:
    try:
        return id_text(value)
    except ValueError as error:
        raise _refuse(name, "parameter", str(error)) from None


def optional_id(name: str, value: str | None) -> str | None:
    return None if value is None else parse_id(name, value)


def _integer_or_as_is(value: object) -> object:
    """Query and path values arrive as text: hold them to the rule; pydantic bounds the rest."""
    return integer_text(value) if isinstance(value, str) else value


# The headers the API reads (docs/api.md, "Errors"); others pass through untouched.
READ_HEADERS = {
    name.lower().encode(): name
    for name in (
        "Authorization",
        "Content-Type",
        "Content-Length",
        "Idempotency-Key",
        "If-Match",
        "If-None-Match",
        "Last-Event-ID",
    )
}
_VISIBLE_BYTES = re.compile(rb"[\x20-\x7e\t]*")


class HeaderRule:
    """ASGI middleware: the header rule, once for every route, before any route reads one.

    Starlette decodes header bytes as latin-1, so a raw 0xB2 would reach a route as "²";
    refusing the bytes here keeps every route's parsing ASCII.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for raw_name, value in scope["headers"]:
                name = READ_HEADERS.get(raw_name)
                if name is not None and not _VISIBLE_BYTES.fullmatch(value):
                    problem = _refuse(name, "header", "must be visible ASCII characters only")
                    response = problem_response(problem.kind, problem.detail, problem.errors)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


# For FastAPI-declared parameters: the same rule, with the bounds in the OpenAPI schema.
Integer = Annotated[int, BeforeValidator(_integer_or_as_is), Field(ge=0, le=MAX_INTEGER)]
