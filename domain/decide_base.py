"""A base event's write rules against its aggregate (docs/events.md, "Write rules"): ids created
once, lifecycle order, amendments, production, ownership and licence applications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.catalog import EventType, Role
from domain.decide_payload import check_succession
from domain.dossier import aggregate_key
from domain.envelope import Envelope
from domain.errors import DuplicateId, Problem, invalid
from domain.ledger import Ledger
from domain.rules import check_lifecycle, check_ownership_open, check_resume
from domain.rules_amendments import check_amended_measure, check_amended_tariff
from domain.rules_applications import check_application_end, check_grants_pending, is_application
from domain.rules_dates import check_compliance_date, check_suspension_end


def decide_base(envelope: Envelope, t: EventType, data: dict[str, Any], ledger: Ledger) -> str:
    key = t.key_of(data)
    dossier = ledger.dossier(key, expect_new=t.role in (Role.REGISTRY, Role.CREATOR))
    pointer = f"/data/{t.id_field}"
    if t.name == "LicenseDenied" and is_application(dossier):
        check_application_end(dossier, t, _effective_at(envelope))  # it ends a pending one
        return key
    if t.role in (Role.REGISTRY, Role.CREATOR):
        if dossier.exists:
            raise DuplicateId(
                f"{t.kind} {data[t.id_field]!r} already exists (ids are never reused)",
                [Problem("already exists", pointer)],
            )
        check_succession(t, data, "/data")
        if t.name == "ExportBanImposed":
            check_compliance_date(data, _effective_at(envelope))
        elif t.name == "LicenseGranted" and data.get("application_id"):
            application = ledger.dossier(aggregate_key("application", data["application_id"]))
            check_grants_pending(application, _effective_at(envelope))
        return key
    effective_at = _effective_at(envelope)
    if t.role is Role.PRODUCTION:
        if t.name == "ProductionResumed":
            check_resume(dossier, data["chips"], effective_at)
        return key
    if t.role is Role.OWNERSHIP:
        if t.name == "OwnershipEnded":
            check_ownership_open(dossier, effective_at)
        return key
    if t.name == "LicenseApplicationWithdrawn" and dossier.exists:
        check_application_end(dossier, t, effective_at)
        return key
    if not dossier.exists:
        raise invalid(f"unknown {t.kind} {data[t.id_field]!r}", pointer)
    check_lifecycle(dossier, t, effective_at)
    if t.name == "ExportBanAmended":
        check_amended_measure(dossier, data, effective_at)
    elif t.name == "TariffAmended":
        check_amended_tariff(dossier, data, effective_at)
    elif t.name == "ExportBanSuspended":
        check_suspension_end(data, effective_at)
    return key


def _effective_at(envelope: Envelope) -> datetime:
    """A domain event's valid time (`domain.decide` has refused one without it)."""
    if envelope.effective_at is None:
        raise invalid(f"effective_at is required for {envelope.type}", "/effective_at")
    return envelope.effective_at
