"""Playing a generated history through the writer: `Run` names an example's ids, appends
what the log's rules accept and remembers its events, positions and clock values.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.catalog import CATALOG, Role
from domain.clocks import format_instant, parse_instant
from domain.errors import DomainError
from domain.events import Recorded
from services.bootstrap import Container
from services.write.parsing import InputError, parse_envelope
from services.write.recording import Item
from tests.properties import runs_v2
from tests.properties.histories import (
    CHIP_KEYS,
    COMPANY_KEYS,
    CREATORS,
    FOLLOWS,
    MUTABLE,
    WINDOW,
    History,
    When,
)
from tests.support.clock import FakeClock

# -- playing a history through the writer ----------------------------------------------------

MEASURE_FOLLOW_UPS = {
    "amend": "ExportBanAmended",
    "lift": "ExportBanLifted",
    "suspend": "ExportBanSuspended",
    "reinstate": "ExportBanReinstated",
}

_examples = itertools.count()


def _text(moment: datetime, bare: bool) -> str:
    return moment.date().isoformat() if bare else format_instant(moment)


def _day(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


@dataclass
class Run:
    """One example's history as appended: its ids, accepted events and positions."""

    container: Container
    clock: FakeClock
    history: History
    prefix: str = field(default_factory=lambda: f"p{next(_examples)}")
    accepted: list[Recorded] = field(default_factory=list)  # base events, in log order
    created: dict[str, list[Recorded]] = field(default_factory=lambda: defaultdict(list))
    retracted: list[Recorded] = field(default_factory=list)
    revisions: list[Recorded] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    refused: int = 0
    ids: dict[str, itertools.count[int]] = field(
        default_factory=lambda: defaultdict(itertools.count)
    )

    def __post_init__(self) -> None:
        self.start = _day(self.clock.now) - timedelta(days=WINDOW // 2)

    # names and moments: each kind has its own namespace (docs/clocks.md), so chip 1, company 1,
    # measure 1 and licence 1 all share the slug `p<n>-1`: nothing may mix them up.
    def chip(self, i: int) -> str:
        return f"{self.prefix}-{i}"

    def company(self, i: int) -> str:
        return f"{self.prefix}-{i}"

    def at(self, when: When) -> str:
        day = self.start + timedelta(days=when.day)
        return _text(day + timedelta(hours=when.hour or 0), when.hour is None)

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

    # the history
    def play(self, ops: list[dict[str, Any]]) -> None:
        for op in ops:
            self.clock.advance(minutes=op["tick"])
            body = self.envelope(op)
            if body is None:
                continue  # nothing to follow, correct or reinstate yet
            try:
                result = self.container.writer.append([Item(parse_envelope(body))], "property")
            except (DomainError, InputError):
                self.refused += 1  # the log's rules refused it: histories stay valid
                continue
            appended = result.items[0]
            self.positions.append(appended.position)
            if op["op"] in ("register", "create", "follow"):
                self.accepted.append(appended.event)
                self.created[appended.event.type].append(appended.event)
                continue
            self.revisions.append(appended.event)
            if op["op"] == "retract":
                self.retracted.append(self._target(self.pool(op["pool"]), op["target"]))

    def rewrites_of_the_past(self) -> list[dict[str, Any]]:
        """Revisions reported as of the window's first day, so known at every K asked
        about: a new spec sheet for the first chip, the first domain event retracted. After
        the P of an earlier answer, they must not change it."""
        when, tick = When(0), 1
        ops = [
            {
                "op": "correct",
                "pool": "chips",
                "target": 0,
                "reported": when,
                "tick": tick,
                "changes": {"data": {"change": 1, "specs": {"tpp": 9000}}},
            }
        ]
        if self.pool("domain"):
            ops.append(
                {"op": "retract", "pool": "domain", "target": 0, "reported": when, "tick": tick}
            )
        return ops

    def pool(self, name: str) -> list[Recorded]:
        """Accepted base events a revision may aim at: all, registrations (of chips),
        domain events, creations (a halt included) or what follows them (a resume included)."""

        def role(e: Recorded) -> Role:
            return CATALOG[e.type].role

        wanted = {
            "any": lambda e: True,
            "registry": lambda e: role(e) is Role.REGISTRY,
            "chips": lambda e: e.type == "ChipRegistered",
            "domain": lambda e: role(e) is not Role.REGISTRY,
            "creator": lambda e: (
                role(e) is Role.CREATOR or e.type in ("ProductionHalted", "OwnershipRecorded")
            ),
            "follow": lambda e: (
                role(e) in (Role.LIFECYCLE, Role.TERMINAL)
                or e.type in ("ProductionResumed", "OwnershipEnded")
            ),
        }[name]
        return [e for e in self.accepted if wanted(e)]

    @staticmethod
    def _target(events: list[Recorded], index: int) -> Recorded:
        return events[index % len(events)]

    def envelope(self, op: dict[str, Any]) -> dict[str, Any] | None:
        if op["op"] == "register":
            return {"type": op["type"], "data": self.render(op["data"])}
        if op["op"] == "create":
            return self._created(op)
        if op["op"] == "follow":
            return self._follow(op)
        pool = self.retracted if op["op"] == "reinstate" else self.pool(op["pool"])
        if not pool:
            return None
        target = self._target(pool, op["target"])
        if op["op"] == "retract":
            body = {
                "type": "EventRetracted",
                "data": {"event_id": target.event_id, "reason": "reported in error"},
            }
        else:
            body = {
                "type": "EventCorrected",
                "data": {"event_id": target.event_id, "changes": self._changes(target, op)},
            }
        if op["reported"] is not None:
            body["reported_at"] = self.at(op["reported"])
        return body

    def _clocks(self, effective: datetime, bare: bool, reported: int | None) -> dict[str, str]:
        """<0: announced ahead; >0: reported late (or, past the clock, embargoed)."""
        clocks = {"effective_at": _text(effective, bare)}
        if reported is not None:
            clocks["reported_at"] = _text(effective + timedelta(days=reported), bare)
        return clocks

    def _created(self, op: dict[str, Any]) -> dict[str, Any]:
        data = self.render(op["data"])
        if op["type"] in CREATORS:
            id_field = CREATORS[op["type"]]
            data[id_field] = f"{self.prefix}-{next(self.ids[id_field])}"
        when: When = op["effective_at"]
        effective = self.start + timedelta(days=when.day, hours=when.hour or 0)
        if "compliance_days" in data:
            data["compliance_at"] = format_instant(
                effective + timedelta(days=data.pop("compliance_days"))
            )
        if op["type"] == "ExportBanImposed" and not data["destinations"]:
            data["destinations"] = ["CN"]
        if op["type"] == "PolicyAnnounced" and "expected_effective_at" in data:
            data["expected_effective_at"] = format_instant(
                effective + timedelta(days=data["expected_effective_at"])
            )
        return {
            "type": op["type"],
            "data": data,
            **self._clocks(effective, when.hour is None, op["reported"]),
        }

    def _follow(self, op: dict[str, Any]) -> dict[str, Any] | None:
        objects = [e for e in self.pool("creator") if e.type in FOLLOWS]  # not a denial
        if not objects:
            return None
        target = self._target(objects, op["target"])
        kind = FOLLOWS[target.type]
        if target.type in runs_v2.FOLLOWED:
            kind, data = runs_v2.follow_up(target.type, target.data, op)
        elif target.type == "ProductionHalted":
            chips = target.data["chips"]
            data = {
                "company": target.data["company"],
                "chips": sorted({chips[i % len(chips)] for i in op["resumed"]}),
            }
        else:
            if kind == "ExportBanAmended":
                kind = MEASURE_FOLLOW_UPS[op["measure_kind"]]
            id_field = CATALOG[kind].id_field
            data = {
                id_field: target.data[id_field],
                **{
                    "ExportBanAmended": self._amendment(op["amend"]),
                    "ExportBanLifted": {"reason": op["reason"]},
                    "ExportBanSuspended": {"reason": op["suspension"]["reason"]},
                    "InvestigationConcluded": {"finding": op["finding"]},
                    "DestinationGroupAmended": op["group_change"],
                }.get(kind, {}),
            }
        effective = _day(parse_instant(target.effective_at)) + timedelta(
            days=op["after"], hours=op["hour"] or 0
        )
        if kind == "ExportBanSuspended" and op["suspension"]["until_days"] is not None:
            data["until"] = format_instant(
                effective + timedelta(days=op["suspension"]["until_days"])
            )
        return {
            "type": kind,
            "data": data,
            **self._clocks(effective, op["hour"] is None, op["reported"]),
        }

    def _amendment(self, change: dict[str, Any]) -> dict[str, Any]:
        rendered = self.render(change)
        if rendered.get("destinations") == []:  # its groups are not defined yet
            rendered["destinations"] = ["CN"]
        return rendered

    def _changes(self, target: Recorded, op: dict[str, Any]) -> dict[str, Any]:
        wanted = op["changes"]
        changes: dict[str, Any] = {}
        for clock in ("effective_at", "reported_at"):
            if clock in wanted:
                changes[clock] = self.at(wanted[clock])
        if wanted.get("same_data"):
            changes["data"] = dict(target.data)
        elif "data" in wanted:
            changes["data"] = self._replaced(target, wanted["data"])
        return changes

    def _replaced(self, target: Recorded, material: dict[str, Any]) -> dict[str, Any]:
        mutable = MUTABLE.get(target.type, ())
        fields = [f for i, f in enumerate(mutable) if material["change"] >> i & 1]
        new = self.render({f: material[f] for f in fields if material[f] is not None})
        if target.type == "ExportBanAmended":  # an amendment's payload is what it changes
            return {"measure_id": target.data["measure_id"], **new} if new else dict(target.data)
        data = {**target.data, **new}
        for f in fields:
            if material[f] is None:  # an optional field (specs, expires_at) dropped
                data.pop(f, None)
        return data

    def instants(self) -> list[datetime]:
        """Every clock value the run stored — of its events, their expiries, its revisions
        and what they changed: the edges where answers change."""
        found = {parse_instant(e.reported_at) for e in (*self.accepted, *self.revisions)}
        found |= {parse_instant(e.effective_at) for e in self.accepted if e.effective_at}
        payloads = [e.data for e in self.accepted]
        for revision in self.revisions:
            changes = revision.data.get("changes", {})
            found |= {
                parse_instant(changes[c]) for c in ("effective_at", "reported_at") if c in changes
            }
            payloads.append(changes.get("data") or {})
        for name in ("expires_at", "until", "compliance_at"):
            found |= {parse_instant(p[name]) for p in payloads if p.get(name)}
        return sorted(found) or [self.start]
