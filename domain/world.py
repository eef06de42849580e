"""The reference fold (SPEC §4, step 3): the world at valid time T, from what was believed.

`fold_world` takes the beliefs of an event slice (revisions applied at K, visible, position
≤ P) and applies the domain events with `effective_at ≤ T` in (`effective_at`, position)
order. Lifecycle events that take effect before their creator or after a terminal event are
no-ops, recorded as anomalies. Everything here is pure: the same beliefs give the same world.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.catalog import CATALOG, Role
from domain.clocks import parse_instant
from domain.knowledge import Belief

TERMINAL_EFFECT = {"ExportBanLifted", "LicenseRevoked", "RevenueShareEnded",
                   "AdvisoryWithdrawn", "InvestigationConcluded"}


@dataclass(frozen=True)
class Obj:
    """A created object (measure, licence, agreement, advisory, case, application)."""

    kind: str
    id: str
    fields: dict[str, Any]
    created_by: str  # event id
    ended_by: str | None = None  # the terminal event's id, if any
    ended_type: str | None = None

    @property
    def live(self) -> bool:
        return self.ended_by is None


@dataclass(frozen=True)
class Halt:
    company: str
    chip: str
    since: datetime
    suppliers: frozenset[str]


@dataclass(frozen=True)
class Anomaly:
    event_id: str
    reason: str  # before_creator | after_terminal
    aggregate: str


@dataclass
class World:
    as_of: datetime
    chips: dict[str, dict[str, Any]] = field(default_factory=dict)
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    objects: dict[str, Obj] = field(default_factory=dict)  # by aggregate key
    halts: dict[tuple[str, str], Halt] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    # What an aggregate concerns: chips and companies named by any of its believed events.
    concerns: dict[str, set[str]] = field(default_factory=dict)
    pending: list[Belief] = field(default_factory=list)  # known, effective after T

    def of_kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects.values() if o.kind == kind]


def valid_time_order(beliefs: list[Belief]) -> list[Belief]:
    return sorted(beliefs, key=lambda b: (b.effective_at, b.position))  # type: ignore[arg-type,return-value]


def fold_world(beliefs: list[Belief], as_of: datetime) -> World:
    world = World(as_of)
    domain_beliefs: list[Belief] = []
    for belief in beliefs:
        if belief.is_registry:
            _register(world, belief)
        elif belief.effective_at is not None:
            domain_beliefs.append(belief)
    for belief in domain_beliefs:
        # An aggregate concerns what any of its believed events names, whatever T: an
        # anomaly is listed on those chips and companies from the moment it is folded.
        world.concerns.setdefault(belief.event.aggregate, set()).update(_named(belief.data))
    for belief in valid_time_order(domain_beliefs):
        if belief.effective_at > as_of:  # type: ignore[operator]
            world.pending.append(belief)
        else:
            apply(world, belief)
    return world


def _register(world: World, belief: Belief) -> None:
    data = belief.data
    if belief.type == "ChipRegistered":
        world.chips[data["chip"]] = data
    else:
        world.companies[data["company"]] = data


def _named(data: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for kind, keys in (("chip", ("chips",)), ("company", ("companies", "licensee", "company"))):
        for key in keys:
            value = data.get(key)
            for slug in value if isinstance(value, list) else [value]:
                if isinstance(slug, str):
                    names.add(f"{kind}:{slug}")
    return names


def apply(world: World, belief: Belief) -> None:
    """Apply one domain event to the world (used for T and to look ahead for `upcoming`)."""
    event_type = CATALOG[belief.type]
    key = belief.event.aggregate
    if event_type.role is Role.PRODUCTION:
        _apply_production(world, belief)
        return
    current = world.objects.get(key)
    if event_type.role is Role.CREATOR:
        if current is None:  # a creator seen twice cannot happen: ids are unique
            world.objects[key] = Obj(event_type.kind, belief.data[event_type.id_field],
                                     dict(belief.data), belief.event.event_id)
        return
    if current is None:
        world.anomalies.append(Anomaly(belief.event.event_id, "before_creator", key))
        return
    if not current.live:
        world.anomalies.append(Anomaly(belief.event.event_id, "after_terminal", key))
        return
    if belief.type == "ExportBanAmended":
        changed = {k: v for k, v in belief.data.items() if k != "measure_id"}
        world.objects[key] = replace(current, fields={**current.fields, **changed})
    elif belief.type in TERMINAL_EFFECT:
        # Keep what the ending says (a case's finding, a lift's reason) with the object.
        outcome = {k: v for k, v in belief.data.items() if k != event_type.id_field}
        world.objects[key] = replace(current, fields={**current.fields, **outcome},
                                     ended_by=belief.event.event_id, ended_type=belief.type)


def _apply_production(world: World, belief: Belief) -> None:
    company = belief.data["company"]
    for chip in belief.data["chips"]:
        key = (company, chip)
        if belief.type == "ProductionHalted":
            open_halt = world.halts.get(key)
            suppliers = frozenset(belief.data.get("suppliers") or ())
            if open_halt is None:
                world.halts[key] = Halt(company, chip, belief.effective_at, suppliers)  # type: ignore[arg-type]
            else:  # a second halt while open: keep the earliest `since`, union the suppliers
                world.halts[key] = replace(open_halt, suppliers=open_halt.suppliers | suppliers)
        else:
            world.halts.pop(key, None)  # a resume with no open halt is a silent no-op


def license_active(obj: Obj, at: datetime) -> bool:
    expires = obj.fields.get("expires_at")
    return obj.live and (expires is None or at < parse_instant(expires))


def matches_criteria(criteria: list[dict[str, Any]], specs: dict[str, Any] | None) -> int | None:
    """The index of the first clause whose every threshold the specs meet, else None."""
    specs = specs or {}
    for index, clause in enumerate(criteria):
        met = True
        for key, threshold in clause.items():
            value = specs.get(key.removesuffix("_min"))
            if value is None or Decimal(value) < Decimal(threshold):
                met = False
                break
        if met and clause:
            return index
    return None


def coverage(measure: dict[str, Any], chip: str, specs: dict[str, Any] | None) -> dict[str, Any] | None:
    """How a measure's fields cover a chip: named, by a criteria clause, or not at all."""
    if chip in (measure.get("chips") or []):
        return {"by": "named"}
    index = matches_criteria(measure.get("criteria") or [], specs)
    return None if index is None else {"by": "criteria", "index": index}
