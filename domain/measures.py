"""Export controls as regulations write them (docs/events.md, "Catalog v2"): measures with
their review policies, overrides, licence exceptions, compliance dates, affiliates and the
announcements they implement; suspensions and reinstatements; destination groups."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from domain.fields import (
    Destinations,
    ExclusiveEnd,
    Instant,
    Jurisdiction,
    Jurisdictions,
    NonEmptyDestinations,
    Percent,
    Slug,
    Slugs,
    Text300,
)
from domain.payloads import Authority, Control, Criteria, Data, Reason, ReviewPolicy, StatedOnly


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


class ExportBanImposed(StatedOnly):
    V2_FIELDS: ClassVar[tuple[str, ...]] = (
        "except_destinations",
        "review_policy",
        "review_overrides",
        "exceptions",
        "compliance_at",
        "affiliates_min_percent",
        "implements",
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
    affiliates_min_percent: Percent | None = None
    implements: Slugs = []

    @model_validator(mode="after")
    def _covers_something(self) -> ExportBanImposed:
        if not (self.chips or self.criteria or self.companies):
            raise PydanticCustomError(
                "coverage", "a measure needs at least one of chips, criteria or companies"
            )
        return self

    @field_validator("affiliates_min_percent")
    @classmethod
    def _affiliates_need_companies(
        cls, percent: Decimal | None, info: ValidationInfo
    ) -> Decimal | None:
        if percent is not None and not info.data.get("companies"):
            raise PydanticCustomError(
                "affiliates", "affiliates_min_percent extends named end users: name companies"
            )
        return percent

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
    affiliates_min_percent: Percent | None = None  # null: named end users only
    implements: Slugs | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> ExportBanAmended:
        if self.model_fields_set <= {"measure_id"}:
            raise PydanticCustomError(
                "amendment",
                "an amendment needs at least one of destinations, chips, criteria, "
                "companies, control, except_destinations, review_policy, review_overrides, "
                "exceptions, compliance_at, affiliates_min_percent or implements",
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
        "implements",
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
