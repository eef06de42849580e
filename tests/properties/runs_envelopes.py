"""The envelope a run appends for each operation of a generated history
(tests/properties/runs.py): a registration or creation with its ids and clocks, a lifecycle
event of one of the run's objects, or a correction, retraction or reinstatement of an event
it stored; and the pools of stored events a revision may aim at.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from domain.catalog import CATALOG, Role
from domain.clocks import format_instant, parse_instant
from domain.events import Recorded
from tests.properties import runs_v2
from tests.properties.histories_vocabulary import CREATORS, FOLLOWS, MUTABLE, When
from tests.properties.runs_names import Names, clock_text, start_of_day

MEASURE_FOLLOW_UPS = {
    "amend": "ExportBanAmended",
    "lift": "ExportBanLifted",
    "suspend": "ExportBanSuspended",
    "reinstate": "ExportBanReinstated",
}


class Envelopes(Names):
    """The envelopes of a run and what they aim at (a part of `Run`, whose fields these are)."""

    accepted: list[Recorded]  # base events, in log order
    retracted: list[Recorded]
    ids: dict[str, itertools.count[int]]  # the next id of each creator's id field

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
        clocks = {"effective_at": clock_text(effective, bare)}
        if reported is not None:
            clocks["reported_at"] = clock_text(effective + timedelta(days=reported), bare)
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
        effective = start_of_day(parse_instant(target.effective_at)) + timedelta(
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
