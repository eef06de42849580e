"""Lifecycle rules that need an aggregate's history, as currently known (docs/events.md, "Write rules").

"Currently known" means everything stored, every revision applied — including events
reported for a later date: the writer knows them even while readers cannot see them yet.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.catalog import CATALOG, EventType, Role
from domain.clocks import format_instant
from domain.dossier import Dossier
from domain.errors import invalid
from domain.knowledge import Belief

_NEVER = datetime.max.replace(tzinfo=UTC)


def live_beliefs(dossier: Dossier) -> list[Belief]:
    return [b for b in dossier.beliefs if not b.retracted]


def in_valid_time_order(beliefs: list[Belief]) -> list[Belief]:
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
    terminal = next(
        (b for b in live_beliefs(dossier) if CATALOG[b.type].role is Role.TERMINAL), None
    )
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


def check_ownership_open(dossier: Dossier, effective_at: datetime) -> None:
    """An ownership can end only while recorded (as currently known) at that date."""
    held = False
    for belief in in_valid_time_order(live_beliefs(dossier)):
        if belief.effective_at is not None and belief.effective_at <= effective_at:
            held = belief.type == "OwnershipRecorded"
    if not held:
        raise invalid(
            f"no ownership of {dossier.key.split(':')[2]!r} by {dossier.key.split(':')[1]!r} "
            f"is recorded at {format_instant(effective_at)}",
            "/data/owned",
        )


def open_halts(dossier: Dossier, at: datetime) -> set[str]:
    """Chips this company has halted and not resumed by `at` (as currently known)."""
    halted: set[str] = set()
    for belief in in_valid_time_order(live_beliefs(dossier)):
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
