"""How a run names an example (tests/properties/runs.py): each kind has its own namespace
(docs/clocks.md), so chip 1, company 1, measure 1 and licence 1 all share the slug `p<n>-1`
and nothing may mix them up; the window's moments as clock text; and a payload of
tests/properties/histories.py rendered with those names.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.clocks import format_instant
from domain.events import Recorded
from tests.properties import runs_v2
from tests.properties.histories import History
from tests.properties.histories_vocabulary import CHIP_KEYS, COMPANY_KEYS, When


def clock_text(moment: datetime, bare: bool) -> str:
    return moment.date().isoformat() if bare else format_instant(moment)


def start_of_day(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


class Names:
    """The names and moments of a run (a part of `Run`, whose fields these are)."""

    history: History
    prefix: str
    start: datetime  # the window's first day
    created: dict[str, list[Recorded]]  # accepted creations, by type

    def chip(self, i: int) -> str:
        return f"{self.prefix}-{i}"

    def company(self, i: int) -> str:
        return f"{self.prefix}-{i}"

    def at(self, when: When) -> str:
        day = self.start + timedelta(days=when.day)
        return clock_text(day + timedelta(hours=when.hour or 0), when.hour is None)

    def subjects(self) -> list[tuple[str, str]]:
        chips = [("chip", self.chip(i)) for i in (*range(self.history.chips), 99)]
        companies = [("company", self.company(i)) for i in (*range(self.history.companies), 99)]
        return chips + companies  # index 99: never registered (not found at any P)

    def render(self, data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in CHIP_KEYS or key in COMPANY_KEYS:
                name = self.chip if key in CHIP_KEYS else self.company
                out[key] = [name(v) for v in value] if isinstance(value, list) else name(value)
            elif key in ("expires_at", "until") and value is not None:
                out[key] = self.at(value)
            elif key == "implements":
                announced = [e.data["announcement_id"] for e in self.created["PolicyAnnounced"]]
                out[key] = runs_v2.named(value, announced)
            elif key in ("destinations", "except_destinations"):
                out[key] = self.places(value)
            elif key in ("review_overrides", "exceptions"):
                out[key] = [
                    {"exception_id": f"x{i}", **self.render(item)}
                    if key == "exceptions"
                    else self.render(item)
                    for i, item in enumerate(value)
                ]
            else:
                out[key] = value
        return out

    def places(self, entries: list[str]) -> list[str]:
        """Destination entries with "G<i>" named as one of the run's groups (dropped while
        it has none)."""
        groups = [e.data["group_id"] for e in self.created["DestinationGroupDefined"]]
        out: list[str] = []
        for entry in entries:
            if entry.startswith("G"):
                if not groups:
                    continue
                entry = f"group:{groups[int(entry[1:]) % len(groups)]}"
            if entry not in out:
                out.append(entry)
        return out
