"""Strict parsing of client input: JSON per RFC 8259, envelopes per the catalog.

Shared by the HTTP API and `regtl load`; raises InputError, which the API renders as a
problem (400 for malformed JSON, 422 for invalid values).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from domain.catalog import CATALOG
from domain.envelope import ENVELOPE_ADAPTER, Envelope


class InputError(Exception):
    def __init__(self, kind: str, detail: str, errors: list[dict[str, str]]):
        super().__init__(detail)
        self.kind, self.detail, self.errors = kind, detail, errors


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_strict_json(raw: bytes) -> Any:
    """RFC 8259 JSON only: no NaN/Infinity, no duplicate keys; numbers kept exact (Decimal)."""
    try:
        text = raw.decode("utf-8")
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant,
                          object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InputError("malformed-json", f"the body is not valid JSON: {error}"[:300],
                         [{"detail": str(error)[:200], "pointer": ""}]) from None


def pointer_of(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in CATALOG:  # the discriminated union's tag, not a body field
        parts = parts[1:]
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _message(error: dict[str, Any], pointer: str) -> str:
    kind = error["type"]
    field = pointer.rsplit("/", 1)[-1] or "body"
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    if kind == "missing":
        return f"{field} is required"
    if kind == "union_tag_invalid":
        return f"unknown event type {error['input'].get('type')!r}: expected one of " + ", ".join(CATALOG)
    if kind == "union_tag_not_found":
        return "type is required"
    if kind == "model_type":
        return "must be a JSON object"
    return f"{field}: {error['msg']}"


def validation_problems(error: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    problems = []
    for e in error.errors():
        pointer = pointer_of(e["loc"])
        if e["type"] == "union_tag_invalid" or e["type"] == "union_tag_not_found":
            pointer = "/type"
        problems.append({"detail": _message(e, pointer), "pointer": prefix + pointer})
    return problems


def parse_envelope(value: Any, prefix: str = "") -> Envelope:
    if not isinstance(value, dict):
        raise InputError("validation-error", "an event must be a JSON object",
                         [{"detail": "must be a JSON object", "pointer": prefix}])
    try:
        return ENVELOPE_ADAPTER.validate_python(value)
    except ValidationError as error:
        problems = validation_problems(error, prefix)
        raise InputError("validation-error", problems[0]["detail"], problems) from None
