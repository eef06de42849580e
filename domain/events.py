"""The stored form of every event: the `eventsourcing` library's domain events.

Each catalog type is its own class because the library stores the class's topic
(`domain.events:LicenseGranted`) with every event: these names are a schema. Never move or
rename one without `eventsourcing.utils.register_topic`. Field values are JSON-native and
canonical (times and decimals as normalised strings), so a replay never depends on parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent

SCHEMA_VERSION = 1


class Recorded(DomainEvent):
    """One regulatory event as stored; `originator_version` is the aggregate's version."""

    event_id: str
    aggregate: str  # the aggregate key, e.g. "measure:bis-2025-04-h20" (revisions: the target's)
    effective_at: str | None
    reported_at: str
    recorded_at: str
    recorded_by: str
    summary: str
    sources: list[dict[str, Any]]
    data: dict[str, Any]
    schema_version: int

    @property
    def type(self) -> str:
        return type(self).__name__


class CompanyRegistered(Recorded): ...


class ChipRegistered(Recorded): ...


class ExportBanImposed(Recorded): ...


class ExportBanAmended(Recorded): ...


class ExportBanLifted(Recorded): ...


class ExportBanSuspended(Recorded): ...


class ExportBanReinstated(Recorded): ...


class DestinationGroupDefined(Recorded): ...


class DestinationGroupAmended(Recorded): ...


class LicenseGranted(Recorded): ...


class LicenseDenied(Recorded): ...


class LicenseRevoked(Recorded): ...


class RevenueShareAgreed(Recorded): ...


class RevenueShareEnded(Recorded): ...


class AdvisoryIssued(Recorded): ...


class AdvisoryWithdrawn(Recorded): ...


class ProductionHalted(Recorded): ...


class ProductionResumed(Recorded): ...


class InvestigationOpened(Recorded): ...


class InvestigationConcluded(Recorded): ...


class LicenseApplied(Recorded): ...


class LicenseApplicationWithdrawn(Recorded): ...


class OwnershipRecorded(Recorded): ...


class OwnershipEnded(Recorded): ...


class TariffImposed(Recorded): ...


class TariffAmended(Recorded): ...


class TariffLifted(Recorded): ...


class PolicyAnnounced(Recorded): ...


class PolicyAnnouncementWithdrawn(Recorded): ...


class EventCorrected(Recorded): ...


class EventRetracted(Recorded): ...


@dataclass(frozen=True)
class LoggedEvent:
    """An event as read back from a read model: what the folds need, nothing more.

    `Recorded` has the same attributes, so folds accept either."""

    event_id: str
    type: str
    aggregate: str
    effective_at: str | None
    reported_at: str
    data: dict[str, Any]
    body: dict[str, Any]  # the full public form (summary, sources, clocks, version)


EVENT_CLASSES: dict[str, type[Recorded]] = {cls.__name__: cls for cls in Recorded.__subclasses__()}

_new_object = object.__new__


def new_recorded(
    cls: type[Recorded],
    originator_id: UUID,
    originator_version: int,
    timestamp: datetime,
    event_id: str,
    aggregate: str,
    effective_at: str | None,
    reported_at: str,
    recorded_at: str,
    recorded_by: str,
    summary: str,
    sources: list[dict[str, Any]],
    data: dict[str, Any],
    schema_version: int,
) -> Recorded:
    """`cls(...)` for the writer, without the frozen dataclass's `__init__`.

    That `__init__` sets each of the 13 fields through `object.__setattr__` (frozen) and
    costs 2.3 us an event against 0.3 us here: 2 ms of the writer's thread, holding the
    GIL, per batch of 1,000 (docs/performance.md). The instance's `__dict__` is the same,
    in the same (declaration) order, which the library's mapper relies on when it turns
    an event into JSON; tests/domain/test_event_construction.py holds this to `cls(...)`.
    `originator_id` is always an `aggregate_id`, so the base class's UUID check holds.
    """
    event = _new_object(cls)
    event.__dict__.update(
        originator_id=originator_id,
        originator_version=originator_version,
        timestamp=timestamp,
        event_id=event_id,
        aggregate=aggregate,
        effective_at=effective_at,
        reported_at=reported_at,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        summary=summary,
        sources=sources,
        data=data,
        schema_version=schema_version,
    )
    return event
