"""Catalog v2's other payloads (docs/events.md, "Catalog v2"): licence applications,
ownership between companies, tariffs, and announcements that have no legal effect yet."""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from domain.fields import (
    Destinations,
    Instant,
    Jurisdiction,
    Jurisdictions,
    NonEmptyJurisdictions,
    NonEmptySlugs,
    Percent,
    RatePercent,
    Slug,
    Slugs,
    Text100,
)
from domain.payloads import Authority, Criteria, Data, Reason, StatedOnly

# -- licence applications ------------------------------------------------------------------


class LicenseApplied(Data):
    """An application pending from now until a licence grants it, a denial or a withdrawal."""

    application_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    licensee: Slug
    chips: NonEmptySlugs
    destinations: NonEmptyJurisdictions


class LicenseApplicationWithdrawn(StatedOnly):
    V2_FIELDS = ("reason",)

    application_id: Slug
    reason: Reason | None = None  # withdrawn, or returned without action


# -- ownership -------------------------------------------------------------------------------


class OwnershipRecorded(Data):
    """`owner` holds `percent` of `owned` from now (a later record of the pair replaces it)."""

    owner: Slug
    owned: Slug
    percent: Percent

    @field_validator("owned")
    @classmethod
    def _not_itself(cls, owned: str, info: ValidationInfo) -> str:
        if owned == info.data.get("owner"):
            raise PydanticCustomError("ownership", "a company cannot own itself")
        return owned


class OwnershipEnded(Data):
    owner: Slug
    owned: Slug


# -- tariffs ---------------------------------------------------------------------------------


class TariffImposed(StatedOnly):
    V2_FIELDS = ("origins", "destinations", "basis", "implements")

    tariff_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    direction: Literal["import", "export"]
    rate_percent: RatePercent
    chips: Slugs = []
    criteria: Criteria = []
    origins: Jurisdictions = []
    destinations: Destinations = []
    basis: Text100 | None = None  # e.g. "Section 232"
    implements: Slugs = []

    @model_validator(mode="after")
    def _covers_something(self) -> TariffImposed:
        if not (self.chips or self.criteria):
            raise PydanticCustomError("coverage", "a tariff needs chips or criteria")
        return self


class TariffAmended(Data):
    tariff_id: Slug
    rate_percent: RatePercent | None = None
    chips: Slugs | None = None
    criteria: Criteria | None = None
    origins: Jurisdictions | None = None
    destinations: Destinations | None = None
    basis: Text100 | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> TariffAmended:
        if self.model_fields_set <= {"tariff_id"}:
            raise PydanticCustomError(
                "amendment",
                "an amendment needs at least one of rate_percent, chips, criteria, origins, "
                "destinations or basis",
            )
        return self

    @field_validator("rate_percent", "chips", "criteria", "origins", "destinations")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise PydanticCustomError(
                "amendment", "cannot be null: give the new {name}", {"name": info.field_name}
            )
        return value


class TariffLifted(StatedOnly):
    V2_FIELDS = ("reason",)

    tariff_id: Slug
    reason: Reason | None = None


# -- announcements ---------------------------------------------------------------------------


class PolicyAnnounced(StatedOnly):
    """A policy announced, with no legal effect until a measure, licence, agreement or
    tariff naming it in `implements` takes effect."""

    V2_FIELDS = ("expected_effective_at",)

    announcement_id: Slug
    authority: Authority
    jurisdiction: Jurisdiction
    chips: Slugs = []
    companies: Slugs = []
    destinations: Jurisdictions = []
    expected_effective_at: Instant | None = None


class PolicyAnnouncementWithdrawn(StatedOnly):
    V2_FIELDS = ("reason",)

    announcement_id: Slug
    reason: Reason | None = None
