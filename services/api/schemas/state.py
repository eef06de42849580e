"""Chip and company state (docs/architecture.md, "Point-in-time reads")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from domain.catalog import Specs
from domain.fields import Destination
from domain.payloads import ReviewPolicy
from services.api.schemas.common import (
    Anomaly,
    Answer,
    Code,
    Control,
    Coordinates,
    DecimalText,
    Guidance,
    Id,
    Instant,
    Status,
    Upcoming,
)

# The figures a chip was registered with, as answered: normalised decimal strings, an absent
# figure left out (never null). Built from the catalogue so that a new figure shows here too.
ChipSpecs = TypedDict(  # type: ignore[misc]  # keys come from the catalogue's Specs
    "ChipSpecs", {name: DecimalText for name in Specs.model_fields}, total=False
)


class MatchedBy(Answer):
    by: Literal["named", "criteria"]
    index: int | None = Field(None, ge=0, description="the first matching clause (criteria only)")


class ExceptionAvailable(Answer):
    measure_id: Id
    exception_id: Id
    conditions: str


class ExportEntry(Answer):
    status: Status = Field(description="the most restrictive over exporting jurisdictions")
    measures: list[Id]
    licenses: list[Id]
    matched_by: dict[str, MatchedBy] = Field(description="per measure: named, or which clause")
    by_jurisdiction: dict[str, Status] = Field(description="per exporting jurisdiction")
    review_policy: ReviewPolicy | None = Field(
        description="license_required only: the most restrictive review policy of the "
        "measures that require the licence (v2)"
    )
    exceptions: list[ExceptionAvailable] = Field(
        description="license_required only: licence exceptions that match the chip and "
        "destination, by (measure, exception) (v2)"
    )
    via: dict[str, Destination] = Field(
        description="per measure: the first destination entry as written (a code or "
        "group:<id>) that reaches this destination (v2)"
    )
    pending_applications: list[Id] = Field(
        description="applications pending at T that name the chip and this destination (v2)"
    )


class SuspendedMeasure(Answer):
    measure_id: Id
    since: Instant
    until: Instant | None = Field(description="exclusive end; null: until reinstated")


class EndUserRestriction(Answer):
    measure_id: Id
    companies: list[Id]
    destinations: list[Code]
    control: Control


class ChipRevenueShare(Answer):
    agreement_id: Id
    company: Id
    beneficiary: Code
    percent: DecimalText
    destinations: list[Code]


class ChipAdvisory(Answer):
    advisory_id: Id
    authority: str
    jurisdiction: Code
    guidance: Guidance


class Investigation(Answer):
    case_id: Id
    authority: str
    jurisdiction: Code
    kind: Literal["antitrust", "security", "summons", "other"]
    status: Literal["open", "concluded"]
    finding: Literal["violation", "cleared", "other"] | None


class Production(Answer):
    status: Literal["active", "halted"]
    since: Instant | None = Field(description="the earliest open halt")
    halted_by: list[Id]
    suppliers: list[Id]


class Duty(Answer):
    tariff_id: Id
    authority: str
    jurisdiction: Code
    direction: Literal["import", "export"]
    rate_percent: DecimalText
    origins: list[Code]
    destinations: list[Code] = Field(description="resolved at T; empty: every destination")
    basis: str | None
    matched_by: MatchedBy


class OpenAnnouncement(Answer):
    announcement_id: Id
    authority: str
    jurisdiction: Code
    destinations: list[Code]
    expected_effective_at: Instant | None


class ChipFacts(Answer):
    """A chip's state without its coordinates and `upcoming`: a span of /history."""

    chip: Id
    name: str
    manufacturer: Id
    successor_of: Id | None
    specs: ChipSpecs
    export: dict[str, ExportEntry] = Field(description="by destination; absent = unrestricted")
    end_user_restrictions: list[EndUserRestriction]
    suspended_measures: list[SuspendedMeasure] = Field(
        description="measures covering it that are suspended at T (v2)"
    )
    duties: list[Duty] = Field(description="tariffs in force at T that cover it (v2)")
    announcements: list[OpenAnnouncement] = Field(
        description="announcements naming it, neither implemented nor withdrawn at T (v2)"
    )
    revenue_share: list[ChipRevenueShare]
    advisories: list[ChipAdvisory]
    investigations: list[Investigation]
    production: Production
    anomalies: list[Anomaly]


class ChipSummary(ChipFacts):
    """A chip's state in a list (the page carries the coordinates)."""

    upcoming: list[Upcoming] = Field(description="known changes after T, at most 50")


class ChipState(ChipSummary, Coordinates):
    """A chip's state at (as_of, known_at, position)."""


class HeldLicense(Answer):
    license_id: Id
    authority: str
    jurisdiction: Code
    chips: list[Id]
    destinations: list[Code]
    expires_at: Instant | None = Field(description="exclusive end")


class CompanyRevenueShare(Answer):
    agreement_id: Id
    chips: list[Id]
    destinations: list[Code]
    beneficiary: Code
    percent: DecimalText


class CompanyAdvisory(ChipAdvisory):
    chips: list[Id]


class ExportRestriction(Answer):
    measure_id: Id
    authority: str
    jurisdiction: Code
    destinations: list[Code]
    control: Control
    chips: list[Id] = Field(description="the chips the measure names")
    via: Affiliation | None = Field(
        description="null when the measure names it; else the owners through which its "
        "affiliates rule reaches it (v2)"
    )


class Affiliation(Answer):
    owners: list[Id] = Field(description="its owners among the restricted companies")
    percent: DecimalText = Field(description="what they hold together")


class PendingApplication(Answer):
    application_id: Id
    authority: str
    jurisdiction: Code
    chips: list[Id]
    destinations: list[Code]
    status: Literal["pending"]


class Owner(Answer):
    owner: Id
    percent: DecimalText


class Holding(Answer):
    owned: Id
    percent: DecimalText


class ProductionHalt(Answer):
    chip: Id
    since: Instant
    suppliers: list[Id]


class ProductionOrder(Answer):
    company: Id = Field(description="the company that ordered the halt")
    chip: Id
    since: Instant


class CompanyFacts(Answer):
    """A company's state without its coordinates: a span of /history."""

    company: Id
    name: str
    country: Code | None
    licenses: list[HeldLicense]
    revenue_share: list[CompanyRevenueShare]
    advisories: list[CompanyAdvisory]
    export_restrictions: list[ExportRestriction]
    applications: list[PendingApplication] = Field(description="pending, as licensee (v2)")
    owners: list[Owner] = Field(description="who owns it at T (v2)")
    holdings: list[Holding] = Field(description="what it owns at T (v2)")
    announcements: list[OpenAnnouncement] = Field(description="open announcements naming it (v2)")
    investigations: list[Investigation]
    production_halts: list[ProductionHalt]
    production_orders_received: list[ProductionOrder]
    chips: list[Id] = Field(description="the chips it manufactures")
    anomalies: list[Anomaly]


class CompanySummary(CompanyFacts):
    """A company's state in a list (the page carries the coordinates)."""


class CompanyState(CompanyFacts, Coordinates):
    """A company's state at (as_of, known_at, position)."""
