"""The export check's answer (docs/checks.md): decision support, not legal advice."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from domain.envelope import Source
from domain.fields import Destination
from domain.payloads import ReviewPolicy
from services.api.schemas.common import Answer, Code, Coordinates, Guidance, Id, Status, Upcoming
from services.api.schemas.state import (
    ChipRevenueShare,
    Duty,
    ExceptionAvailable,
    MatchedBy,
    OpenAnnouncement,
    SuspendedMeasure,
)

Decision = Literal["banned", "license_required", "licensed", "unrestricted"]


class CheckReason(Answer):
    """A measure, licence or suspended measure that decided, or could have decided, the
    answer (docs/checks.md, "Reasons")."""

    kind: Literal["license", "measure", "suspended_measure"]
    id: Id
    jurisdiction: Code
    effect: Literal["banned", "license_required", "licensed", "suspended"] = Field(
        description="a measure's control (banned, license_required), licensed for a "
        "licence, suspended for a suspended measure"
    )
    matched_by: MatchedBy | None = Field(
        description="how it covers the chip; null for a measure naming only companies"
    )
    via: Destination = Field(
        description="measures: the first destination entry as written (a code or "
        "group:<id>) that reaches the destination; licences: the destination"
    )
    review_policy: ReviewPolicy | None = Field(
        None,
        description="measures only: its policy for this chip and destination (its first "
        "matching override's, else its own)",
    )
    company: Id | None = Field(None, description="end-user measures only: the end user")
    via_owners: list[Id] | None = Field(
        None,
        description="end-user measures only: null when it names the end user, else the "
        "owners through which its affiliates rule reaches it",
    )
    events: list[UUID] = Field(
        description="ids of its events as known at known_at with effective_at ≤ as_of, "
        "not retracted, in fold order (revisions applied, not listed)"
    )
    sources: Annotated[list[Source], Field(description="those events' sources, in order")]


class DestinationAdvisory(Answer):
    advisory_id: Id
    authority: str
    jurisdiction: Code = Field(description="the destination")
    guidance: Guidance
    chips: list[Id]
    companies: list[Id]


class UnknownClause(Answer):
    measure_id: Id
    clause: int = Field(ge=0, description="the clause's index in the measure's criteria")
    missing: list[str] = Field(
        min_length=1, description="the specs it bounds that the chip's registration lacks"
    )


class ExportCheck(Coordinates):
    """May `exporter` ship `chip` to `destination` (for `end_user`) at as_of, as known at
    known_at, and why. Decision support built from the recorded events and their sources,
    not legal advice."""

    chip: Id
    destination: Code
    exporter: Id = Field(description="as asked, else the chip's manufacturer")
    end_user: Id | None
    decision: Decision = Field(
        description="the most restrictive verdict over exporting jurisdictions; "
        "unrestricted when no measure in force restricts the shipment"
    )
    review_policy: ReviewPolicy | None = Field(
        description="license_required only: the most restrictive policy of the measures "
        "still requiring a licence"
    )
    by_jurisdiction: dict[str, Status] = Field(description="per exporting jurisdiction")
    reasons: list[CheckReason] = Field(description="sorted by (kind, id)")
    exceptions: list[ExceptionAvailable] = Field(
        description="license_required only: licence exceptions of the measures still "
        "requiring a licence that match the chip and destination"
    )
    pending_applications: list[Id] = Field(
        description="the exporter's applications pending at as_of naming the chip and destination"
    )
    duties: list[Duty] = Field(
        description="tariffs in force covering the chip whose destinations are empty or "
        "include the destination"
    )
    revenue_share: list[ChipRevenueShare] = Field(
        description="the exporter's active agreements naming the chip and destination"
    )
    destination_advisories: list[DestinationAdvisory] = Field(
        description="active advisories of the destination's jurisdiction naming the chip "
        "or the exporter"
    )
    suspended_measures: list[SuspendedMeasure] = Field(description="as in the chip's state")
    announcements: list[OpenAnnouncement] = Field(
        description="open announcements naming the chip whose destinations are empty or "
        "include the destination"
    )
    upcoming: list[Upcoming] = Field(description="as in the chip's state")
    unknowns: list[UnknownClause] = Field(
        description="clauses the chip could not be checked against (a spec is missing)"
    )
