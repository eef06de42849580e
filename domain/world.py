"""The reference fold (docs/state.md, "The fold"): the world at valid time T, from what was believed.

`fold_world` takes the beliefs of an event slice (revisions applied at K, visible, position
≤ P) and applies the domain events with `effective_at ≤ T` in (`effective_at`, position)
order. Lifecycle events that take effect before their creator or after a terminal event are
no-ops, recorded as anomalies. Everything here is pure: the same beliefs give the same world.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from typing import Any, cast

from domain.catalog import CATALOG, Role
from domain.clocks import parse_instant
from domain.ids import GROUP_PREFIX
from domain.knowledge import Belief
from domain.payloads import BOUNDS

SUSPENSION_EFFECT = {"ExportBanSuspended", "ExportBanReinstated"}
AMENDMENTS = {"ExportBanAmended", "TariffAmended"}
FILED = "LicenseApplied"  # an application's creator when it was filed (pending until it ends)
TERMINAL_EFFECT = {
    "TariffLifted",
    "LicenseApplicationWithdrawn",
    "PolicyAnnouncementWithdrawn",
    "ExportBanLifted",
    "LicenseRevoked",
    "RevenueShareEnded",
    "AdvisoryWithdrawn",
    "InvestigationConcluded",
}


@dataclass(frozen=True, slots=True)
class Suspension:
    """A measure's suspension (docs/state.md, "Suspensions"): from `since` until `until`
    (exclusive; None: until reinstated); `by` the suspension that set `until`."""

    since: datetime
    until: datetime | None
    by: str

    def runs_at(self, at: datetime) -> bool:
        return self.since <= at and (self.until is None or at < self.until)


@dataclass(frozen=True, slots=True)
class Obj:
    """A created object (measure, licence, agreement, advisory, case, application, group)."""

    kind: str
    id: str
    fields: dict[str, Any]
    created_by: str  # event id
    ended_by: str | None = None  # the terminal event's id, if any
    ended_type: str | None = None
    suspension: Suspension | None = None  # measures only: the last one folded
    origin: str = ""  # the creating event's type (an application: LicenseApplied or LicenseDenied)

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
    holdings: dict[tuple[str, str], str] = field(default_factory=dict)  # (owner, owned) → %
    # announcement id → (the implementing event's id, its effective_at): the first in fold order
    implemented: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    pending: list[Belief] = field(default_factory=list)  # known, effective after T
    believed: list[Belief] = field(default_factory=list)  # every domain belief, any T
    _concerns: dict[str, set[str]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects.values() if o.kind == kind]

    def concerns(self, aggregate: str) -> set[str]:
        """The chips and companies any believed event of the aggregate names, whatever T:
        an anomaly is listed on those from the moment it is folded. Asked only for
        aggregates with anomalies, so worked out on demand."""
        if aggregate not in self._concerns:
            wanted = {a.aggregate for a in self.anomalies} | {aggregate}
            found: dict[str, set[str]] = {key: set() for key in wanted}
            for belief in self.believed:  # one pass for every aggregate with anomalies
                if belief.event.aggregate in found:
                    found[belief.event.aggregate] |= _named(belief.data)
            self._concerns.update(found)
        return self._concerns[aggregate]


def valid_time_order(beliefs: list[Belief]) -> list[Belief]:
    return sorted(beliefs, key=attrgetter("effective_at", "position"))


def fold_world(beliefs: list[Belief], as_of: datetime) -> World:
    """The fold of what was believed (already revised and visible, docs/state.md, "What was known")."""
    registry = [b for b in beliefs if b.is_registry]
    domain = valid_time_order(
        [b for b in beliefs if not b.is_registry and b.effective_at is not None]
    )
    return fold_ordered(registry, domain, as_of)


def fold_ordered(
    registry: list[Belief], domain: list[Belief], as_of: datetime, known_at: datetime | None = None
) -> World:
    """The fold proper: registry beliefs in log order, domain beliefs in valid-time order.

    With `known_at`, beliefs not visible at K (retracted, or reported after K) are skipped
    here, so a caller may pass a superset arranged once (`domain.prepared`)."""
    world = World(as_of)
    for belief in registry:
        if not belief.retracted:
            _register(world, belief)
    for belief in domain:
        effective = belief.effective_at
        if (
            effective is None
            or belief.retracted
            or (known_at is not None and belief.reported_at > known_at)
        ):
            continue
        world.believed.append(belief)
        if effective > as_of:
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
    if event_type.role is Role.OWNERSHIP:
        _apply_ownership(world, belief)
        return
    current = world.objects.get(key)
    if event_type.role is Role.CREATOR and not _ends_application(belief, current):
        if current is None:  # a creator seen twice cannot happen: ids are unique
            # Fields are never changed in place (an amendment makes a new dict): no copy.
            world.objects[key] = Obj(
                event_type.kind,
                belief.data[event_type.id_field],
                belief.data,
                belief.event.event_id,
                origin=belief.type,
            )
            _implements(world, belief)
            if belief.type == "LicenseGranted" and belief.data.get("application_id"):
                _grant_application(world, belief)
        return
    if current is None:
        world.anomalies.append(Anomaly(belief.event.event_id, "before_creator", key))
        return
    if not current.live:
        world.anomalies.append(Anomaly(belief.event.event_id, "after_terminal", key))
        return
    # (Obj is built directly, not with dataclasses.replace: this runs for every event read.)
    if belief.type in AMENDMENTS:
        changed = {k: v for k, v in belief.data.items() if k != event_type.id_field}
        world.objects[key] = Obj(
            current.kind,
            current.id,
            {**current.fields, **changed},
            current.created_by,
            suspension=current.suspension,
            origin=current.origin,
        )
        _implements(world, belief)
    elif belief.type in SUSPENSION_EFFECT:
        world.objects[key] = replace(current, suspension=_suspended(current, belief))
    elif belief.type == "DestinationGroupAmended":
        members = set(current.fields["members"]) | set(belief.data.get("add") or ())
        members -= set(belief.data.get("remove") or ())
        world.objects[key] = replace(current, fields={**current.fields, "members": sorted(members)})
    elif belief.type in TERMINAL_EFFECT or belief.type == "LicenseDenied":
        # Keep what the ending says (a case's finding, a lift's reason) with the object.
        outcome = {k: v for k, v in belief.data.items() if k != event_type.id_field}
        world.objects[key] = Obj(
            current.kind,
            current.id,
            {**current.fields, **outcome},
            current.created_by,
            belief.event.event_id,
            belief.type,
            origin=current.origin,
        )


def _suspended(measure: Obj, belief: Belief) -> Suspension | None:
    """A measure's suspension after a suspension or reinstatement (docs/state.md,
    "Suspensions"): a suspension folded while another runs keeps its `since` and takes the
    new `until`; a reinstatement ends any (of a measure not suspended: a no-op)."""
    if belief.type == "ExportBanReinstated":
        return None
    at = cast(datetime, belief.effective_at)  # lifecycle events are domain events
    until = belief.data.get("until")
    end = None if until is None else parse_instant(until)
    running = measure.suspension
    since = running.since if running is not None and running.runs_at(at) else at
    return Suspension(since, end, belief.event.event_id)


def in_force(measure: Obj, at: datetime) -> bool:
    """Imposed (and past its compliance date), not lifted, not suspended at `at`."""
    if not measure.live or (measure.suspension is not None and measure.suspension.runs_at(at)):
        return False
    compliance = measure.fields.get("compliance_at")
    return compliance is None or parse_instant(compliance) <= at


def suspended(measure: Obj, at: datetime) -> bool:
    """Imposed, not lifted, and suspended at `at`."""
    return measure.live and measure.suspension is not None and measure.suspension.runs_at(at)


def members(world: World, entry: str) -> list[str]:
    """What one destination entry stands for at the world's T: an ISO code itself, or a
    group's members (a group not defined at T: nothing)."""
    if not entry.startswith(GROUP_PREFIX):
        return [entry]
    group = world.objects.get(entry)  # a group's aggregate key is the entry itself
    return [] if group is None else group.fields["members"]


