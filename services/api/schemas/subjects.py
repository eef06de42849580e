"""History, diff and list pages of chips and companies (docs/api.md, "Coordinates")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from services.api.schemas.common import Answer, Coordinates, Instant
from services.api.schemas.state import ChipFacts, ChipSummary, CompanyFacts, CompanySummary

Next = Field(description="the cursor for the next page (`after`), or null")


class ChipSpan(Answer):
    from_: Instant | None = Field(alias="from", description="null: before any recorded change")
    to: Instant | None = Field(description="exclusive; null: still so")
    state: ChipFacts


class CompanySpan(Answer):
    from_: Instant | None = Field(alias="from", description="null: before any recorded change")
    to: Instant | None = Field(description="exclusive; null: still so")
    state: CompanyFacts


class ChipHistory(Answer):
    chip: str
    known_at: Instant
    position: int
    spans: list[ChipSpan] = Field(description="state spans in valid time, split at every change")


class CompanyHistory(Answer):
    company: str
    known_at: Instant
    position: int
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
    """A page of chips and their state at as_of, by id."""

    items: list[ChipSummary]
    next: str | None = Next


class CompanyPage(Coordinates):
    """A page of companies and their state at as_of, by id."""

    items: list[CompanySummary]
    next: str | None = Next
