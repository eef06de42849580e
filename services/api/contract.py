"""What each route promises in the OpenAPI document: its parameters, answers and errors.

Query parameters are described once here and reused by every route that takes them
(docs/api.md, "Coordinates"); routes still parse them themselves, so that every mistake
gets the project's problem answer (docs/api.md, "Errors").
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

REF = "#/components/schemas/{model}"
ANSWER_MODELS: dict[str, type[BaseModel]] = {}  # filled by `answer`, read by openapi.install
_TIME = "RFC 3339 with an offset (`2025-08-11T09:00:00+02:00`, a `+` written `%2B` in a URL) or a bare UTC date `2025-08-11`"
_POSITION = {
    "type": "integer",
    "minimum": 0,
    "maximum": 2**63 - 1,  # services/api/params.py
    "examples": [1234],
}


def _p(description: str, schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }
    if example is not None:
        parameter["example"] = example
    return parameter


QUERY: dict[str, dict[str, Any]] = {
    "as_of": _p(
        f"T, the valid time to answer at: {_TIME}; a bare date means the end of that "
        "day. Default: now.",
        {"type": "string"},
        "2025-08-15",
    ),
    "known_at": _p(
        f"K, answer with what was known (reported) by then: {_TIME}; a bare date "
        "means the end of that day. Later than now is read as now (embargoes hold); "
        "the answer echoes the resolved value. Default: now.",
        {"type": "string"},
        "2025-04-12",
    ),
    "at_position": _p(
        "P, answer from the log up to this position (reproducible reads). "
        "Beyond the log's head is a 422. Default: what the read models have "
        "reached.",
        _POSITION,
    ),
    "min_position": _p(
        "Read-your-writes: wait (at most 5 s, then 503 with Retry-After) until "
        "the read models reach this position (e.g. a write's `position`).",
        _POSITION,
    ),
    "after_id": _p(
        "Cursor: the `next` of the previous page (items after this id).", {"type": "string"}
    ),
    "limit": _p(
        "Items per page, 1 to 1000.",
        {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    ),
    "destination": _p(
        "Only chips restricted for this destination (ISO 3166-1 alpha-2 or EU).",
        {"type": "string", "pattern": "^[A-Z]{2}$"},
        "CN",
    ),
    "status": _p(
        "Only chips with this export status (for `destination`, or for any "
        "destination); `unrestricted`: no restriction.",
        {"type": "string", "enum": ["banned", "license_required", "licensed", "unrestricted"]},
        "banned",
    ),
    "manufacturer": _p(
        "Only chips made by this company id.",
        {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,79}$"},
    ),
    "country": _p("Only companies of this country.", {"type": "string", "pattern": "^[A-Z]{2}$"}),
    "jurisdiction": _p(
        "Only objects of this jurisdiction.", {"type": "string", "pattern": "^[A-Z]{2}$"}, "US"
    ),
    "in_force": _p(
        "true: only objects in force / active / open at as_of; false: only the others.",
        {"type": "boolean"},
    ),
    "from": {
        **_p(
            f"The earlier date: {_TIME}; a bare date is the start of that day.",
            {"type": "string"},
            "2025-08-15",
        ),
        "required": True,
    },
    "to": {
        **_p(
            f"The later date: {_TIME}; a bare date is the end of that day.",
            {"type": "string"},
            "2025-08-23",
        ),
        "required": True,
    },
    # a timeline's or history's window (docs/state.md, "Timelines, history and diffs")
    "window_from": _p(
        "Only what starts or lasts from then on: timeline events placed (`effective_at`; "
        "registry events: `reported_at`) at or after it, history spans not ended by then. "
        f"{_TIME}; a bare date is the start of that day. Not after `to` (422). "
        "Default: no lower bound.",
        {"type": "string"},
        "2025-01-01",
    ),
    "window_to": _p(
        "Only what starts by then: timeline events placed at or before it, history spans "
        f"starting at or before it. {_TIME}; a bare date is the end of that day. "
        "Default: no upper bound.",
        {"type": "string"},
        "2025-12-31",
    ),
    # a history's detail (docs/state.md, "Lanes: the history a timeline draws")
    "detail": _p(
        "full: each span carries the whole state; lanes: only what a lane per destination "
        "draws (a chip's export status, review policy and pending applications by "
        "destination, and its production; a company's chips, export restrictions, licences, "
        "applications and production halts), spans split only where those change.",
        {"type": "string", "enum": ["full", "lanes"], "default": "full"},
        "lanes",
    ),
    "axis": _p(
        "effective: compare valid times `from` and `to` (at K); known: compare what was "
        "known at `from` and at `to` (at T).",
        {"type": "string", "enum": ["effective", "known"], "default": "effective"},
    ),
}
# The export check's own parameters (docs/checks.md), by public name; `check_query` adds
# them to the check's operation (their names clash with the lists' `destination` filter).
_SLUG = {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,79}$"}
CHECK: dict[str, dict[str, Any]] = {
    "chip": {**_p("The chip to ship (its id). Required.", _SLUG, "h200"), "required": True},
    "destination": {
        **_p(
            "Where it goes: an ISO 3166-1 alpha-2 code (or EU); a group (`group:<id>`) "
            "is a 422 — ask for each member. Required.",
            {"type": "string", "pattern": "^[A-Z]{2}$"},
            "CN",
        ),
        "required": True,
    },
    "exporter": _p(
        "The exporting company (its id): whose licences, pending applications and revenue "
        "shares count. Default: the chip's manufacturer as known at `known_at`.",
        _SLUG,
        "nvidia",
    ),
    "end_user": _p(
        "The end user (a company id): adds the end-user measures that name it or reach it "
        "through its owners; only a licence naming it in `end_users` clears those. "
        "Default: none.",
        _SLUG,
        "bytedance",
    ),
}
STATE = ("as_of", "known_at", "at_position", "min_position")
SPANS = ("known_at", "at_position", "min_position")  # timeline and history: all valid time


def query(*names: str) -> dict[str, Any]:
    """An `openapi_extra` fragment declaring these catalogue parameters."""
    return {"parameters": [{"name": _public_name(n), **QUERY[n]} for n in names]}


PUBLIC_NAMES = {"after_id": "after", "window_from": "from", "window_to": "to"}


def _public_name(name: str) -> str:
    return PUBLIC_NAMES.get(name, name)


def answer(
    model: Any,
    status: int = 200,
    description: str = "OK",
    *,
    name: str | None = None,
    media_type: str = "application/json",
) -> dict[int | str, dict[str, Any]]:
    """A `responses` entry whose schema is `model` (a pydantic model or a named schema)."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        ANSWER_MODELS[model.__name__] = model
        name = model.__name__
    return {
        status: {
            "description": description,
            "content": {media_type: {"schema": {"$ref": REF.format(model=name)}}},
        }
    }


def body(model: type[BaseModel], description: str) -> dict[str, Any]:
    """An `openapi_extra` fragment: the request body is `model` (read by the route itself)."""
    ANSWER_MODELS[model.__name__] = model
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
        }
    }


def merged(*fragments: dict[str, Any]) -> dict[str, Any]:
    """Several `openapi_extra` fragments as one (parameters add up)."""
    result: dict[str, Any] = {}
    for fragment in fragments:
        for key, value in fragment.items():
            result[key] = result.get(key, []) + value if key == "parameters" else value
    return result


def check_query() -> dict[str, Any]:
    """An `openapi_extra` fragment declaring the export check's own parameters."""
    return {"parameters": [{"name": name, **CHECK[name]} for name in CHECK]}
