"""Strict parsing of client input: JSON per RFC 8259, envelopes per the catalog.

Shared by the HTTP API and `regtl load`; raises InputError, which the API renders as a
problem (400 for malformed JSON, 422 for invalid values).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from domain.catalog import CATALOG
from domain.envelope import ENVELOPE_ADAPTER, Envelope


class InputError(Exception):
    def __init__(self, kind: str, detail: str, errors: list[dict[str, str]]):
        super().__init__(detail)
        self.kind, self.detail, self.errors = kind, detail, errors


class MalformedJson(InputError):
    """A JSON syntax error, with where it is (`regtl load` names the file's line and column)."""

    def __init__(self, error: json.JSONDecodeError):
        super().__init__(
            "malformed-json",
            f"the body is not valid JSON: {error}"[:300],
            [{"detail": str(error)[:200], "pointer": ""}],
        )
        self.reason, self.line, self.column = error.msg, error.lineno, error.colno


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # dict() builds in C; only a body that has a repeat pays for finding the first one.
    # Called for every JSON object: a batch of 1,000 events has several thousand.
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return result


_INT_DIGITS = 4000  # below int()'s default limit of 4,300 digits


def _parse_int(text: str) -> int | Decimal:
    """Integers past int()'s digit limit stay exact Decimals: out of range (422), not malformed."""
    return int(text) if len(text) <= _INT_DIGITS else Decimal(text)


def _parse_float(text: str) -> Decimal:
    """Decimal() refuses an exponent past 10^(10^18) with InvalidOperation, which is no
    ValueError: say it as one, or it escapes as a crash (docs/cli.md, "Mistakes")."""
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"the number {text[:20]}… is out of range") from None


def parse_strict_json(raw: bytes) -> Any:
    """RFC 8259 JSON only: no NaN/Infinity, no duplicate keys; numbers kept exact (Decimal).

    Strings must be Unicode text (I-JSON, RFC 7493): a `\\ud800` escape with no partner
    would otherwise reach the store, which cannot encode it.
    """
    try:
        text = raw.decode("utf-8")
        value = json.loads(
            text,
            parse_float=_parse_float,
            parse_int=_parse_int,
            parse_constant=_refuse_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError as error:
        raise MalformedJson(error) from None
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InputError(
            "malformed-json",
            f"the body is not valid JSON: {error}"[:300],
            [{"detail": str(error)[:200], "pointer": ""}],
        ) from None
    if "\\u" in text:  # only an escape can produce a lone surrogate from valid UTF-8
        _refuse_lone_surrogates(value)
    return value


def _refuse_lone_surrogates(value: Any) -> None:
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        pointer, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                _check_text(key, pointer)  # a bad key cannot be echoed: point at its object
                here = pointer + "/" + key.replace("~", "~0").replace("/", "~1")
                stack.append((here, child))
        elif isinstance(item, list):
            stack.extend((f"{pointer}/{i}", child) for i, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, pointer)


def _check_text(text: str, pointer: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        detail = "a string holds an unpaired UTF-16 surrogate escape; send Unicode text"
        raise InputError(
            "malformed-json",
            f"the body is not valid JSON: {detail}",
            [{"detail": detail, "pointer": pointer}],
        ) from None


def pointer_of(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in CATALOG:  # the discriminated union's tag, not a body field
        parts = parts[1:]
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _message(error: ErrorDetails, pointer: str) -> str:
    kind = error["type"]
    field = pointer.rsplit("/", 1)[-1] or "body"
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    if kind == "missing":
        return f"{field} is required"
    if kind == "union_tag_invalid":
        return f"unknown event type {error['input'].get('type')!r}: expected one of " + ", ".join(
            CATALOG
        )
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
        detail = _message(e, pointer)
        if e["type"] == "duplicate_item":  # point at the repeat, not the whole list
            pointer += f"/{e['ctx']['index']}"
        problems.append({"detail": detail, "pointer": prefix + pointer})
    return problems


def parse_envelope(value: Any, prefix: str = "") -> Envelope:
    if not isinstance(value, dict):
        raise InputError(
            "validation-error",
            "an event must be a JSON object",
            [{"detail": "must be a JSON object", "pointer": prefix}],
        )
    try:
        return ENVELOPE_ADAPTER.validate_python(value)
    except ValidationError as error:
        problems = validation_problems(error, prefix)
        raise InputError("validation-error", problems[0]["detail"], problems) from None
