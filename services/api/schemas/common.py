"""Field types shared by the answer models: times, decimals, ids, problems."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Instant = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time"},
        description="UTC, microsecond precision: YYYY-MM-DDTHH:MM:SS[.ffffff]Z",
        examples=["2025-08-23T23:59:59.999999Z"],
    ),
]
DecimalText = Annotated[
    str,
    Field(
        pattern=r"^-?\d+(\.\d{1,4})?$",
        description="a decimal as a normalised string ('15', '7.25')",
        examples=["15"],
    ),
]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,79}$")]
Code = Annotated[
    str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, or EU", examples=["CN"])
]
Status = Literal["banned", "license_required", "licensed"]
Control = Literal["ban", "license_required"]
Guidance = Literal[
    "caution", "avoid_purchase", "purchase_ban", "import_blocked", "security_review", "other"
]


class Answer(BaseModel):
    """Base of every answer model: documentation only, never used to serialise."""

    model_config = ConfigDict(frozen=True)


class Coordinates(Answer):
    """The resolved (T, K, P) an answer was computed at (docs/api.md, "Coordinates")."""

    as_of: Instant = Field(description="T, the valid time the answer is about")
    known_at: Instant = Field(description="K, the knowledge time (never later than the request)")
    position: int = Field(ge=0, description="P, the log position the answer reflects")


class Anomaly(Answer):
    event_id: str = Field(description="the lifecycle event that was a no-op")
    reason: Literal["before_creator", "after_terminal"]


class Upcoming(Answer):
    effective_at: Instant
    kind: str = Field(
        description="the event type; LicenseExpired for an expiry, ExportBanReinstated also "
        "for a suspension's end, ComplianceRequired for a measure's compliance date",
        examples=["LicenseGranted"],
    )
    id: str = Field(description="the measure's, licence's or group's id")
