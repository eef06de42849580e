"""Event catalog v1 (docs/events.md, "The catalog"): the `data` payload of each of the 18 event types."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from domain.fields import (
    ExclusiveEnd,
    Figure,
    Instant,
    Jurisdiction,
    NonEmptyJurisdictions,
    NonEmptySlugs,
    Percent,
    Prose1000,
    Slug,
    Slugs,
    Text100,
    Text300,
)

SPEC_NAMES = ("tpp", "performance_density", "memory_bandwidth_gbps", "interconnect_gbps", "hbm_gb")
Authority = Text100
Reason = Prose1000


class Data(BaseModel):
    """Base of every payload: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Figures(Data):
    """A bag of optional figures: absent ones are left out when stored, not stored as null."""

    @model_serializer(mode="wrap")
    def _drop_absent(self, handler: Any) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class Specs(Figures):
    tpp: Figure | None = None
    performance_density: Figure | None = None
    memory_bandwidth_gbps: Figure | None = None
    interconnect_gbps: Figure | None = None
    hbm_gb: Figure | None = None


class Clause(Figures):
    """Thresholds that must all be met; a chip matching any clause is covered."""

    tpp_min: Figure | None = None
    performance_density_min: Figure | None = None
    memory_bandwidth_gbps_min: Figure | None = None
    interconnect_gbps_min: Figure | None = None
    hbm_gb_min: Figure | None = None

    @model_validator(mode="after")
    def _has_a_threshold(self) -> Clause:
        if not self.model_fields_set:
            raise PydanticCustomError("clause", "a clause needs at least one <spec>_min key")
        return self


Criteria = Annotated[list[Clause], Field(max_length=16)]
Control = Literal["ban", "license_required"]


class CompanyRegistered(Data):
    company: Slug
    name: Text300
    country: Jurisdiction | None = None


class ChipRegistered(Data):
    chip: Slug
    name: Text300
    manufacturer: Slug
    successor_of: Slug | None = None
    specs: Specs | None = None


class ExportBanImposed(Data):
    measure_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    destinations: NonEmptyJurisdictions
    chips: Slugs = []
    criteria: Criteria = []
    companies: Slugs = []
    control: Control

    @model_validator(mode="after")
    def _covers_something(self) -> ExportBanImposed:
        if not (self.chips or self.criteria or self.companies):
            raise PydanticCustomError(
                "coverage", "a measure needs at least one of chips, criteria or companies"
            )
        return self


class ExportBanAmended(Data):
    measure_id: Slug
    destinations: NonEmptyJurisdictions | None = None
    chips: Slugs | None = None
    criteria: Criteria | None = None
    companies: Slugs | None = None
    control: Control | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> ExportBanAmended:
        if self.model_fields_set <= {"measure_id"}:
            raise PydanticCustomError(
                "amendment",
                "an amendment needs at least one of destinations, chips, criteria, "
                "companies or control",
            )
        return self


class ExportBanLifted(Data):
    measure_id: Slug
    reason: Literal["rescinded", "suspended", "expired", "superseded", "other"]


class LicenseGranted(Data):
    license_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    licensee: Slug
    chips: NonEmptySlugs
    destinations: NonEmptyJurisdictions
    expires_at: ExclusiveEnd | None = None


class LicenseDenied(Data):
    application_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    licensee: Slug
    chips: NonEmptySlugs
    destinations: NonEmptyJurisdictions


class LicenseRevoked(Data):
    license_id: Slug


class RevenueShareAgreed(Data):
    agreement_id: Slug
    company: Slug
    chips: NonEmptySlugs
    destinations: NonEmptyJurisdictions
    beneficiary: Jurisdiction
    percent: Percent


class RevenueShareEnded(Data):
    agreement_id: Slug


Guidance = Literal[
    "caution", "avoid_purchase", "purchase_ban", "import_blocked", "security_review", "other"
]


class AdvisoryIssued(Data):
    advisory_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    chips: Slugs = []
    companies: Slugs = []
    guidance: Guidance

    @model_validator(mode="after")
    def _names_someone(self) -> AdvisoryIssued:
        if not (self.chips or self.companies):
            raise PydanticCustomError("coverage", "an advisory names at least one chip or company")
        return self


