"""Stored events as the log serves them (docs/api.md, "The contract")."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, create_model

from domain.catalog import CATALOG, Data
from domain.envelope import MAX_SOURCES, Source
from domain.fields import literal_of, union_of
from services.api.schemas.common import Answer, Instant
from services.api.schemas.subjects import Windowed


class StoredEventBase(Answer):
    """What every stored event carries: the request's fields plus what the service added."""

    id: UUID
    effective_at: Instant | None = Field(description="valid time (null for registry events)")
    reported_at: Instant = Field(description="knowledge time")
    recorded_at: Instant = Field(description="system time: when this service stored it")
    recorded_by: str = Field(description="the name of the API key that wrote it")
    summary: str
    sources: Annotated[list[Source], Field(max_length=MAX_SOURCES)]
    position: int = Field(ge=1, description="its place in the log")
    version: int = Field(ge=1, description="the version of the aggregate it belongs to")
    schema_version: int
    revised_by: list[UUID] | None = Field(
        None, description="timelines only: the revisions applied to it, as known at K"
    )


def _stored(name: str, data_model: type[Data]) -> Any:
    return create_model(
        f"Stored{name}",
        __base__=StoredEventBase,
        __doc__=f"A stored `{name}` event.",
        type=(literal_of(name), ...),
        data=(data_model, ...),
    )


STORED_EVENTS = {name: _stored(name, t.model) for name, t in CATALOG.items()}
StoredEvent: Any = Annotated[union_of(STORED_EVENTS.values()), Field(discriminator="type")]


class EventPage(Answer):
    """A page of the log, in position order."""

    items: list[StoredEvent]
    next: str | None = Field(description="the cursor for the next page (`after`), or null")


class Appended(Answer):
    id: UUID
    position: int
    version: int


class BatchAppended(Answer):
    """The stored batch, item by item in request order."""

    items: list[Appended]


class TimelineBase(Windowed):
    items: list[StoredEvent] = Field(
        description="the events that concern it, revisions applied as known at K (within "
        "the window)"
    )


class ChipTimeline(TimelineBase):
    chip: str


class CompanyTimeline(TimelineBase):
    company: str
