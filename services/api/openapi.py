"""The OpenAPI 3.1 document (docs/api.md): one schema per event type with a discriminated
union on `type`, a schema for every answer, the problem schema for every error a route can
give, and the query parameters described once (services/api/contract.py)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter
from pydantic.json_schema import models_json_schema

from domain.envelope import ENVELOPE_ADAPTER, ENVELOPES
from services.api.contract import ANSWER_MODELS, QUERY, REF
from services.api.responses import ANSWER_SCHEMA
from services.api.schemas.events import STORED_EVENTS, StoredEvent

DESCRIPTION = """The regulatory history of AI chips, as immutable events, with point-in-time
answers: what was true at a time (`as_of`), as it was known at a time (`known_at`), from the
log up to a position (`at_position`). Every error is an RFC 9457 problem
(`application/problem+json`) whose `errors[]` point at each cause.

Answers are decision support built from the recorded events and their sources, not legal
advice."""


def _union(name: str, models: dict[str, Any], description: str) -> dict[str, Any]:
    mapping = {type_name: REF.format(model=m.__name__) for type_name, m in models.items()}
    return {
        "description": description,
        "oneOf": [{"$ref": r} for r in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
        "title": name,
    }


def event_schemas() -> dict[str, Any]:
    """Request and stored event schemas, with the catalogue's payload schemas they share."""
    schemas: dict[str, Any] = {}
    for adapter in (ENVELOPE_ADAPTER, TypeAdapter(StoredEvent)):
        schemas.update(adapter.json_schema(ref_template=REF).pop("$defs", {}))
    schemas["Event"] = _union(
        "Event", ENVELOPES, "An event to append (docs/api.md); `type` selects the payload schema."
    )
    schemas["StoredEvent"] = _union(
        "StoredEvent",
        STORED_EVENTS,
        "An event as stored: the request's fields plus id, position, version and clocks.",
    )
    schemas["EventBatch"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["events"],
        "properties": {
            "events": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1000,
                "items": {"$ref": REF.format(model="Event")},
            }
        },
    }
    return schemas


def answer_schemas() -> dict[str, Any]:
    _, document = models_json_schema(
        [(m, "validation") for m in ANSWER_MODELS.values()], ref_template=REF
    )
    return dict(document.get("$defs", {}))


PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json)",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string", "examples": ["/problems/validation-error"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "detail": {"type": "string"},
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                    "header": {"type": "string"},
                },
            },
        },
        "current_version": {"type": "integer", "description": "version conflicts only"},
    },
}
UNCACHED = ("/v1/stream", "/v1/subscriptions")  # answers without an ETag
ERRORS = {
    400: "the body is not valid JSON",
    401: "no valid API key (reads are open unless REGTL_PUBLIC_READS=false)",
    403: "the key's scope does not allow this",
    404: "no such item (at that position and time)",
    409: "a conflict with the log: duplicate id, version, idempotency key in flight",
    413: "the body is too large",
    415: "the body is not application/json",
    422: "a value is invalid; `errors[]` names each field or parameter",
    429: "too many requests (Retry-After says when to come back)",
    503: "the read models did not reach min_position in time (Retry-After)",
}


def _errors_of(
    path: str, method: str, operation: dict[str, Any], rate_limited: bool = False
) -> list[int]:
    """The error statuses this operation can answer, from what it takes."""
    codes = []
    if path.startswith("/v1/"):
        codes += [401, 403, 422]  # every /v1 route refuses a malformed parameter or header
        if rate_limited:  # REGTL_RATE_LIMIT set (docs/http.md, "Rate limits")
            codes.append(429)
    if "{" in path:
        codes.append(404)
    if "requestBody" in operation:
        codes += [400, 413, 415]
    if path.startswith("/v1/events") and method == "post":
        codes.append(409)
    names = {p["name"] for p in operation.get("parameters", [])}
    if "min_position" in names or "at_position" in names:
        codes.append(503)
    if path == "/v1/events/{event_id}" and method == "get":
        # an id not projected yet waits for the log's head (docs/http.md, "Endpoints")
        codes.append(503)
    if path == "/v1/stream":
        codes.append(429)
    if path == "/readyz":
        codes += [401, 403, 503]  # a key, when given, must be valid (details need read)
    return sorted(set(codes))


