"""The event catalog (docs/events.md, "The catalog"): the `data` payload of each of the 31 event
types — v1's 18, and catalog v2's: groups, suspensions and reinstatements (domain/measures.py),
applications, ownership, tariffs and announcements (domain/dealings.py).

The payloads' base, specs and criteria (domain/payloads.py) and the roles of the types
(domain/event_types.py) are imported here, so `domain.catalog` still names them."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from domain.dealings import (
    LicenseApplicationWithdrawn,
    LicenseApplied,
    OwnershipEnded,
    OwnershipRecorded,
    PolicyAnnounced,
    PolicyAnnouncementWithdrawn,
    TariffAmended,
    TariffImposed,
    TariffLifted,
)
from domain.event_types import EventType as EventType
from domain.event_types import Role as Role
from domain.fields import (
    ExclusiveEnd,
    Instant,
    Jurisdiction,
    NonEmptyJurisdictions,
    NonEmptySlugs,
    Percent,
    Slug,
    Slugs,
    Text300,
)
from domain.measures import (
    DestinationGroupAmended,
    DestinationGroupDefined,
    ExportBanAmended,
    ExportBanImposed,
    ExportBanLifted,
    ExportBanReinstated,
    ExportBanSuspended,
)
from domain.measures import LicenceException as LicenceException
from domain.measures import ReviewOverride as ReviewOverride
from domain.payloads import SPEC_NAMES as SPEC_NAMES
from domain.payloads import Authority, Reason, StatedOnly
from domain.payloads import Clause as Clause
from domain.payloads import Data as Data
from domain.payloads import Figures as Figures
from domain.payloads import Specs as Specs


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


class LicenseGranted(StatedOnly):
    V2_FIELDS: ClassVar[tuple[str, ...]] = (
        "application_id",
        "conditions",
        "implements",
        "end_users",
    )

    license_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    licensee: Slug
    chips: NonEmptySlugs
    destinations: NonEmptyJurisdictions
    expires_at: ExclusiveEnd | None = None
    application_id: Slug | None = None  # the pending application it grants
    conditions: Annotated[list[Text300], Field(max_length=20)] = []
    implements: Slugs = []
    end_users: Slugs = []  # only such a licence clears an end-user restriction on them


class LicenseDenied(Data):
    application_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    licensee: Slug
    chips: NonEmptySlugs
    destinations: NonEmptyJurisdictions


class LicenseRevoked(Data):
    license_id: Slug


class RevenueShareAgreed(StatedOnly):
    V2_FIELDS: ClassVar[tuple[str, ...]] = ("implements",)

    agreement_id: Slug
    company: Slug
    chips: NonEmptySlugs
    destinations: NonEmptyJurisdictions
    beneficiary: Jurisdiction
    percent: Percent
    implements: Slugs = []


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
        _t(ExportBanSuspended, Role.LIFECYCLE, "measure", "measure_id"),
        _t(ExportBanReinstated, Role.LIFECYCLE, "measure", "measure_id"),
        _t(DestinationGroupDefined, Role.CREATOR, "group", "group_id"),
        _t(DestinationGroupAmended, Role.LIFECYCLE, "group", "group_id"),
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
        _t(LicenseApplied, Role.CREATOR, "application", "application_id"),
        _t(LicenseApplicationWithdrawn, Role.TERMINAL, "application", "application_id"),
        _t(OwnershipRecorded, Role.OWNERSHIP, "ownership", "owner"),
        _t(OwnershipEnded, Role.OWNERSHIP, "ownership", "owner"),
        _t(TariffImposed, Role.CREATOR, "tariff", "tariff_id"),
        _t(TariffAmended, Role.LIFECYCLE, "tariff", "tariff_id"),
        _t(TariffLifted, Role.TERMINAL, "tariff", "tariff_id"),
        _t(PolicyAnnounced, Role.CREATOR, "announcement", "announcement_id"),
        _t(PolicyAnnouncementWithdrawn, Role.TERMINAL, "announcement", "announcement_id"),
        _t(EventCorrected, Role.REVISION, "", "event_id"),
        _t(EventRetracted, Role.REVISION, "", "event_id"),
    )
}

# Which data fields name registered ids (docs/events.md, "Write rules": registered, at an earlier position).
CHIP_FIELDS = ("chips", "successor_of")
COMPANY_FIELDS = (
    "companies",
    "licensee",
    "company",
    "manufacturer",
    "suppliers",
    "end_users",
    "owner",
    "owned",
)
