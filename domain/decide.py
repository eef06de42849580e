"""Deciding one envelope against the log: every write rule of docs/events.md, "Write rules", as a pure function.

The caller supplies a `Ledger` (what the log says now) and gets back a `Decision` — which
aggregate the event joins and its canonical fields — or a DomainError locating each fault.
Clocks that need the server (recorded_at, the reported_at default) are stamped by the
writer, not here, so this module stays free of time and I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.catalog import CATALOG, EventType, Role
from domain.clocks import format_instant
from domain.decide_base import decide_base
from domain.decide_payload import canonical_data, check_references
from domain.decide_revisions import decide_revision
from domain.dossier import Dossier
from domain.envelope import Envelope
from domain.errors import Problem, VersionConflict, invalid
from domain.ledger import Ledger


@dataclass(frozen=True)
class Decision:
    key: str
    type: str
    effective_at: str | None
    reported_at: (
        str | None
    )  # None: the writer applies the default of docs/clocks.md, "The three clocks"
    summary: str
    sources: list[dict[str, Any]]
    data: dict[str, Any]
    expected_version: int | None


def decide(envelope: Envelope, ledger: Ledger) -> Decision:
    event_type = CATALOG[envelope.type]
    _check_clock_fields(envelope, event_type)
    data = canonical_data(event_type, envelope.data)
    if event_type.role is Role.REVISION:
        key = decide_revision(event_type, data, ledger, envelope.data)
    else:
        check_references(event_type, data, ledger, "/data")
        key = decide_base(envelope, event_type, data, ledger)
    _check_expected_version(ledger.dossier(key), envelope.expected_version)
    return Decision(
        key=key,
        type=event_type.name,
        effective_at=_text(envelope.effective_at),
        reported_at=_text(envelope.reported_at),
        summary=envelope.summary,
        sources=[s.model_dump(mode="json", exclude_none=True) for s in envelope.sources],
        data=data,
        expected_version=envelope.expected_version,
    )


def _text(moment: Any) -> str | None:
    return None if moment is None else format_instant(moment)


def _check_clock_fields(envelope: Envelope, event_type: EventType) -> None:
    if event_type.is_domain and envelope.effective_at is None:
        raise invalid(f"effective_at is required for {event_type.name}", "/effective_at")
    if event_type.role is Role.REVISION and envelope.effective_at is not None:
        raise invalid(
            "a revision has no effective_at of its own: to move the target in valid time, "
            "put effective_at in data.changes",
            "/effective_at",
        )


def _check_expected_version(dossier: Dossier, expected: int | None) -> None:
    if expected is not None and expected != dossier.version:
        raise VersionConflict(
            f"expected version {expected} of {dossier.key}, but it is at version {dossier.version}",
            [Problem("does not match the current version", "/expected_version")],
            dossier.version,
        )