def _parameters(operation: dict[str, Any]) -> None:
    """One entry per name; a catalogue parameter replaces FastAPI's bare one."""
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for parameter in operation.get("parameters", []):
        key = (parameter["in"], parameter["name"])
        if (
            parameter["in"] == "query"
            and parameter["name"] in QUERY
            and "description" not in parameter
        ):
            parameter = {"name": parameter["name"], **QUERY[parameter["name"]]}
        if key not in chosen or "description" in parameter:
            chosen[key] = parameter
    if chosen:
        operation["parameters"] = list(chosen.values())


def _defaults_in_words(schema: Any) -> Any:
    """A property's `default` moves into its description. Some generators (openapi-typescript
    at its defaults) make every property with a default required, which would force clients
    to send what the server fills in; the server still applies each default (docs/api.md)."""
    if isinstance(schema, list):
        return [_defaults_in_words(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {k: _defaults_in_words(v) for k, v in schema.items()}
    for name, prop in result.get("properties", {}).items():
        if isinstance(prop, dict) and "default" in prop:
            default = json.dumps(prop.pop("default"))
            said = prop.get("description", "").rstrip(". ")
            prop["description"] = f"{said}. Default: {default}." if said else f"Default: {default}."
        result["properties"][name] = prop
    return result


# The fields of draft-ietf-httpapi-ratelimit-headers (up to -06) on /v1 answers when rate
# limits are on (docs/http.md, "Rate limits").
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "requests a full bucket allows at once (twice REGTL_RATE_LIMIT's count)",
    "RateLimit-Remaining": "requests left in the bucket now",
    "RateLimit-Reset": "seconds until the bucket is full again",
}


def _rate_limit_headers(document: dict[str, Any]) -> dict[str, Any]:
    components = document["components"].setdefault("headers", {})
    refs = {}
    for name, description in RATE_LIMIT_HEADERS.items():
        components[name] = {"description": description, "schema": {"type": "integer", "minimum": 0}}
        refs[name] = {"$ref": f"#/components/headers/{name}"}
    return refs


def _finish(document: dict[str, Any], rate_limited: bool = False) -> None:
    document["components"]["schemas"] = _defaults_in_words(document["components"]["schemas"])
    schemas = document["components"]["schemas"]
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    limit_headers = _rate_limit_headers(document) if rate_limited else {}
    # Every answer says the shape of answers it follows (docs/http.md, "Schema version").
    document["components"].setdefault("headers", {})["Regtl-Schema"] = {
        "description": "the version of the answers' shape: 2 since catalog v2",
        "schema": {"type": "string", "enum": [str(ANSWER_SCHEMA)]},
    }
    schema_header = {"Regtl-Schema": {"$ref": "#/components/headers/Regtl-Schema"}}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            _parameters(operation)
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for code in _errors_of(path, method, operation, rate_limited):
                responses[str(code)] = {"description": ERRORS[code], "content": problem}
            if method == "get" and path.startswith("/v1/") and not path.startswith(UNCACHED):
                responses["304"] = {"description": "not modified: If-None-Match has the ETag"}
            responses.pop("default", None)
            responses["default"] = {"description": "an error", "content": problem}
            if path.startswith("/v1/"):
                for response in responses.values():
                    response.setdefault("headers", {}).update({**schema_header, **limit_headers})


def build(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title, version=app.version, description=DESCRIPTION, routes=app.routes, tags=TAGS
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(event_schemas())
    schemas.update(answer_schemas())
    _finish(document, rate_limited=bool(app.state.container.settings.rate_limit))
    document["components"]["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "rtl_<id>_<secret> (regtl keys create)",
        }
    }
    document["security"] = [{"bearer": []}, {}]
    return document


TAGS = [
    {"name": "events", "description": "The log: append, read, follow (docs/api.md)"},
    {"name": "chips", "description": "A chip's state, timeline, history and diff at (T, K, P)"},
    {"name": "companies", "description": "A company's state, timeline, history and diff"},
    {
        "name": "objects",
        "description": "Measures, licences, agreements, advisories, cases, applications, "
        "groups, tariffs, announcements",
    },
    {
        "name": "checks",
        "description": "May E export C to D at (T, K, P), and why: decision support, not legal "
        "advice (docs/checks.md)",
    },
    {"name": "webhooks", "description": "Subscriptions, deliveries, replays (Standard Webhooks)"},
    {"name": "operations", "description": "Liveness and readiness"},
]


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
