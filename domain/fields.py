"""Strict pydantic field types for the envelope and the catalog.

Every type here refuses what pydantic's lax mode would coerce (numbers as strings, naive
date-times, booleans as numbers) and carries a JSON Schema so the OpenAPI document
describes exactly what is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, cast

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from domain import clocks, decimals, ids

MAX_ITEMS = 300
# Every C0 and C1 control, newline included: prose (`newlines=True`) removes newlines before
# searching, so only the fields that allow them (summary, reason) accept them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _custom(check: Any, kind: str) -> Any:
    """Wrap a ValueError-raising check so pydantic reports `kind` and our message."""

    def validate(value: object) -> Any:
        try:
            return check(value)
        except ValueError as error:
            raise PydanticCustomError(kind, str(error)) from None

    return validate


def _instant(role: clocks.DateRole) -> Any:
    return _custom(lambda v: clocks.parse_instant(v, role), "instant")


_INSTANT_SCHEMA = {
    "type": "string",
    "description": "RFC 3339 timestamp with an offset, or a UTC date YYYY-MM-DD",
    "examples": ["2025-08-11", "2025-08-11T14:30:00Z"],
}

Instant = Annotated[
    datetime,
    BeforeValidator(_instant(clocks.DateRole.START)),
    PlainSerializer(clocks.format_instant, return_type=str),
    WithJsonSchema(_INSTANT_SCHEMA),
]
ExclusiveEnd = Annotated[
    datetime,
    BeforeValidator(_instant(clocks.DateRole.EXCLUSIVE_END)),
    PlainSerializer(clocks.format_instant, return_type=str),
    WithJsonSchema(
        {**_INSTANT_SCHEMA, "description": "exclusive end; a bare date means through that day"}
    ),
]


def _destination(value: object) -> str:
    """An ISO code, or `group:<group_id>` (docs/events.md, "Destination groups")."""
    if isinstance(value, str) and value.startswith(ids.GROUP_PREFIX):
        ids.check_slug(value.removeprefix(ids.GROUP_PREFIX))
        return value
    try:
        return ids.check_jurisdiction(value)
    except ValueError as error:
        raise ValueError(f"{error}; or name a group as group:<group_id>") from None


Destination = Annotated[
    str,
    BeforeValidator(_custom(_destination, "destination")),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^([A-Z]{{2}}|group:{ids.SLUG_PATTERN[1:-1]})$",
            "description": "ISO 3166-1 alpha-2 (or EU), or group:<group_id>",
            "examples": ["CN", "group:ear-d5"],
        }
    ),
]
Slug = Annotated[
    str,
    BeforeValidator(_custom(ids.check_slug, "slug")),
    WithJsonSchema({"type": "string", "pattern": ids.SLUG_PATTERN}),
]
Jurisdiction = Annotated[
    str,
    BeforeValidator(_custom(ids.check_jurisdiction, "jurisdiction")),
    WithJsonSchema(
        {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2 or EU"}
    ),
]


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise PydanticCustomError("decimal", "must be zero or more")
    return value


def _percent(value: Decimal) -> Decimal:
    if not 0 < value <= 100:
        raise PydanticCustomError("decimal", "must be more than 0 and at most 100")
    return value


_DECIMAL_SCHEMA = {
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d{1,4})?$"}],
    "description": "a decimal with at most 4 places; echoed as a normalised string",
}
Figure = Annotated[
    Decimal,
    BeforeValidator(_custom(decimals.parse_decimal, "decimal")),
    AfterValidator(_non_negative),
    PlainSerializer(decimals.format_decimal, return_type=str),
    WithJsonSchema(_DECIMAL_SCHEMA),
]
Percent = Annotated[
    Decimal,
    BeforeValidator(_custom(decimals.parse_decimal, "decimal")),
    AfterValidator(_percent),
    PlainSerializer(decimals.format_decimal, return_type=str),
    WithJsonSchema(_DECIMAL_SCHEMA),
]


def _rate(value: Decimal) -> Decimal:
    if not 0 < value <= 1000:
        raise PydanticCustomError("decimal", "must be more than 0 and at most 1000")
    return value


RatePercent = Annotated[  # a tariff's rate: up to 1,000 %
    Decimal,
    BeforeValidator(_custom(decimals.parse_decimal, "decimal")),
    AfterValidator(_rate),
    PlainSerializer(decimals.format_decimal, return_type=str),
    WithJsonSchema(_DECIMAL_SCHEMA),
]


def _plain_text(limit: int, *, newlines: bool) -> Any:
    def check(value: object) -> str:
        if not isinstance(value, str):
            raise ValueError("must be a string")
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters (got {len(value)})")
        bad = _CONTROL.search(value.replace("\n", "") if newlines else value)
        if bad:
            raise ValueError(f"must not contain control characters (found {bad.group()!r})")
        return value

    return _custom(check, "text")


# Bounded texts, spelt out so that type checkers read them as types (the limits of
# docs/events.md, "Sources and limits"): one line of at most N characters, or prose
# (newlines allowed).
Text100 = Annotated[
    str,
    BeforeValidator(_plain_text(100, newlines=False)),
    WithJsonSchema({"type": "string", "maxLength": 100}),
]
Text300 = Annotated[
    str,
    BeforeValidator(_plain_text(300, newlines=False)),
    WithJsonSchema({"type": "string", "maxLength": 300}),
]
Text1000 = Annotated[
    str,
    BeforeValidator(_plain_text(1000, newlines=False)),
    WithJsonSchema({"type": "string", "maxLength": 1000}),
]
Prose1000 = Annotated[
    str,
    BeforeValidator(_plain_text(1000, newlines=True)),
    WithJsonSchema({"type": "string", "maxLength": 1000}),
]


def _unique(items: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    for index, item in enumerate(items):
        if item in seen:
            raise PydanticCustomError(
                "duplicate_item", "item {index} repeats '{item}'", {"index": index, "item": item}
            )
        seen.add(item)
    return items


def UniqueList(item: Any, *, min_items: int = 0) -> Any:  # noqa: N802
    """A list of at most 300 distinct items (a repeated id is a client mistake)."""
    return Annotated[
        list[item], Field(min_length=min_items, max_length=MAX_ITEMS), AfterValidator(_unique)
    ]


Slugs = UniqueList(Slug)
NonEmptySlugs = UniqueList(Slug, min_items=1)
NonEmptyJurisdictions = UniqueList(Jurisdiction, min_items=1)
Jurisdictions = UniqueList(Jurisdiction)
Destinations = UniqueList(Destination)
NonEmptyDestinations = UniqueList(Destination, min_items=1)


def literal_of(*values: str) -> Any:
    """`Literal[values]` built at run time (the catalogue's type names): a type checker cannot
    follow such a type, so to it this is Any; pydantic sees the real Literal."""
    return cast(Any, Literal)[values]


def union_of(types: Iterable[Any]) -> Any:
    """`Union[types]` built at run time (every model of the catalogue), as `literal_of`."""
    return cast(Any, Union)[tuple(types)]
