"""History, diff and list pages of chips and companies (docs/api.md, "Coordinates")."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from services.api.schemas.common import Answer, Coordinates, Instant
from services.api.schemas.lanes import ChipLanes, CompanyLanes
from services.api.schemas.state import ChipFacts, ChipSummary, CompanyFacts, CompanySummary

Next = Field(description="the cursor for the next page (`after`), or null")
SPAN_EVENTS = Field(
    description="ids of the events whose effect starts the span, in fold order: those taking "
    "effect then and, for a licence expiry, a suspension's end or a compliance date falling "
    "then, the event that set it; [] for the first span"
)


class SpanBase(Answer):
    from_: Instant | None = Field(alias="from", description="null: before any recorded change")
    to: Instant | None = Field(description="exclusive; null: still so")
    events: list[UUID] = SPAN_EVENTS


SPAN_STATE = "the state over the span; with detail=lanes, only its lanes"


class ChipSpan(SpanBase):
    state: ChipFacts | ChipLanes = Field(description=SPAN_STATE)


class CompanySpan(SpanBase):
    state: CompanyFacts | CompanyLanes = Field(description=SPAN_STATE)


class Windowed(Answer):
    """A timeline's or history's coordinates: K, P, and the window when one was asked."""

    known_at: Instant
    position: int
    from_: Instant | None = Field(
        None, alias="from", description="the window's start, as resolved (only when given)"
    )
    to: Instant | None = Field(None, description="the window's end, as resolved (only when given)")


class ChipHistory(Windowed):
    chip: str
    spans: list[ChipSpan] = Field(
        description="state spans in valid time, split at every change (within the window)"
    )


class CompanyHistory(Windowed):
    company: str
    spans: list[CompanySpan]


class DiffSide(Answer):
    as_of: Instant
    known_at: Instant


class Change(Answer):
    path: str = Field(description="a JSON Pointer into the state", examples=["/export/CN/status"])
    from_: Any = Field(alias="from", description="the old value (null: absent)")
    to: Any = Field(description="the new value (null: absent)")


class DiffBase(Answer):
    axis: Literal["effective", "known"]
    position: int
    from_: DiffSide = Field(alias="from")
    to: DiffSide
    changes: list[Change]


class ChipDiff(DiffBase):
    chip: str


class CompanyDiff(DiffBase):
    company: str


class ChipPage(Coordinates):
    """A page of chips and their state at (as_of, known_at, at_position), by id."""

    items: list[ChipSummary]
    next: str | None = Next


class CompanyPage(Coordinates):
    """A page of companies and their state at (as_of, known_at, at_position), by id."""

    items: list[CompanySummary]
    next: str | None = Next
