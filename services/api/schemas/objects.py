"""Measures, licences, agreements, advisories, cases and applications at T
(docs/api.md, "Answers")."""

from __future__ import annotations

from copy import copy
from typing import Any, Optional, cast

from pydantic import Field, create_model
from pydantic_core import PydanticUndefined

from domain.catalog import CATALOG, Role
from domain.fields import literal_of
from domain.objects import ENDED_STATUS, KINDS, LIVE_STATUS, MORE_STATUSES
from services.api.schemas.common import Anomaly, Answer, Coordinates, Instant


class EventSummary(Answer):
    id: str
    type: str
    position: int
    effective_at: Instant | None
    reported_at: Instant
    revised_by: list[str]


class Suspension(Answer):
    since: Instant
    until: Instant | None = Field(description="exclusive end; null: until reinstated")


class ObjectFacts(Answer):
    status: str
    effective_at: Instant | None = Field(description="when its creating event took effect")
    version: int = Field(description="events recorded for it so far (at P)")
    anomalies: list[Anomaly]
    events: list[EventSummary] = Field(description="the events that made it, as known at K")


def _statuses(kind: str) -> Any:
    extra = MORE_STATUSES.get(kind, ())
    return literal_of(*dict.fromkeys((LIVE_STATUS[kind], ENDED_STATUS[kind], "pending", *extra)))


def _required(field: Any) -> Any:
    """The creator's field as the view echoes it: always present (a default is filled in)."""
    echoed = copy(field)
    echoed.default = PydanticUndefined
    return echoed


def _ending_fields(kind: str) -> dict[str, Any]:
    """What an ending adds (a case's finding, a lift's reason): present once ended."""
    fields: dict[str, Any] = {}
    for t in CATALOG.values():
        if t.kind == kind and t.role is Role.TERMINAL:
            for name, info in t.model.model_fields.items():
                if name != t.id_field:
                    fields[name] = (
                        Optional[info.annotation],  # noqa: UP045 - a runtime type
                        Field(None, description=f"set by {t.name}"),
                    )
    return fields


def _view_model(segment: str) -> Any:
    kind, _ = KINDS[segment]
    creator = next(t for t in CATALOG.values() if t.kind == kind and t.role is Role.CREATOR)
    optional = getattr(creator.model, "V2_FIELDS", ())  # present only when stated
    fields: dict[str, Any] = {
        n: (f.annotation, f if n in optional else _required(f))
        for n, f in creator.model.model_fields.items()
    }
    if kind == "measure":
        fields["suspension"] = (
            Optional[Suspension],  # noqa: UP045 - a runtime type
            Field(None, description="only while suspended at T (v2)"),
        )
    name = "".join(part.title() for part in kind.split("_"))
    return create_model(
        f"{name}Summary",
        __base__=ObjectFacts,
        __doc__=f"A {kind} as it stood at T: the fields of its `{creator.name}` as amended.",
        status=(_statuses(kind), ...),
        **fields,
        **_ending_fields(kind),
    )


OBJECT_SUMMARIES = {segment: _view_model(segment) for segment in KINDS}
OBJECT_VIEWS = {
    segment: create_model(
        summary.__name__.removesuffix("Summary"),
        __base__=(summary, Coordinates),
        __doc__=f"{summary.__doc__} With the coordinates it was read at.",
    )
    for segment, summary in OBJECT_SUMMARIES.items()
}


def _page_model(segment: str) -> Any:
    item: Any = OBJECT_SUMMARIES[segment]
    return create_model(
        f"{OBJECT_VIEWS[segment].__name__}Page",
        __base__=Coordinates,
        __doc__=f"A page of {segment} at as_of, by id.",
        items=(cast(Any, list)[item], ...),  # list[item]: a model chosen at run time
        next=(str | None, Field(description="the cursor for the next page (`after`), or null")),
    )


OBJECT_PAGES = {segment: _page_model(segment) for segment in KINDS}