def resolve(world: World, entries: list[str] | None) -> set[str]:
    return {code for entry in entries or () for code in members(world, entry)}


def destinations(world: World, fields: dict[str, Any]) -> dict[str, str]:
    """A measure's destinations at T (its entries resolved, minus its exceptions), each with
    the first entry, as written, whose resolution includes it (`via`)."""
    excepted = resolve(world, fields.get("except_destinations"))
    found: dict[str, str] = {}
    for entry in fields["destinations"]:
        for code in members(world, entry):
            if code not in excepted:
                found.setdefault(code, entry)
    return found


def _ends_application(belief: Belief, current: Obj | None) -> bool:
    """A denial naming an application filed with LicenseApplied ends it (docs/state.md,
    "Licence applications"); otherwise it records a denied application of its own (v1)."""
    return belief.type == "LicenseDenied" and current is not None and current.origin == FILED


def _grant_application(world: World, grant: Belief) -> None:
    """A licence naming a pending application grants it; one not pending is left as it is."""
    key = f"application:{grant.data['application_id']}"
    application = world.objects.get(key)
    if application is not None and application.live and application.origin == FILED:
        world.objects[key] = replace(
            application, ended_by=grant.event.event_id, ended_type=grant.type
        )


def _implements(world: World, belief: Belief) -> None:
    """The announcements this event implements, from its effective time (the first wins)."""
    for announcement in belief.data.get("implements") or ():
        if announcement not in world.implemented:
            world.implemented[announcement] = (
                belief.event.event_id,
                cast(datetime, belief.effective_at),
            )