class AdvisoryWithdrawn(Data):
    advisory_id: Slug


class ProductionHalted(Data):
    company: Slug
    chips: NonEmptySlugs
    suppliers: Slugs = []
    reason: Reason | None = None


class ProductionResumed(Data):
    company: Slug
    chips: NonEmptySlugs


class InvestigationOpened(Data):
    case_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    companies: Slugs = []
    chips: Slugs = []
    kind: Literal["antitrust", "security", "summons", "other"]

    @model_validator(mode="after")
    def _names_someone(self) -> InvestigationOpened:
        if not (self.chips or self.companies):
            raise PydanticCustomError("coverage", "a case names at least one chip or company")
        return self


class InvestigationConcluded(Data):
    case_id: Slug
    finding: Literal["violation", "cleared", "other"]


class Changes(Data):
    """A correction: the fields it replaces. `data` is checked against the target's type."""

    effective_at: Instant | None = None
    reported_at: Instant | None = None
    data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> Changes:
        if not self.model_fields_set:
            raise PydanticCustomError(
                "changes", "a correction changes at least one of effective_at, reported_at, data"
            )
        return self


class EventCorrected(Data):
    event_id: Annotated[
        str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    ]
    changes: Changes


class EventRetracted(Data):
    event_id: Annotated[
        str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    ]
    reason: Reason


class Role(Enum):
    REGISTRY = "registry"  # creates a chip or company id (not in valid time)
    CREATOR = "creator"  # creates a measure, licence, application, agreement, advisory, case
    LIFECYCLE = "lifecycle"  # changes a created object
    TERMINAL = "terminal"  # ends a created object
    PRODUCTION = "production"  # a company's halt or resume of some chips
    REVISION = "revision"  # corrects or retracts an earlier event


class EventType:
    """What the write side needs to know about a type: its aggregate, id field and role."""

    def __init__(self, name: str, model: type[Data], role: Role, kind: str, id_field: str):
        self.name, self.model, self.role, self.kind, self.id_field = (
            name,
            model,
            role,
            kind,
            id_field,
        )

    @property
    def is_domain(self) -> bool:
        """Domain events live in valid time: they require `effective_at`."""
        return self.role not in (Role.REGISTRY, Role.REVISION)


def _t(model: type[Data], role: Role, kind: str, id_field: str) -> EventType:
    return EventType(model.__name__, model, role, kind, id_field)


CATALOG: dict[str, EventType] = {
    t.name: t
    for t in (
        _t(CompanyRegistered, Role.REGISTRY, "company", "company"),
        _t(ChipRegistered, Role.REGISTRY, "chip", "chip"),
        _t(ExportBanImposed, Role.CREATOR, "measure", "measure_id"),
        _t(ExportBanAmended, Role.LIFECYCLE, "measure", "measure_id"),
        _t(ExportBanLifted, Role.TERMINAL, "measure", "measure_id"),
        _t(LicenseGranted, Role.CREATOR, "license", "license_id"),
        _t(LicenseDenied, Role.CREATOR, "application", "application_id"),
        _t(LicenseRevoked, Role.TERMINAL, "license", "license_id"),
        _t(RevenueShareAgreed, Role.CREATOR, "agreement", "agreement_id"),
        _t(RevenueShareEnded, Role.TERMINAL, "agreement", "agreement_id"),
        _t(AdvisoryIssued, Role.CREATOR, "advisory", "advisory_id"),
        _t(AdvisoryWithdrawn, Role.TERMINAL, "advisory", "advisory_id"),
        _t(ProductionHalted, Role.PRODUCTION, "production", "company"),
        _t(ProductionResumed, Role.PRODUCTION, "production", "company"),
        _t(InvestigationOpened, Role.CREATOR, "case", "case_id"),
        _t(InvestigationConcluded, Role.TERMINAL, "case", "case_id"),
        _t(EventCorrected, Role.REVISION, "", "event_id"),
        _t(EventRetracted, Role.REVISION, "", "event_id"),
    )
}

# Which data fields name registered ids (docs/events.md, "Write rules": registered, at an earlier position).
CHIP_FIELDS = ("chips", "successor_of")
COMPANY_FIELDS = ("companies", "licensee", "company", "manufacturer", "suppliers")
