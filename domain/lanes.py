"""History lanes (docs/state.md, "Lanes: the history a timeline draws"): of each span's
state, only what a lane per destination draws, so that a long history stays small.

A chip's lanes are `export` with each destination's `status`, `review_policy` and
`pending_applications`, and `production` with its `status` and `halted_by`; a company's are
its `chips`, `export_restrictions`, `licenses`, `applications` and `production_halts`, whole.
`lanes_of` cuts them from a full state; `ChipLanes` computes a chip's directly along a
history's fold, redoing at each instant only the destinations that what changed then can
reach (docs/performance.md, "Histories"). The property tests hold the two equal."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from domain.catalog import CATALOG
from domain.clocks import parse_instant
from domain.export_status import (
    most_restrictive,
    policy_for,
    reach_of,
    strictest,
)
from domain.fold import FILED
from domain.ids import GROUP_PREFIX
from domain.in_force import in_force, license_active
from domain.knowledge import Belief
from domain.lane_places import Destination
from domain.span_fold import SpanFold
from domain.subjects import named_groups
from domain.views import production
from domain.world import Obj, World

DETAILS = ("full", "lanes")  # the `detail` of a history (docs/state.md)
CHIP_ENTRY = ("status", "review_policy", "pending_applications")
COMPANY_PARTS = ("chips", "export_restrictions", "licenses", "applications", "production_halts")
# fields whose instant changes an object by itself: a measure's in force, a licence's active
TIMED_FIELDS = ("compliance_at", "until", "expires_at")
PRODUCTION = "production:"  # the aggregates of halts and resumptions (domain/catalog.py)
MEASURE = "measure:"
DEALINGS = ("license:", "application:")
NOT_COUNTED: tuple[None, dict[str, str], set[str]] = (None, {}, set())  # never changed
# the kinds of object a chip's lanes read (the others: agreements, advisories, tariffs, cases,
# announcements, ownership, show in its full state only)
LANE_KINDS = frozenset({"measure", "group", "license", "application", "production"})


def along_the_fold(kind: str, detail: str) -> bool:
    """Whether a history's states are lanes computed along its fold (a chip's: `ChipLanes`)
    rather than full states, cut or not (docs/performance.md, "Histories")."""
    return kind == "chip" and detail == "lanes"


def lane_beliefs(
    domain: list[Belief], starters: set[str]
) -> tuple[list[Belief], dict[datetime, list[Belief]]]:
    """Of a chip's history's beliefs (in valid-time order), those its lanes are made of (of
    measures, groups, licences, applications and production), and by instant the others
    that start a span: no lane changes at their instant unless one of the first does too,
    and then they are among the events of the span starting there (docs/state.md)."""
    kept: list[Belief] = []
    aside: dict[datetime, list[Belief]] = {}
    for belief in domain:
        if CATALOG[belief.type].kind in LANE_KINDS:
            kept.append(belief)
        elif belief.event.event_id in starters:
            aside.setdefault(cast(datetime, belief.effective_at), []).append(belief)
    return kept, aside


def lanes_of(kind: str, state: dict[str, Any]) -> dict[str, Any]:
    """The lanes of a full span state (a chip's or a company's)."""
    if kind == "company":
        return {part: state[part] for part in COMPANY_PARTS}
    return {
        "export": {
            code: {name: entry[name] for name in CHIP_ENTRY}
            for code, entry in sorted(state["export"].items())
        },
        "production": _production_lane(state["production"]),
    }


def _production_lane(state: dict[str, Any]) -> dict[str, Any]:
    return {"status": state["status"], "halted_by": state["halted_by"]}


class ChipLanes:
    """A chip's lanes at each instant a `SpanFold` advances to.

    What reaches each destination is kept between instants: a measure is looked at again
    only when an event of it was folded or one of its dates falls then (it may come into or
    out of force), a licence or an application likewise, and a destination's entry is
    recomputed only when one of those reaches or names it. A group defined or amended then
    changes where the measures naming it reach and whom their overrides concern: those are
    looked at again."""

    def __init__(self, fold: SpanFold, chip: str):
        self.fold, self.chip = fold, chip
        self.specs: dict[str, Any] = fold.world.chips[chip].get("specs") or {}
        self.timed = _timed_keys(fold)
        self.places: dict[str, Destination] = {}  # by destination code
        # measure key -> the measure counted, the destinations it reaches, the groups it names
        self.measures: dict[str, tuple[Obj, dict[str, str], set[str]]] = {}
        self.named: dict[str, set[str]] = {}  # licence/application key -> destinations named
        self.export: dict[str, dict[str, Any]] = {}
        self.lanes: dict[str, Any] = {}  # what `read` gave last
        self.moved = False  # whether an entry or the production lane changed at this instant
        self.production: dict[str, Any] = {}
        # (measure id, destination) -> the measure and its review policy there (until a
        # group changes: overrides may name one)
        self.policies: dict[tuple[str, str], tuple[Obj, str | None]] = {}
        # key -> the object last looked at and whether it counted then: the same object
        # counting the same way changes nothing (a date of it may fall on any instant)
        self.judged: dict[str, tuple[Obj | None, bool]] = {}
        self.started = False

    def read(self, instant: datetime) -> dict[str, Any]:
        """The lanes at the instant the fold has just advanced to."""
        world = self.fold.world  # ended objects are not live: no need for `seen`
        changed = set(self.fold.changed)
        if (timed := self.timed.get(instant)) is not None:
            changed |= timed
        halts = not self.started
        if halts:  # the first instant: every object
            self.started = True
            changed = {key for key, obj in world.objects.items() if obj.kind != "group"}
        measures: list[str] = []
        dealings: list[str] = []  # licences and applications
        groups: set[str] = set()
        for key in changed:
            if key.startswith(MEASURE):
                measures.append(key)
            elif key.startswith(DEALINGS):
                dealings.append(key)
            elif key.startswith(GROUP_PREFIX):
                groups.add(key)
            elif key.startswith(PRODUCTION):
                halts = True
        regrouped: set[str] = set()
        if groups:  # measures counted that name an amended group: where they reach, and
            # their overrides' destinations, may change with no event of theirs
            self.policies.clear()
            regrouped = {key for key, (_, _, named) in self.measures.items() if groups & named}
            measures += regrouped - changed
        dirty: set[str] = set()
        for key in measures:
            self._measure(world, key, key in regrouped, dirty)
        for key in dealings:
            self._named(world, key, dirty)
        self.moved = False
        for code in dirty:
            self._entry(world, code)
        if halts:
            lane = _production_lane(production(world, self.chip))
            if lane != self.production:
                self.production, self.moved = lane, True
        if self.moved:  # else the lanes are those of the last instant, the very same dict
            self.lanes = {
                "export": dict(sorted(self.export.items())),
                "production": self.production,
            }
        return self.lanes

    def _place(self, code: str) -> Destination:
        place = self.places.get(code)
        if place is None:
            place = self.places[code] = Destination()
        return place

    def _measure(self, world: World, key: str, regrouped: bool, dirty: set[str]) -> None:
        """Where the measure reached before and reaches now: the entries to redo, into
        `dirty`."""
        measure = world.objects.get(key)
        counts = (  # not an end-user measure (those are not in `export`), and in force
            measure is not None
            and not measure.fields.get("companies")
            and in_force(measure, world.as_of)
        )
        if self._same(key, measure, counts) and not regrouped:
            return
        was, before, _ = self.measures.pop(key, NOT_COUNTED)
        reached: dict[str, str] = {}
        covering = None  # the measure, when it counts and covers the chip
        if measure is not None and counts:
            how, reached = reach_of(world, measure, self.chip, self.specs)
            covering, reached = (None, {}) if how is None else (measure, reached)
        # the same jurisdiction, control and review policies: where it stays, only the object
        # is replaced (the lanes read nothing else of it)
        same = (
            not regrouped
            and was is not None
            and measure is not None
            and _deciding_fields(was) == _deciding_fields(measure)
        )
        places = self.places
        for code in before:  # (`was` is then the measure counted)
            if same and code in reached:
                continue
            if places[code].count(key, was, -1):  # type: ignore[arg-type]
                dirty.add(code)
        if covering is not None:  # kept even when it reaches nothing: a group may change that
            for code in reached:
                if same and code in before:
                    places[code].replace(key, covering)
                elif (places.get(code) or self._place(code)).count(key, covering, 1):
                    dirty.add(code)
            self.measures[key] = (covering, reached, named_groups(covering.fields))
        if regrouped:  # its overrides may now concern other destinations
            dirty.update(before, reached)

    def _named(self, world: World, key: str, dirty: set[str]) -> None:
        """A licence or application naming the chip: the destinations it named and names,
        into `dirty`."""
        obj = self.fold.world.objects.get(key)  # also when it ended: its destinations
        active = obj is not None and (
            license_active(obj, world.as_of)
            if obj.kind == "license"
            else obj.live and obj.origin == FILED  # pending: domain/dealings_state.py
        )
        if self._same(key, obj, active):
            return
        before = self.named.pop(key, set())
        for code in before:  # (held only if it was active: no place, if nothing else)
            if (place := self.places.get(code)) is not None:
                place.release(key)
        dirty |= before
        if obj is None or self.chip not in obj.fields["chips"]:
            return
        now = set(obj.fields["destinations"])
        self.named[key] = now
        for code in now:
            if active:
                self._place(code).hold(key, obj)
        dirty |= now

    def _same(self, key: str, obj: Obj | None, counts: bool) -> bool:
        """Whether the key's object and whether it counts are as last looked at (and note
        them). Objects are replaced, never changed in place."""
        held = self.judged.get(key)
        self.judged[key] = (obj, counts)
        return held is not None and held[0] is obj and held[1] == counts

    def _entry(self, world: World, code: str) -> None:
        """The destination's entry: as domain/export_status.py makes it, only its lanes."""
        place = self.places.get(code)
        if place is None or not place.reaching:
            if self.export.pop(code, None) is not None:
                self.moved = True
            return
        verdicts = place.verdicts  # as domain/export_status.jurisdiction_verdicts
        status = strictest(verdicts)
        policy = None
        if status == "license_required":
            policy = most_restrictive(
                self._policy(world, measure, code) for measure in place.deciding()
            )
        entry = {
            "status": status,
            "review_policy": policy,
            "pending_applications": sorted(place.pending.values()),
        }
        if self.export.get(code) != entry:
            self.export[code], self.moved = entry, True

    def _policy(self, world: World, measure: Obj, code: str) -> str | None:
        """The measure's review policy for the destination (`policy_for`), remembered."""
        held = self.policies.get((measure.id, code))
        if held is not None and held[0] is measure:
            return held[1]
        policy = policy_for(world, measure, self.chip, self.specs, code)
        self.policies[(measure.id, code)] = (measure, policy)
        return policy


def _deciding_fields(measure: Obj) -> tuple[Any, ...]:
    """What a destination's lanes read of a measure reaching it (domain/export_status.py:
    the verdict, the review policy)."""
    fields = measure.fields
    return (
        fields["jurisdiction"],
        fields["control"],
        fields.get("review_policy"),
        fields.get("review_overrides"),
    )


def _timed_keys(fold: SpanFold) -> dict[datetime, set[str]]:
    """By instant, the objects one of whose dates falls then (a compliance date, a
    suspension's end, a licence's expiry): more than change then, never fewer."""
    found: dict[datetime, set[str]] = {}
    for belief in fold.domain:
        for name in TIMED_FIELDS:
            if belief.data.get(name):
                found.setdefault(parse_instant(belief.data[name]), set()).add(
                    belief.event.aggregate
                )
    return found