def _apply_ownership(world: World, belief: Belief) -> None:
    pair = (belief.data["owner"], belief.data["owned"])
    if belief.type == "OwnershipRecorded":
        world.holdings[pair] = belief.data["percent"]
    else:
        world.holdings.pop(pair, None)  # an end with nothing recorded is a silent no-op


def _apply_production(world: World, belief: Belief) -> None:
    company = belief.data["company"]
    for chip in belief.data["chips"]:
        key = (company, chip)
        if belief.type == "ProductionHalted":
            open_halt = world.halts.get(key)
            suppliers = frozenset(belief.data.get("suppliers") or ())
            if open_halt is None:
                # A halt is a domain event: it always has a valid time.
                world.halts[key] = Halt(
                    company, chip, cast(datetime, belief.effective_at), suppliers
                )
            else:  # a second halt while open: keep the earliest `since`, union the suppliers
                world.halts[key] = replace(open_halt, suppliers=open_halt.suppliers | suppliers)
        else:
            world.halts.pop(key, None)  # a resume with no open halt is a silent no-op


def license_active(obj: Obj, at: datetime) -> bool:
    expires = obj.fields.get("expires_at")
    return obj.live and (expires is None or at < parse_instant(expires))


@lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal:
    return Decimal(text)


@lru_cache(maxsize=256)
def _bound(key: str) -> tuple[str, str]:
    """A clause key's spec and comparison: `tpp_lt` → ("tpp", "lt")."""
    spec, _, suffix = key.rpartition("_")
    return spec, BOUNDS[f"_{suffix}"]


def _meets(value: Decimal, how: str, threshold: Decimal) -> bool:
    if how == "ge":
        return value >= threshold
    if how == "gt":
        return value > threshold
    if how == "le":
        return value <= threshold
    return value < threshold


def matches_criteria(criteria: list[dict[str, Any]], specs: dict[str, Any] | None) -> int | None:
    """The index of the first clause whose every bound the specs meet, else None (a chip
    without a spec a clause bounds does not meet that clause)."""
    specs = specs or {}
    for index, clause in enumerate(criteria):
        met = True
        for key, threshold in clause.items():
            spec, how = _bound(key)
            value = specs.get(spec)
            if value is None or not _meets(_decimal(value), how, _decimal(threshold)):
                met = False
                break
        if met and clause:
            return index
    return None


def coverage(
    measure: dict[str, Any], chip: str, specs: dict[str, Any] | None
) -> dict[str, Any] | None:
    """How a measure's fields cover a chip: named, by a criteria clause, or not at all."""
    if chip in (measure.get("chips") or []):
        return {"by": "named"}
    index = matches_criteria(measure.get("criteria") or [], specs)
    return None if index is None else {"by": "criteria", "index": index}
