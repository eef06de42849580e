"""Lifecycle rules that need an aggregate's history, as currently known (docs/events.md, "Write rules").

"Currently known" means everything stored, every revision applied — including events
reported for a later date: the writer knows them even while readers cannot see them yet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.catalog import CATALOG, EventType, Role
from domain.clocks import format_instant, parse_instant
from domain.dossier import Dossier
from domain.errors import invalid
from domain.knowledge import Belief

COVERAGE = ("chips", "criteria", "companies")


_NEVER = datetime.max.replace(tzinfo=UTC)


def _live(dossier: Dossier) -> list[Belief]:
    return [b for b in dossier.beliefs if not b.retracted]


def _in_valid_time_order(beliefs: list[Belief]) -> list[Belief]:
    # Every belief here is a domain event, which always has an effective_at.
    return sorted(beliefs, key=lambda b: (b.effective_at or _NEVER, b.position))


def check_lifecycle(dossier: Dossier, t: EventType, effective_at: datetime) -> None:
    creator = dossier.beliefs[0]
    name = f"{t.kind} {dossier.key.split(':', 1)[1]!r}"
    if creator.retracted:
        raise invalid(f"{name} was retracted: record it anew under a new id", f"/data/{t.id_field}")
    assert creator.effective_at is not None  # creators are domain events
    if effective_at < creator.effective_at:
        raise invalid(
            f"takes effect before {name} was created ({format_instant(creator.effective_at)})",
            "/effective_at",
        )
    terminal = next((b for b in _live(dossier) if CATALOG[b.type].role is Role.TERMINAL), None)
    if terminal is None or terminal.effective_at is None:
        return
    when = format_instant(terminal.effective_at)
    if t.role is Role.TERMINAL:
        raise invalid(
            f"{name} already ended by {terminal.type} at {when}: correct that event instead",
            "/type",
        )
    if effective_at >= terminal.effective_at:
        raise invalid(
            f"takes effect at or after {name} ended ({terminal.type} at {when})", "/effective_at"
        )


def check_amended_measure(dossier: Dossier, change: dict[str, Any], effective_at: datetime) -> None:
    """An amendment may not leave a measure covering no chip, criterion or company, with a
    review policy under a ban, or with a compliance date before the measure took effect."""
    fields = dict(dossier.beliefs[0].data)
    for belief in _in_valid_time_order(_live(dossier)):
        if (
            belief.type == "ExportBanAmended"
            and belief.effective_at is not None
            and belief.effective_at <= effective_at
        ):
            fields.update({k: v for k, v in belief.data.items() if k != "measure_id"})
    fields.update(change)
    if not any(fields.get(name) for name in COVERAGE):
        raise invalid(
            "the measure would cover nothing: keep at least one of chips, criteria, companies",
            "/data",
        )
    if fields.get("review_policy") is not None and fields["control"] == "ban":
        pointer = "/data/review_policy" if "review_policy" in change else "/data/control"
        raise invalid(
            "a review policy applies to licence applications: the measure's control would be "
            "ban with a review policy (set review_policy to null, or keep license_required)",
            pointer,
        )
    if "compliance_at" in change:
        imposed = dossier.beliefs[0].effective_at
        assert imposed is not None  # an imposition is a domain event
        check_compliance_date(change, imposed)


def check_compliance_date(data: dict[str, Any], effective_at: datetime) -> None:
    """`compliance_at`, when given, is not before the measure takes effect."""
    compliance = data.get("compliance_at")
    if compliance is not None and parse_instant(compliance) < effective_at:
        raise invalid(
            f"compliance_at is before the measure takes effect ({format_instant(effective_at)})",
            "/data/compliance_at",
        )


def check_suspension_end(data: dict[str, Any], effective_at: datetime) -> None:
    until = data.get("until")
    if until is not None and parse_instant(until) <= effective_at:
        raise invalid(
            f"until must be after the suspension takes effect ({format_instant(effective_at)})",
            "/data/until",
        )


def open_halts(dossier: Dossier, at: datetime) -> set[str]:
    """Chips this company has halted and not resumed by `at` (as currently known)."""
    halted: set[str] = set()
    for belief in _in_valid_time_order(_live(dossier)):
        if belief.effective_at is None or belief.effective_at > at:
            continue
        chips = set(belief.data["chips"])
        halted = halted | chips if belief.type == "ProductionHalted" else halted - chips
    return halted


def check_resume(dossier: Dossier, chips: list[str], effective_at: datetime) -> None:
    halted = open_halts(dossier, effective_at)
    for index, chip in enumerate(chips):
        if chip not in halted:
            raise invalid(
                f"{chip!r} has no open halt by this company at {format_instant(effective_at)}",
                f"/data/chips/{index}",
            )
