"""The rules of licence applications as currently known (docs/events.md, "Licence
applications"): what may end a pending application, and what a grant may name."""

from __future__ import annotations

from datetime import datetime

from domain.catalog import EventType
from domain.clocks import format_instant
from domain.dossier import Dossier
from domain.errors import invalid
from domain.rules import live_beliefs

APPLICATION_ENDINGS = ("LicenseDenied", "LicenseApplicationWithdrawn")


def is_application(dossier: Dossier) -> bool:
    """An application recorded by LicenseApplied (not a v1 denial's own record), as known."""
    return dossier.exists and dossier.beliefs[0].type == "LicenseApplied"


def check_application_end(dossier: Dossier, t: EventType, effective_at: datetime) -> None:
    """A denial or a withdrawal ends a pending application (docs/events.md, "Licence
    applications"): once, and not before it was filed. A denial's own record (v1) cannot
    be withdrawn."""
    name = f"application {dossier.key.split(':', 1)[1]!r}"
    if not is_application(dossier):
        raise invalid(f"{name} was denied when it was recorded: it is not pending", "/type")
    creator = dossier.beliefs[0]
    if creator.retracted:
        raise invalid(f"{name} was retracted: record it anew under a new id", f"/data/{t.id_field}")
    assert creator.effective_at is not None
    if effective_at < creator.effective_at:
        raise invalid(
            f"takes effect before {name} was filed ({format_instant(creator.effective_at)})",
            "/effective_at",
        )
    ended = next((b for b in live_beliefs(dossier)[1:] if b.type in APPLICATION_ENDINGS), None)
    if ended is not None and ended.effective_at is not None:
        raise invalid(
            f"{name} already ended by {ended.type} at {format_instant(ended.effective_at)}",
            "/type",
        )


def check_grants_pending(application: Dossier, effective_at: datetime) -> None:
    """A licence may name only an application pending at its date, as currently known: filed
    by then and not denied or withdrawn by then. (A second grant of one application is not
    refused here: the writer would need every licence; the fold keeps the first grant.)"""
    pointer = "/data/application_id"
    name = f"application {application.key.split(':', 1)[1]!r}"
    if not is_application(application):
        raise invalid(f"{name} is not pending: it was recorded as denied", pointer)
    filed = application.beliefs[0].effective_at
    assert filed is not None
    if effective_at < filed:
        raise invalid(f"{name} is filed only at {format_instant(filed)}", pointer)
    for belief in live_beliefs(application)[1:]:
        ended_at = belief.effective_at
        if belief.type in APPLICATION_ENDINGS and ended_at is not None and ended_at <= effective_at:
            raise invalid(f"{name} is not pending: {belief.type}", pointer)
