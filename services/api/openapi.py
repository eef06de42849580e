"""OpenAPI 3.1 with one schema per event type and a discriminated union on `type`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from domain.envelope import ENVELOPE_ADAPTER, ENVELOPES

REF = "#/components/schemas/{model}"


def event_schemas() -> dict[str, Any]:
    schema = ENVELOPE_ADAPTER.json_schema(ref_template=REF)
    schemas: dict[str, Any] = dict(schema.pop("$defs", {}))
    mapping = {name: REF.format(model=model.__name__) for name, model in ENVELOPES.items()}
    schemas["Event"] = {
        "description": "An event envelope (SPEC §2); `type` selects the payload schema.",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }
    schemas["EventBatch"] = {
        "type": "object", "additionalProperties": False, "required": ["events"],
        "properties": {"events": {"type": "array", "minItems": 1, "maxItems": 1000,
                                  "items": {"$ref": REF.format(model="Event")}}},
    }
    return schemas


PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json)",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string", "examples": ["/problems/validation-error"]},
        "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "detail": {"type": "string"}, "pointer": {"type": "string"},
            "parameter": {"type": "string"}, "header": {"type": "string"}}}},
    },
}


def _use_problem_details(document: dict[str, Any]) -> None:
    """FastAPI documents its own 422 body; ours is a problem, like every other error."""
    schemas = document["components"]["schemas"]
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses["422"] = {"description": "invalid request", "content": problem}
            responses.setdefault("default", {"description": "an error", "content": problem})


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version,
                                   description=app.description, routes=app.routes)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(event_schemas())
            _use_problem_details(document)
            document["components"]["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "rtl_<id>_<secret> (regtl keys create)"}}
            document["security"] = [{"bearer": []}, {}]
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
