"""A history span's state with `detail=lanes` (docs/state.md, "Lanes: the history a timeline
draws"): of the full state, only what a lane per destination draws."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from domain.payloads import ReviewPolicy
from services.api.schemas.common import Answer, Id, Status
from services.api.schemas.state import (
    ExportRestriction,
    HeldLicense,
    PendingApplication,
    ProductionHalt,
)


class LaneEntry(Answer):
    """A destination's entry of `export`, cut to its lane."""

    status: Status
    review_policy: ReviewPolicy | None
    pending_applications: list[Id]


class ProductionLane(Answer):
    status: Literal["active", "halted"]
    halted_by: list[Id]


class ChipLanes(Answer):
    """A chip's span state with detail=lanes."""

    export: dict[str, LaneEntry] = Field(description="by destination; absent = unrestricted")
    production: ProductionLane


class CompanyLanes(Answer):
    """A company's span state with detail=lanes: these parts of its state, whole."""

    chips: list[Id]
    export_restrictions: list[ExportRestriction]
    licenses: list[HeldLicense]
    applications: list[PendingApplication]
    production_halts: list[ProductionHalt]
