"""Builders of valid event envelopes (docs/events.md); tests override only what they test."""

from __future__ import annotations

from typing import Any


def envelope(
    type_: str, data: dict[str, Any], effective_at: str | None = "2025-04-09", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_, "summary": f"{type_} for a test", "data": data}
    if effective_at is not None:
        body["effective_at"] = effective_at
    body.update(extra)
    return body


def company(slug: str = "nvidia", **data: Any) -> dict[str, Any]:
    return envelope(
        "CompanyRegistered",
        {"company": slug, "name": slug.title(), "country": "US", **data},
        effective_at=None,
    )


def chip(slug: str = "h20", manufacturer: str = "nvidia", **data: Any) -> dict[str, Any]:
    return envelope(
        "ChipRegistered",
        {"chip": slug, "name": slug.upper(), "manufacturer": manufacturer, **data},
        effective_at=None,
    )


def measure(
    measure_id: str = "bis-2025-04-h20", effective_at: str = "2025-04-09", **data: Any
) -> dict[str, Any]:
    payload = {
        "measure_id": measure_id,
        "authority": "BIS",
        "jurisdiction": "US",
        "destinations": ["CN"],
        "chips": ["h20"],
        "control": "license_required",
        **data,
    }
    return envelope("ExportBanImposed", payload, effective_at)


def amendment(
    measure_id: str = "bis-2025-04-h20", effective_at: str = "2025-05-01", **data: Any
) -> dict[str, Any]:
    return envelope(
        "ExportBanAmended", {"measure_id": measure_id, **(data or {"control": "ban"})}, effective_at
    )


def lift(
    measure_id: str = "bis-2025-04-h20", effective_at: str = "2025-12-01", reason: str = "rescinded"
) -> dict[str, Any]:
    return envelope("ExportBanLifted", {"measure_id": measure_id, "reason": reason}, effective_at)


def bis_h20_to_china() -> dict[str, Any]:
    """The default terms of a licence, a denial and an application (builders_v2.applied):
    BIS (US), nvidia, the H20 to China."""
    return {
        "authority": "BIS",
        "jurisdiction": "US",
        "licensee": "nvidia",
        "chips": ["h20"],
        "destinations": ["CN"],
    }


def license_granted(
    license_id: str = "nvidia-h20-cn-2025", effective_at: str = "2025-08-11", **data: Any
) -> dict[str, Any]:
    payload = {"license_id": license_id, **bis_h20_to_china(), **data}
    return envelope("LicenseGranted", payload, effective_at)


def license_revoked(
    license_id: str = "nvidia-h20-cn-2025", effective_at: str = "2025-10-01"
) -> dict[str, Any]:
    return envelope("LicenseRevoked", {"license_id": license_id}, effective_at)


def license_denied(
    application_id: str = "app-1", effective_at: str = "2025-06-01"
) -> dict[str, Any]:
    payload = {"application_id": application_id, **bis_h20_to_china()}
    return envelope("LicenseDenied", payload, effective_at)


def revenue_share(
    agreement_id: str = "nvidia-us-15pct", effective_at: str = "2025-08-11", **data: Any
) -> dict[str, Any]:
    payload = {
        "agreement_id": agreement_id,
        "company": "nvidia",
        "chips": ["h20"],
        "destinations": ["CN"],
        "beneficiary": "US",
        "percent": 15,
        **data,
    }
    return envelope("RevenueShareAgreed", payload, effective_at)


def revenue_share_ended(
    agreement_id: str = "nvidia-us-15pct", effective_at: str = "2025-12-01"
) -> dict[str, Any]:
    return envelope("RevenueShareEnded", {"agreement_id": agreement_id}, effective_at)


def advisory(
    advisory_id: str = "cn-avoid-h20", effective_at: str = "2025-08-12", **data: Any
) -> dict[str, Any]:
    payload = {
        "advisory_id": advisory_id,
        "authority": "CAC",
        "jurisdiction": "CN",
        "chips": ["h20"],
        "companies": [],
        "guidance": "avoid_purchase",
        **data,
    }
    return envelope("AdvisoryIssued", payload, effective_at)


def advisory_withdrawn(
    advisory_id: str = "cn-avoid-h20", effective_at: str = "2025-12-01"
) -> dict[str, Any]:
    return envelope("AdvisoryWithdrawn", {"advisory_id": advisory_id}, effective_at)


def halt(
    company_: str = "nvidia",
    chips: list[str] | None = None,
    effective_at: str = "2025-08-22",
    **data: Any,
) -> dict[str, Any]:
    return envelope(
        "ProductionHalted",
        {"company": company_, "chips": chips or ["h20"], "suppliers": [], **data},
        effective_at,
    )


def resume(
    company_: str = "nvidia", chips: list[str] | None = None, effective_at: str = "2025-10-01"
) -> dict[str, Any]:
    return envelope(
        "ProductionResumed", {"company": company_, "chips": chips or ["h20"]}, effective_at
    )


def investigation(
    case_id: str = "cac-summons", effective_at: str = "2025-07-31", **data: Any
) -> dict[str, Any]:
    payload = {
        "case_id": case_id,
        "authority": "CAC",
        "jurisdiction": "CN",
        "companies": ["nvidia"],
        "chips": ["h20"],
        "kind": "summons",
        **data,
    }
    return envelope("InvestigationOpened", payload, effective_at)


def investigation_concluded(
    case_id: str = "cac-summons", effective_at: str = "2025-12-01", finding: str = "cleared"
) -> dict[str, Any]:
    return envelope(
        "InvestigationConcluded", {"case_id": case_id, "finding": finding}, effective_at
    )


def correction(event_id: str, **changes: Any) -> dict[str, Any]:
    return envelope("EventCorrected", {"event_id": event_id, "changes": changes}, None)


def retraction(event_id: str, reason: str = "reported in error") -> dict[str, Any]:
    return envelope("EventRetracted", {"event_id": event_id, "reason": reason}, None)


def basics() -> list[dict[str, Any]]:
    """The registry every scenario needs: nvidia and its H20."""
    return [company("nvidia"), chip("h20")]
