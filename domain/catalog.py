"""The event catalog (docs/events.md, "The catalog"): the `data` payload of each of the 22 event types
(v1's 18, and catalog v2's groups, suspensions and reinstatements).

The payloads' base, specs and criteria (domain/payloads.py) and the roles of the types
(domain/event_types.py) are imported here, so `domain.catalog` still names them."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from domain.event_types import EventType as EventType
from domain.event_types import Role as Role
from domain.fields import (
    Destinations,
    ExclusiveEnd,
    Instant,
    Jurisdiction,
    Jurisdictions,
    NonEmptyDestinations,
    NonEmptyJurisdictions,
    NonEmptySlugs,
    Percent,
    Slug,
    Slugs,
    Text300,
)
from domain.payloads import SPEC_NAMES as SPEC_NAMES
from domain.payloads import Authority, Control, Criteria, Reason, ReviewPolicy
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


class ReviewOverride(Data):
    """A review policy for part of a measure: the chips named or matching `criteria`
    (neither: every chip the measure covers) and `destinations` (none: all)."""

    chips: Slugs = []
    criteria: Criteria = []
    destinations: Destinations = []
    policy: ReviewPolicy


class LicenceException(Data):
    """A licence exception (notify and ship, say): informative, it changes no status."""

    exception_id: Slug
    chips: Slugs = []
    criteria: Criteria = []
    destinations: Destinations = []
    conditions: Text300


def _distinct_exceptions(exceptions: list[LicenceException]) -> list[LicenceException]:
    """An exception_id names one exception of the list: a repeat is refused at its index
    (a `duplicate_item` error, which the API locates at /data/exceptions/<index>)."""
    seen: set[str] = set()
    for index, exception in enumerate(exceptions):
        if exception.exception_id in seen:
            raise PydanticCustomError(
                "duplicate_item",
                "exception {index} repeats exception_id '{id}'",
                {"index": index, "id": exception.exception_id},
            )
        seen.add(exception.exception_id)
    return exceptions


ReviewOverrides = Annotated[list[ReviewOverride], Field(max_length=16)]
LicenceExceptions = Annotated[
    list[LicenceException], Field(max_length=16), AfterValidator(_distinct_exceptions)
]


class ExportBanImposed(Data):
    # Catalog v2's fields are stored only when given, so a v1 event is stored, echoed and
    # exported exactly as before (docs/events.md, "Catalog v2").
    V2_FIELDS: ClassVar[tuple[str, ...]] = (
        "except_destinations",
        "review_policy",
        "review_overrides",
        "exceptions",
        "compliance_at",
    )

    measure_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    destinations: NonEmptyDestinations
    chips: Slugs = []
    criteria: Criteria = []
    companies: Slugs = []
    control: Control
    except_destinations: Destinations = []
    review_policy: ReviewPolicy | None = None
    review_overrides: ReviewOverrides = []
    exceptions: LicenceExceptions = []
    compliance_at: Instant | None = None

    @model_validator(mode="after")
    def _covers_something(self) -> ExportBanImposed:
        if not (self.chips or self.criteria or self.companies):
            raise PydanticCustomError(
                "coverage", "a measure needs at least one of chips, criteria or companies"
            )
        return self

    @field_validator("review_policy")
    @classmethod
    def _policy_needs_licences(cls, policy: str | None, info: ValidationInfo) -> str | None:
        # A field validator, not a model one, so the refusal points at /data/review_policy
        # (`control` is declared before it, so it is in info.data when it is valid).
        if policy is not None and info.data.get("control") == "ban":
            raise PydanticCustomError(
                "review_policy",
                "a review policy applies to licence applications: only with control "
                "license_required",
            )
        return policy

    @model_serializer(mode="wrap")
    def _drop_unused_v2_fields(self, handler: Any) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        for name in self.V2_FIELDS:
            if dumped.get(name) in (None, []):
                dumped.pop(name, None)
        return dumped


class ExportBanAmended(Data):
    measure_id: Slug
    destinations: NonEmptyDestinations | None = None
    chips: Slugs | None = None
    criteria: Criteria | None = None
    companies: Slugs | None = None
    control: Control | None = None
    except_destinations: Destinations | None = None
    review_policy: ReviewPolicy | None = None  # null: no policy any more
    review_overrides: ReviewOverrides | None = None
    exceptions: LicenceExceptions | None = None
    compliance_at: Instant | None = None  # null: no separate compliance date any more

    @model_validator(mode="after")
    def _changes_something(self) -> ExportBanAmended:
        if self.model_fields_set <= {"measure_id"}:
            raise PydanticCustomError(
                "amendment",
                "an amendment needs at least one of destinations, chips, criteria, "
                "companies, control, except_destinations, review_policy, review_overrides, "
                "exceptions or compliance_at",
            )
        return self

    @field_validator(
        "destinations",
        "chips",
        "criteria",
        "companies",
        "control",
        "except_destinations",
        "review_overrides",
        "exceptions",
    )
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        """Only review_policy and compliance_at may be removed with null; a list is replaced
        by a list (`[]` empties the optional ones). Runs only for fields sent, and points
        at the field."""
        if value is None:
            raise PydanticCustomError(
                "amendment",
                "cannot be null: give the new {name} (a list replaces the old one)",
                {"name": info.field_name},
            )
        return value


class ExportBanSuspended(Data):
    """The measure stops applying from `effective_at` until `until` (exclusive; then it is
    back by itself) or an ExportBanReinstated."""

    measure_id: Slug
    until: ExclusiveEnd | None = None
    reason: Reason


class ExportBanReinstated(Data):
    measure_id: Slug


class DestinationGroupDefined(Data):
    group_id: Slug
    name: Text300
    authority: Authority
    jurisdiction: Jurisdiction
    members: Jurisdictions = []


class DestinationGroupAmended(Data):
    """Members change: `add` first, then `remove`."""

    group_id: Slug
    add: Jurisdictions = []
    remove: Jurisdictions = []

    @model_validator(mode="after")
    def _changes_something(self) -> DestinationGroupAmended:
        if not (self.add or self.remove):
            raise PydanticCustomError("amendment", "a group amendment adds or removes a member")
        return self

    @field_validator("remove")
    @classmethod
    def _not_also_added(cls, remove: list[str], info: ValidationInfo) -> list[str]:
        # Located at the code in `remove` (a duplicate_item's index, as a repeat in a list).
        added = set(info.data.get("add") or ())
        for index, code in enumerate(remove):
            if code in added:
                raise PydanticCustomError(
                    "duplicate_item",
                    "item {index}, '{item}', is also in add",
                    {"index": index, "item": code},
                )
        return remove


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
        _t(EventCorrected, Role.REVISION, "", "event_id"),
        _t(EventRetracted, Role.REVISION, "", "event_id"),
    )
}

# Which data fields name registered ids (docs/events.md, "Write rules": registered, at an earlier position).
CHIP_FIELDS = ("chips", "successor_of")
COMPANY_FIELDS = ("companies", "licensee", "company", "manufacturer", "suppliers")
